"""The spec's `output:` section: defaults, patterns, and the checks that depend on the profile."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import ValidationError
from ruamel.yaml import YAML

from guardiangen import cli, pipeline
from guardiangen.plan.model.deployment import Profile
from guardiangen.spec.models import RESERVED_CLUSTER_LABELS, Output, OutputProfile
from tests.profiles.conftest import make_spec, reference_data


def test_defaults_add_nothing() -> None:
    out = make_spec().output
    assert out == Output()
    assert out.profile is OutputProfile.PLAIN and out.cluster_label is None
    assert out.kubernetes.dashboard_label == {"grafana_dashboard": "1"}
    assert out.kubernetes.folder_annotation == "grafana_folder"
    assert out.thanos.partial_response_strategy.value == "abort"


@pytest.mark.parametrize(
    "output",
    [
        {"profile": "helm"},
        {"cluster_label": "cluster-name"},
        {"cluster_label": "__name__"},
        {"cluster_label": "severity"},
        {"kubernetes": {"namespace": "Monitoring"}},
        {"kubernetes": {"rule_labels": {"release": "has space"}}},
        {"kubernetes": {"rule_labels": {"-bad": "x"}}},
        {"kubernetes": {"dashboard_label": {}}},
        {"kubernetes": {"dashboard_label": {"a": "1", "b": "1"}}},
        {"kubernetes": {"alertmanager_secret_name": "Alertmanager_Main"}},
        {"kubernetes": {"folder_annotation": "a/b/c"}},
        {"thanos": {"partial_response_strategy": "ignore"}},
        {"mimir": {"namespace": "../etc"}},
        {"kubernets": {}},
    ],
)
def test_invalid_output_settings_are_refused(output: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_spec(output)


def test_reserved_labels_are_in_the_json_schema() -> None:
    import json

    from tests.conftest import ROOT

    schema = json.loads((ROOT / "specs" / "cluster.schema.json").read_text(encoding="utf-8"))
    field = schema["$defs"]["Output"]["properties"]["cluster_label"]
    assert field["not"]["anyOf"][0]["enum"] == list(RESERVED_CLUSTER_LABELS)


def write_spec(tmp_path: Path, output: dict[str, Any], **top: Any) -> str:
    data = copy.deepcopy(reference_data())
    data["output"] = output
    data.update(top)
    path = tmp_path / "cluster.yaml"
    with path.open("w", encoding="utf-8") as fh:
        YAML(typ="safe", pure=True).dump(data, fh)
    return str(path)


def test_cluster_label_must_agree_with_alert_labels(tmp_path: Path) -> None:
    # The reference spec's alert_labels say cluster: llm-guardian-prod, which is also metadata.name.
    assert pipeline.validate(write_spec(tmp_path, {"cluster_label": "cluster"})).spec is not None
    metadata = {**reference_data()["metadata"], "alert_labels": {"cluster": "prod-eu-1"}}
    result = pipeline.validate(write_spec(tmp_path, {"cluster_label": "cluster"}, metadata=metadata))
    assert result.spec is None
    (diag,) = result.diagnostics
    assert diag.code == "GG210" and "metadata.alert_labels" in diag.message and diag.line > 1


@pytest.mark.parametrize("label", ["Hostname", "gpu", "datname"])
def test_cluster_label_must_not_be_a_label_of_a_catalog_metric(label: str, tmp_path: Path) -> None:
    # The GPU exporter's host and gpu labels, a postgres_exporter label.
    result = pipeline.validate(write_spec(tmp_path, {"cluster_label": label}))
    assert result.spec is None and [d.code for d in result.diagnostics] == ["GG210"]
    assert "already a label of" in result.diagnostics[0].message


def test_folder_with_a_slash_only_matters_to_the_kubernetes_profile(tmp_path: Path) -> None:
    defaults = {**reference_data()["defaults"], "dashboard_folder": "LLM/Guardian"}
    path = write_spec(tmp_path, {}, defaults=defaults)
    assert pipeline.validate(path).spec is not None
    assert pipeline.validate(path, OutputProfile.THANOS).spec is not None
    result = pipeline.validate(path, OutputProfile.KUBERNETES)
    assert result.spec is None
    (diag,) = result.diagnostics
    assert diag.code == "GG210" and "grafana_folder" in diag.message
    # The spec's own profile counts when no --target overrides it.
    assert pipeline.validate(write_spec(tmp_path, {"profile": "kubernetes"}, defaults=defaults)).spec is None


def test_cli_target_choices_and_plan_profiles_are_the_spec_profiles() -> None:
    assert [t.value for t in cli.Profile] == [p.value for p in OutputProfile]
    assert list(get_args(Profile)) == [p.value for p in OutputProfile]
