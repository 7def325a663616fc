"""dcgm-exporter's host label follows its version (`Hostname` up to 4.8.2, `hostname` after); `host_label` wins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guardiangen import pipeline
from guardiangen.catalog.builtin import dcgm_host_label
from tests.conftest import render_files
from tests.prometheus.helpers import reference_data, spec_of, validate_data


def _gpu(tmp_path: Path, **settings: Any) -> dict[str, Any]:
    data = reference_data()
    del data["gpu_inventory"]["host_label"]
    data["gpu_inventory"].update(settings)
    return data


@pytest.mark.parametrize(
    ("settings", "label"),
    [
        ({}, "Hostname"),  # no version: the label every tagged release up to 4.8.2 has
        ({"exporter_version": "4.5.3-4.8.2"}, "Hostname"),  # the last tag before NVIDIA/dcgm-exporter#655
        ({"exporter_version": "4.8.2"}, "Hostname"),
        ({"exporter_version": "4.5.4-4.8.3"}, "hostname"),
        ({"exporter_version": "5.0.0"}, "hostname"),
        ({"exporter_version": "4.5.4-4.8.3", "host_label": "node"}, "node"),  # an explicit label wins
    ],
)
def test_the_rendered_gpu_rules_and_dashboard_use_the_label_of_that_release(
    tmp_path: Path, settings: dict[str, Any], label: str
) -> None:
    spec = spec_of(_gpu(tmp_path, **settings), tmp_path)
    plan = pipeline.plan(spec)
    assert plan.catalog.gpu.host_label == label
    assert label in plan.catalog.get("DCGM_FI_DEV_GPU_UTIL").labels
    files = render_files(spec, plan=plan)
    rules, dashboard = files["prometheus/rules/gpu.yml"].decode(), files["grafana/dashboards/gpu.json"].decode()
    assert f"avg by ({label})" in rules
    assert f'"{label}"' in dashboard or f"{{{{{label}}}}}" in dashboard
    for other in {"Hostname", "hostname"} - {label}:
        assert f"by ({other})" not in rules


def test_a_version_that_is_no_dcgm_exporter_release_is_a_positioned_error(tmp_path: Path) -> None:
    result = validate_data(_gpu(tmp_path, exporter_version="latest"), tmp_path)
    assert result.spec is None
    [d] = [d for d in result.diagnostics if "exporter_version" in d.message]
    assert d.code == "GG106" and d.line > 0
    assert "is not a dcgm-exporter release" in d.message and "4.5.3-4.8.2" in d.message


def test_the_raw_data_checks_settle_the_label_as_the_model_does() -> None:
    # the spec checks read raw data before the model exists: the same function decides for both
    assert dcgm_host_label(None, None) == "Hostname"
    assert dcgm_host_label(None, "not-a-version") == "Hostname"
    assert dcgm_host_label(None, "4.4.1-4.6.0") == "Hostname"
    assert dcgm_host_label(None, "4.9.0") == "hostname"
    assert dcgm_host_label("Hostname", "4.9.0") == "Hostname"
