"""Hypothesis strategy of specs near the edges of what validation accepts.

Each example is a valid spec from :mod:`.specgen` with a few settings pushed to where the plan or
the renderers have limits of their own: short SLO periods, extreme objectives and thresholds,
label names the generated rules already use, routes on labels and values no alert may carry,
long alert-name prefixes, names that collide across kinds, overbooked GPU nodes, odd evaluation
intervals. Some of these specs are valid and some are not; the property under test is that the
valid ones render (``test_render_what_validates.py``).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from guardiangen.catalog.labels import GUARDIAN_TYPE, PRIORITY, SPECIALIST_TYPE
from guardiangen.generated_labels import STATIC_LABELS
from tests.fuzz.specgen import Spec, valid_specs

PERIODS = ("1d", "2d23h", "3d", "3d1ms", "72h", "4w", "1y", "90d", "30m", "3d7h5m3s")
OBJECTIVES = (0.001, 33.333, 50, 66.6, 99.99, 99.999, 99.99999, 99.123456789)
# Label names to push into alert_labels, cluster_label, routes and the GPU host label: free ones,
# Prometheus' own, every one the generated rules set, and labels of catalog metrics.
LABEL_NAMES = (
    *("cluster", "region", "tenant", "__tenant", "__name__", "alertname"),
    *STATIC_LABELS,
    *("instance", "job", "le", "Hostname", "hostname", "modelName", "UUID", "gpu", "alertstate"),
    *(SPECIALIST_TYPE, GUARDIAN_TYPE, PRIORITY),
)
PREFIXES = ("A", "LLMGuardianProdEU01X", "Z" * 20, "Gg1")
INTERVALS = ("1s", "1m30s", "2m", "10m", "1h")
# Extra metrics whose names or series meet the built-in ones, or that subset a non-counter.
METRICS = (
    {"name": "specialist_request_duration_seconds_count", "type": "counter"},
    {"name": "specialist_requests", "type": "histogram", "buckets": [1]},
    {"name": "node_load1_bucket", "type": "gauge"},
    {"name": "up_total", "type": "counter", "subset_of": "up"},
    {"name": "errs_total", "type": "counter", "subset_of": "specialist_requests_total"},
    {"name": "guardian_evaluation_duration_seconds_sum", "type": "gauge"},
)
TEXT = ("A\ufffdB", 'say "hi" \\ {{ x }}', "ünïcødé ✓", "a: b", "x" * 200)


def _owners(spec: Spec) -> list[dict[str, Any]]:
    return [*spec["specialists"], *spec.get("guardians", [])]


def _slos(spec: Spec) -> list[dict[str, Any]]:
    out = [slo for s in spec["specialists"] for slo in s.get("slos", {}).values()]
    return out + [g["slos"]["coverage"] for g in spec.get("guardians", []) if "coverage" in g.get("slos", {})]


@st.composite
def specs_near_the_edges(draw: st.DrawFn) -> Spec:
    """A valid spec with a few settings pushed to an edge; it may or may not still validate."""
    spec: Spec = copy.deepcopy(draw(valid_specs(max_specialists=4)))
    edges = draw(st.sets(st.integers(0, 14), min_size=1, max_size=4))
    slos = _slos(spec)
    if 0 in edges and slos:
        draw(st.sampled_from(slos))["period"] = draw(st.sampled_from(PERIODS))
    if 1 in edges and slos:
        draw(st.sampled_from(slos))["objective_percent"] = draw(st.sampled_from(OBJECTIVES))
    if 2 in edges:
        spec.setdefault("output", {})["cluster_label"] = draw(st.sampled_from(LABEL_NAMES))
    if 3 in edges:
        labels = spec["metadata"].setdefault("alert_labels", {})
        labels[draw(st.sampled_from(LABEL_NAMES))] = draw(st.sampled_from(["x", spec["metadata"]["name"]]))
    if 4 in edges:
        spec["alerting"].setdefault("routes", []).append(
            {"match_labels": draw(_route_labels(spec)), "receivers": [spec["alerting"]["default_receiver"]]}
        )
    if 5 in edges:
        spec["defaults"]["alert_name_prefix"] = draw(st.sampled_from(PREFIXES))
    if 6 in edges:
        _collide(draw, spec)
    if 7 in edges:
        s = draw(st.sampled_from(spec["specialists"]))
        node = spec["gpu_inventory"]["nodes"][0]
        s["gpu_placement"] = {"nodes": [node["name"]], "gpus_per_node": draw(st.integers(1, 64))}
    if 8 in edges:
        s = draw(st.sampled_from(spec["specialists"]))
        s.setdefault("thresholds", {})["latency_p95_max_seconds"] = draw(st.sampled_from([0.05, 0.1, 60, 61, 1e-6]))
        if "latency" in s.get("slos", {}):
            s["slos"]["latency"]["threshold_seconds"] = draw(st.sampled_from([0.1, 0.25, 60, 61]))
    if 9 in edges:
        draw(st.sampled_from(spec["gpu_inventory"]["models"]))["product_name"] = draw(st.sampled_from(TEXT))
    if 10 in edges:
        spec["gpu_inventory"]["host_label"] = draw(st.sampled_from(LABEL_NAMES).filter(lambda n: n[0] != "_"))
    if 11 in edges:
        spec["defaults"]["rule_evaluation_interval"] = draw(st.sampled_from(INTERVALS))
        spec["defaults"]["scrape_interval"] = draw(st.sampled_from(INTERVALS))
    if 12 in edges:
        _extreme_thresholds(draw, spec)
    if 13 in edges:
        spec.setdefault("output", {})["profile"] = draw(st.sampled_from(["plain", "kubernetes", "thanos", "mimir"]))
    if 14 in edges:
        spec.setdefault("metrics", []).append(draw(st.sampled_from(METRICS)))
    return spec


@st.composite
def _route_labels(draw: st.DrawFn, spec: Spec) -> dict[str, str]:
    names = [o["name"] for o in _owners(spec)] + [o["team"] for o in _owners(spec)]
    slo_ids = [f"{s['name']}-{kind}" for s in spec["specialists"] for kind in s.get("slos", {})]
    values = [*names, *slo_ids, "critical", "warning", "warn", "page", "ticket", "gpu", "node", "postgres", "x"]
    keys = st.sampled_from(LABEL_NAMES).filter(lambda n: n[0] != "_")
    return draw(st.dictionaries(keys, st.sampled_from(values), min_size=1, max_size=3))


def _collide(draw: st.DrawFn, spec: Spec) -> None:
    """Names that meet: a guardian named like a specialist, SLO-id-like names, names that differ
    only in `_` against `-` (one Kubernetes object name), a metric label value with a dot."""
    first = spec["specialists"][0]
    choice = draw(st.integers(0, 3))
    if choice == 0 and spec.get("guardians"):
        spec["guardians"][0]["name"] = first["name"]
        for g in spec["guardians"][1:]:
            if g["name"] == first["name"]:
                g["name"] += "-g"
    elif choice == 1:
        spec["specialists"].append({**copy.deepcopy(first), "name": f"{first['name']}-latency"[:30]})
        spec["specialists"][-1].pop("metric_label_value", None)
        spec["specialists"][-1]["metric_label_value"] = f"v{len(spec['specialists'])}-{first['name']}"[:63]
    elif choice == 2:
        first["metric_label_value"] = first["name"] + ".v2"
    else:
        for n, sep in enumerate("_-"):
            twin = {**copy.deepcopy(first), "name": f"{first['name'][:27]}{sep}tw"}
            twin["metric_label_value"] = f"twin{n}-{first['name']}"[:63]
            twin["slos"] = {"availability": {"objective_percent": 99}}
            spec["specialists"].append(twin)


def _extreme_thresholds(draw: st.DrawFn, spec: Spec) -> None:
    spec["node_thresholds"] = {
        **spec.get("node_thresholds", {}),
        "cpu_utilization_max_percent": draw(st.sampled_from([0, 100, 99.999])),
        "disk_utilization_max_percent": draw(st.sampled_from([0, 100, 0.001])),
    }
    gpu = spec["gpu_inventory"]
    gpu["thresholds"] = {
        "utilization_high_percent": draw(st.sampled_from([0, 100])),
        "memory_used_high_percent": draw(st.sampled_from([0, 100])),
        "temperature_margin_celsius": 50,
    }
    for m in gpu["models"]:
        m["max_temperature_celsius"] = draw(st.sampled_from([40, 120]))
    s = draw(st.sampled_from(spec["specialists"]))
    s["thresholds"] = {
        **s.get("thresholds", {}),
        "error_ratio_max_percent": draw(st.sampled_from([0, 100, 0.0001])),
        "throughput_drop_percent": draw(st.sampled_from([0, 100])),
        "tokens_per_second_min": draw(st.sampled_from([1e-9, 1e9])),
        "quality_mean_min": draw(st.sampled_from([0, 1])),
    }
    if spec.get("guardians"):
        spec["guardians"][0]["thresholds"] = {
            "evaluation_latency_p95_max_seconds": draw(st.sampled_from([0.01, 5, 0.0100001])),
            "false_positive_rate_max": draw(st.sampled_from([0, 1])),
            "prediction_accuracy_min": draw(st.sampled_from([0, 1])),
            "evaluation_coverage_min_percent": draw(st.sampled_from([0, 100, 99.9999])),
        }
    if "postgres" in spec:
        spec["postgres"]["mean_query_time_max_seconds"] = draw(st.sampled_from([1e-9, 3600]))
        spec["postgres"]["connection_utilization_max_percent"] = draw(st.sampled_from([0, 100]))
