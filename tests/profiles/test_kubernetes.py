"""The kubernetes profile: PrometheusRule, dashboard ConfigMaps and the Alertmanager Secret."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from guardiangen.plan.model import RulesPlan
from guardiangen.render.profiles import kubernetes
from guardiangen.render.profiles.kubernetes import DATA_LIMIT_BYTES, object_name
from guardiangen.spec.models import OutputProfile
from tests.profiles.conftest import dashboard, make_spec, render, yaml_documents
from tests.profiles.oracle import problems

K8S = OutputProfile.KUBERNETES


def objects(files: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Kubernetes objects per file, every file parsed as a YAML stream (the kustomization excepted)."""
    return {p: yaml_documents(t) for p, t in files.items() if p != kubernetes.KUSTOMIZATION}


def all_objects(files: dict[str, str]) -> list[dict[str, Any]]:
    return [o for docs in objects(files).values() for o in docs]


def test_every_object_validates_against_the_crd_and_core_schemas(rules: RulesPlan) -> None:
    plain, files = render(make_spec(), K8S, rules, {"synthetic": dashboard("gg-synthetic")})
    kinds = [o["kind"] for o in all_objects(files)]
    dashboards = [p for p in plain if p.startswith("grafana/dashboards/") and p.endswith(".json")]
    assert kinds.count("PrometheusRule") == 2  # the synthetic plan's two rules files
    assert kinds.count("ConfigMap") == len(dashboards) and kinds.count("Secret") == 1
    for obj in all_objects(files):
        assert problems(obj) == [], obj["metadata"]["name"]


def test_the_oracle_refuses_what_the_api_server_refuses(rules: RulesPlan) -> None:
    """Guard the guard: a misspelt field, a bad strategy and duplicate group names all fail."""
    _, files = render(make_spec(), K8S, rules)
    rule = next(o for o in all_objects(files) if o["kind"] == "PrometheusRule")
    typo = json.loads(json.dumps(rule))
    typo["spec"]["groups"][0]["rules"][0]["expresion"] = "up"
    assert problems(typo)
    strategy = json.loads(json.dumps(rule))
    strategy["spec"]["groups"][0]["partial_response_strategy"] = "sometimes"
    assert problems(strategy)
    twice = json.loads(json.dumps(rule))
    twice["spec"]["groups"].append(twice["spec"]["groups"][0])
    assert problems(twice) == ["spec.groups has duplicate names"]
    bad_name = json.loads(json.dumps(rule))
    bad_name["metadata"]["name"] = "Upper_Case"
    assert problems(bad_name)


