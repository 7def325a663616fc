"""Spec checks that keep the generated alerts meaningful: override names, p95 thresholds, routes
that can match, SLO periods the burn-rate windows fit in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from guardiangen import pipeline
from guardiangen.diagnostics import CODES, Diagnostic
from guardiangen.spec.alert_names import GUARDIAN_ALERTS, SPECIALIST_ALERTS
from tests.prometheus.helpers import reference_data, validate_data


def problems(tmp_path: Path, change: Any) -> list[Diagnostic]:
    data = reference_data()
    change(data)
    result = validate_data(data, tmp_path)
    assert result.spec is None
    return result.diagnostics


def test_an_override_of_an_unknown_alert_is_a_positioned_error(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][2]["alert_overrides"] = [{"alert": "SpecialistQualityLo", "severity": "critical"}]
        d["guardians"][0]["alert_overrides"] = [{"alert": "SpecialistQualityLow"}]  # a specialist's alert

    found = problems(tmp_path, change)
    assert [d.code for d in found] == ["GG208", "GG208"]
    assert all(d.line > 0 for d in found)
    assert 'no alert "SpecialistQualityLo" is generated for a specialist (did you mean "SpecialistQualityLow"?)' in (
        found[0].message
    )
    assert "GG208" in CODES


def test_an_alert_overridden_twice_is_an_error(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][0]["alert_overrides"] = [{"alert": "SpecialistTimeoutsHigh"}] * 2

    assert [(d.code, d.message) for d in problems(tmp_path, change)] == [
        ("GG201", 'alert "SpecialistTimeoutsHigh" is overridden twice')
    ]


def test_every_overridable_name_is_accepted(tmp_path: Path) -> None:
    data = reference_data()
    data["specialists"][0]["alert_overrides"] = [{"alert": name} for name in SPECIALIST_ALERTS]
    data["guardians"][0]["alert_overrides"] = [{"alert": name} for name in GUARDIAN_ALERTS]
    result = validate_data(data, tmp_path)
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]


def test_p95_thresholds_the_histogram_cannot_judge(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][1]["thresholds"]["latency_p95_max_seconds"] = 90  # top bucket: 60
        d["guardians"][0]["thresholds"]["evaluation_latency_p95_max_seconds"] = 0.005  # first bucket: 0.01

    found = problems(tmp_path, change)
    assert [d.code for d in found] == ["GG206", "GG206"]
    assert "could never fire" in found[0].message and "0.1 to 60 seconds" in found[0].message
    assert "would fire on any traffic" in found[1].message


# ---- routes that can never match a generated alert (GG213 errors, GG214 warnings)


def _with_routes(*labels: dict[str, str]) -> dict[str, Any]:
    data = reference_data()
    receiver = data["alerting"]["default_receiver"]
    data["alerting"]["routes"] = [{"match_labels": m, "receivers": [receiver]} for m in labels]
    return data


def test_a_route_value_no_generated_alert_carries_is_an_error(tmp_path: Path) -> None:
    data = _with_routes(
        {"severity": "warn"},
        {"team": "health", "component": "gpus"},
        {"specialist": "cod", "slo": "code-latncy", "burn_tier": "pager"},
        {"cluster": "other"},  # metadata.alert_labels says llm-guardian-prod
    )
    found = problems(tmp_path, lambda d: d.update(data))
    assert [d.code for d in found] == ["GG213"] * 7
    assert all(d.severity.value == "error" and d.line > 0 for d in found)
    messages = [d.message for d in found]
    assert messages[0] == (
        'no generated alert carries severity="warn", so this route never matches one (did you mean "warning"?); '
        "severity is one of: critical, info, warning"
    )
    assert '(did you mean "health-ai"?)' in messages[1] and '(did you mean "gpu"?)' in messages[2]
    assert '(did you mean "code"?)' in messages[3] and '(did you mean "code-latency"?)' in messages[4]
    assert '(did you mean "page"?)' in messages[5]
    assert messages[6].endswith("cluster is one of: llm-guardian-prod")


def test_a_route_on_a_label_no_generated_alert_carries_is_a_warning(tmp_path: Path) -> None:
    data = _with_routes({"severty": "critical"}, {"source": "blackbox"}, {"specialist_type": "code", "job": "x"})
    result = validate_data(data, tmp_path)
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("GG214", "warning")] * 2
    first, second = result.diagnostics
    assert first.message == (
        'no generated alert carries a label "severty" (did you mean "severity"?); '
        "only alerts from elsewhere can take this route"
    )
    text = (tmp_path / "cluster.yaml").read_text(encoding="utf-8").splitlines()
    assert text[first.line - 1][first.col - 1 :].startswith('"severty"')  # at the label name
    assert '"source"' in second.message


def test_labels_of_an_empty_kind_are_warnings(tmp_path: Path) -> None:
    data = _with_routes({"guardian": "safety"})
    del data["guardians"]
    result = validate_data(data, tmp_path)
    assert result.spec is not None
    assert [d.message for d in result.diagnostics] == [
        'no generated alert carries a label "guardian" (the spec has no guardians); '
        "only alerts from elsewhere can take this route"
    ]


def test_the_reference_plan_stays_inside_what_validation_assumes(tmp_path: Path) -> None:
    """Rule labels the checks know of (so the cluster label never clashes at plan time), and alert
    label values the route checks allow (so they never refuse a route that could match)."""
    from tests.fuzz.harness import label_problems
    from tests.prometheus.helpers import plan_of, spec_of

    data = reference_data()
    data.setdefault("output", {})["cluster_label"] = "tenant"
    spec = spec_of(data, tmp_path)
    plan = plan_of(spec)
    assert label_problems(spec, plan) == []
    routed = {name for rule in plan.rules.alerts() for name, _ in rule.labels}
    assert {"severity", "team", "component", "specialist", "guardian", "slo", "burn_tier", "tenant"} <= routed


# ---- SLO periods


def test_an_slo_period_shorter_than_the_longest_window_is_refused_where_it_is_written(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][0]["slos"]["availability"]["period"] = "1d"
        d["guardians"][0]["slos"]["coverage"]["period"] = "2d23h"

    found = problems(tmp_path, change)
    assert [(d.code, d.line > 0) for d in found] == [("GG105", True)] * 2
    assert found[0].message == (
        "specialists[0].slos.availability.period: 1d is shorter than the ticket tier's longest burn-rate window "
        "(3d); an SLO period must be at least 3d"
    )
    assert found[1].message.startswith("guardians[0].slos.coverage.period: 2d23h is shorter")


def test_the_plan_keeps_its_period_guard_and_the_same_bound() -> None:
    import pytest

    from guardiangen.plan.slo import burnrate, rules
    from guardiangen.plan.slo.sli import collect
    from guardiangen.spec.catalog import catalog_for
    from guardiangen.spec.models import MIN_SLO_PERIOD, Duration
    from tests.conftest import REFERENCE_SPEC

    assert MIN_SLO_PERIOD.ms == burnrate.MIN_PERIOD
    spec = pipeline.validate(str(REFERENCE_SPEC)).spec
    assert spec is not None
    d = collect(spec, catalog_for(spec))[0]
    short = d.common.model_copy(update={"period": Duration("2d")})  # past validation, as a bug would
    with pytest.raises(rules.SloPlanError, match="shorter than the ticket tier's longest window"):
        rules.build(spec, replace(d, common=short))


# ---- GPU placements (GG211 warnings)


def test_a_fleet_cloned_with_its_placements_validates_with_a_warning_per_node(tmp_path: Path) -> None:
    """Cloning the reference's specialists keeps their gpu_placement: the nodes are overbooked,
    which says nothing about the output, so the spec stays valid and the warning says what to change."""
    import copy

    data = reference_data()
    template = data["specialists"]
    clones = []
    for i in range(200):
        s = copy.deepcopy(template[i % len(template)])
        s["name"] = f"{s['name']}-{i:05d}"
        if "metric_label_value" in s:
            s["metric_label_value"] = f"{s['metric_label_value']}-{i:05d}"
        clones.append(s)
    data["specialists"] = clones
    for g in data["guardians"]:
        g["watches"] = [s["name"] for s in clones]
    result = validate_data(data, tmp_path)
    assert result.spec is not None, [d.format_text() for d in result.diagnostics if d.severity.value == "error"]
    nodes = {n["name"] for n in data["gpu_inventory"]["nodes"]}
    placed = {n for s in clones for n in s.get("gpu_placement", {}).get("nodes", [])}
    # One warning per overbooked node, and one per engine whose clones all read the same series.
    engines = {(s["engine"]["name"], s["engine"].get("job")) for s in clones if "engine" in s}
    assert engines and len(engines) == 2
    codes = sorted(d.code for d in result.diagnostics)
    assert placed and codes == ["GG211"] * len(placed & nodes) + ["GG217"] * len(engines)
    shared = next(d for d in result.diagnostics if d.code == "GG217")
    assert shared.severity.value == "warning" and " more select the same " in shared.message
    (first, *_) = (d for d in result.diagnostics if d.code == "GG211")
    assert first.severity.value == "warning"
    assert "specialists puts" in first.message and "and " in first.message and "more);" in first.message
    assert "take " in first.message and " out of the gpu_placement.nodes of enough of them to place " in first.message


# ---- the catalog of the spec's own metrics


def test_a_catalog_refusal_the_checks_miss_is_still_a_positioned_finding(tmp_path: Path, monkeypatch: Any) -> None:
    """The checks report what the catalog refuses where it is written; should one slip past them,
    validation still refuses the spec at `metrics` instead of the plan crashing on it."""
    from guardiangen.spec import checks

    data = reference_data()
    data["metrics"] = [{"name": "specialist_request_duration_seconds_sum", "type": "gauge"}]
    caught = problems(tmp_path, lambda d: d.update(data))
    assert [d.code for d in caught] == ["GG201"]
    monkeypatch.setattr(checks, "_metric_collisions", lambda data: iter(()))
    (guard,) = problems(tmp_path, lambda d: d.update(data))
    assert guard.code == "GG206" and guard.line > 0
    assert guard.message.startswith('the metric catalog refuses: series "specialist_request_duration_seconds_sum"')
