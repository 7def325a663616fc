"""Spec variants through the real promtool: the other GPU exporter, a longer rate window (other
recording values, other exactness), no postgres, guardians watching one specialist, overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guardiangen.plan import rules
from guardiangen.spec.catalog import catalog_for
from tests.prometheus.helpers import failures, reference_data, render, run_all, spec_of


def nvidia_smi_slow_scrape(d: dict[str, Any]) -> None:
    d["defaults"]["scrape_interval"] = "2m"  # rate window 10m
    d["defaults"]["rule_evaluation_interval"] = "1m"
    d["defaults"]["alert_name_prefix"] = "Acme"
    d["gpu_inventory"]["exporter"] = "nvidia_smi"
    for node in d["gpu_inventory"]["nodes"]:
        node["hostname"] = f"{node['name']}:9835"  # nvidia_gpu_exporter's host is `instance`
    d.pop("postgres")
    d["guardians"] = [d["guardians"][2]]  # medical-safety watches medical only
    d["specialists"][0]["alert_overrides"] = [
        {"alert": "SpecialistLatencyP95High", "for_duration": "1h", "severity": "critical"},
        {"alert": "SpecialistErrorRatioHigh", "enabled": False},
    ]
    d["specialists"][1]["thresholds"].update(latency_p95_max_seconds=60, tokens_per_second_min=0.5)
    d["metadata"]["alert_labels"] = {"region": "eu-1"}


def one_specialist_no_guardians(d: dict[str, Any]) -> None:
    d["specialists"] = [d["specialists"][3]]  # legal: metric_label_value legal-research
    d["guardians"] = []
    d["gpu_inventory"]["nodes"] = [d["gpu_inventory"]["nodes"][2]]
    d["gpu_inventory"]["nodes"][0]["gpu_count"] = 2
    d["specialists"][0]["gpu_placement"] = {"nodes": ["gpu-h100-01"], "gpus_per_node": 2}
    d["specialists"][0]["thresholds"] = {"error_ratio_max_percent": 0, "timeout_ratio_max_percent": 100}
    d["alerting"]["routes"] = []


@pytest.mark.parametrize("change", [nvidia_smi_slow_scrape, one_specialist_no_guardians])
def test_variant_passes_promtool(tmp_path: Path, change: Any) -> None:
    data = reference_data()
    change(data)
    spec = spec_of(data, tmp_path)
    tree = render(spec, tmp_path / "out")
    ours = {d.name for d in rules.domains(spec, catalog_for(spec))}
    files = [f for f in tree.rule_files if f.stem in ours]
    tests = [f for f in tree.test_files if f.stem.removesuffix("-daily") in ours]
    assert files and tests
    results = run_all(
        [
            *(("check", "rules", "--lint=all", "--lint-fatal", str(f)) for f in files),
            *(("test", "rules", str(f)) for f in tests),
        ]
    )
    assert not failures(results), failures(results)


@pytest.mark.parametrize("wait", ["1m", "5m", "7m"])
def test_xid_alert_with_a_for_override_fires_on_one_error(tmp_path: Path, wait: str) -> None:
    """The DCGM XID gauge holds the last code: one new error is seen for 10 minutes. The generated
    "fires" case must be judged while it is still seen and after `for:` (the valid-spec fuzzer found
    a 5m override failing), up to the longest for_duration validation accepts."""
    data = reference_data()
    data["gpu_inventory"]["alert_overrides"] = [{"alert": "GpuXidErrors", "for_duration": wait}]
    tree = render(spec_of(data, tmp_path), tmp_path / "out")
    (gpu_tests,) = [f for f in tree.test_files if f.stem == "gpu"]
    assert "GpuXidErrors" in gpu_tests.read_text(encoding="utf-8")
    results = run_all([("test", "rules", str(gpu_tests))])
    assert not failures(results), failures(results)