def test_prometheusrule_per_rules_file_with_selector_labels(rules: RulesPlan) -> None:
    spec = make_spec({"kubernetes": {"namespace": "observability", "rule_labels": {"prometheus": "main"}}})
    _, files = render(spec, K8S, rules)
    rules = {p: docs for p, docs in objects(files).items() if p.startswith(kubernetes.RULES_DIR)}
    assert sorted(rules) == [
        "kubernetes/prometheusrules/llm-guardian-prod-slo.yaml",
        "kubernetes/prometheusrules/llm-guardian-prod-specialists.yaml",
    ]
    for (doc,) in rules.values():
        assert doc["apiVersion"] == "monitoring.coreos.com/v1"
        assert doc["metadata"]["namespace"] == "observability"
        assert doc["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "guardiangen", "prometheus": "main"}


def test_default_rule_labels_match_kube_prometheus_stack() -> None:
    spec = make_spec()
    assert spec.output.kubernetes.rule_labels == {"release": "kube-prometheus-stack"}
    assert spec.output.kubernetes.namespace == "monitoring"


def test_dashboard_configmap_carries_sidecar_label_folder_and_minified_json() -> None:
    pretty = dashboard("gg-overview")
    _, files = render(make_spec(), K8S, dashboards={"overview": pretty})
    (doc,) = objects(files)["kubernetes/dashboards/llm-guardian-prod-dashboard-overview.yaml"]
    assert doc["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert doc["metadata"]["annotations"] == {"grafana_folder": "LLM Guardian Cluster"}
    (key,) = doc["data"]
    assert key == "overview.json"
    payload = doc["data"][key]
    assert json.loads(payload) == json.loads(pretty)
    assert "\n" not in payload and ": " not in payload and len(payload) < len(pretty)
    assert payload.isascii()  # non-ASCII travels as JSON escapes, never as YAML-sensitive characters


def test_dashboard_label_and_folder_annotation_are_configurable() -> None:
    spec = make_spec({"kubernetes": {"dashboard_label": {"grafana.io/dashboard": "yes"}, "folder_annotation": "f"}})
    _, files = render(spec, K8S, dashboards={"a": dashboard("a")})
    (doc,) = objects(files)["kubernetes/dashboards/llm-guardian-prod-dashboard-a.yaml"]
    assert doc["metadata"]["labels"]["grafana.io/dashboard"] == "yes"
    assert doc["metadata"]["annotations"] == {"f": "LLM Guardian Cluster"}


def test_big_dashboards_get_their_own_configmap_each_under_the_limit() -> None:
    # Three dashboards of ~600 KiB: together far over 1 MiB, each well under it.
    big = {f"big-{i}": dashboard(f"big-{i}", panels=6, padding=100_000) for i in range(3)}
    _, files = render(make_spec(), K8S, dashboards=big)
    configmaps = [o for o in all_objects(files) if o["kind"] == "ConfigMap" and "-big-" in o["metadata"]["name"]]
    assert len(configmaps) == 3
    for cm in configmaps:
        size = sum(len(k.encode()) + len(v.encode()) for k, v in cm["data"].items())
        assert 500_000 < size < DATA_LIMIT_BYTES
        assert problems(cm) == []


def test_a_dashboard_over_the_configmap_limit_fails_the_render() -> None:
    huge = {"huge": dashboard("huge", panels=12, padding=100_000)}  # ~1.2 MB minified
    with pytest.raises(ValueError, match=r"ConfigMap llm-guardian-prod-dashboard-huge would hold \d+ bytes"):
        render(make_spec(), K8S, dashboards=huge)


def test_dashboards_render_from_whatever_the_grafana_target_wrote() -> None:
    """Only grafana/dashboards/*.json become ConfigMaps; other grafana files are not dashboards."""
    plain_extra = {"ops_view": dashboard("ops"), "nested/x": dashboard("x")}
    plain, files = render(make_spec(), K8S, dashboards=plain_extra)
    names = {o["metadata"]["name"] for o in all_objects(files) if o["kind"] == "ConfigMap"}
    assert "llm-guardian-prod-dashboard-ops-view" in names  # `_` is not allowed in object names
    assert not any(n.endswith("-x") for n in names)
    rendered = [PurePosixPath(p) for p in plain if p.endswith(".json")]
    stems = [p.stem for p in rendered if p.parent == PurePosixPath("grafana/dashboards")]
    assert names == {object_name("llm-guardian-prod", "dashboard", stem) for stem in stems}


def test_alertmanager_secret_holds_config_and_templates_where_the_operator_mounts_them() -> None:
    plain, files = render(make_spec(), K8S)
    (secret,) = objects(files)[kubernetes.ALERTMANAGER_FILE]
    assert secret["metadata"]["name"] == "alertmanager-llm-guardian-prod"
    assert secret["type"] == "Opaque"
    data = secret["stringData"]
    config = yaml_documents(data["alertmanager.yaml"])[0]
    assert config["templates"] == ["/etc/alertmanager/config/*.tmpl"]
    # Everything but the template glob is the plain configuration.
    plain_config = yaml_documents(plain["alertmanager/alertmanager.yml"])[0]
    assert {k: v for k, v in config.items() if k != "templates"} == {
        k: v for k, v in plain_config.items() if k != "templates"
    }
    templates = {PurePosixPath(p).name: t for p, t in plain.items() if p.startswith("alertmanager/templates/")}
    assert templates and {k: v for k, v in data.items() if k != "alertmanager.yaml"} == {
        k: t if t.endswith("\n") else t + "\n" for k, t in templates.items()
    }
    # The routing table is a test artefact, not configuration.
    assert "routing-table.yml" not in data


def test_alertmanager_secret_name_is_configurable() -> None:
    spec = make_spec({"kubernetes": {"alertmanager_secret_name": "alertmanager-main"}})
    _, files = render(spec, K8S)
    (secret,) = objects(files)[kubernetes.ALERTMANAGER_FILE]
    assert secret["metadata"]["name"] == "alertmanager-main"


def test_secret_configuration_passes_amtool(tmp_path: Path) -> None:
    _, files = render(make_spec(), K8S)
    (secret,) = objects(files)[kubernetes.ALERTMANAGER_FILE]
    config = tmp_path / "alertmanager.yaml"
    config.write_text(secret["stringData"]["alertmanager.yaml"], encoding="utf-8")
    proc = subprocess.run(["amtool", "check-config", str(config)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_kustomization_lists_every_object_file(rules: RulesPlan) -> None:
    _, files = render(make_spec(), K8S, rules, {"a": dashboard("a")})
    (kustomization,) = yaml_documents(files[kubernetes.KUSTOMIZATION])
    listed = {f"kubernetes/{r}" for r in kustomization["resources"]}
    assert listed == set(files) - {kubernetes.KUSTOMIZATION}


def test_object_names_are_dns_subdomains() -> None:
    assert object_name("llm_guardian", "slo_rules") == "llm-guardian-slo-rules"
    assert object_name("a", "Dashboard", "GPU__Fleet") == "a-dashboard-gpu-fleet"
    with pytest.raises(ValueError):
        object_name("", "_")


def test_underscored_cluster_names_still_give_valid_objects(rules: RulesPlan) -> None:
    spec = make_spec(metadata={**make_spec().metadata.model_dump(), "name": "llm_guardian_eu"})
    _, files = render(spec, K8S, rules, {"a": dashboard("a")})
    for obj in all_objects(files):
        assert problems(obj) == []
        assert obj["metadata"]["name"].startswith(("llm-guardian-eu-", "alertmanager-llm-guardian-eu"))
