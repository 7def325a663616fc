"""The component rules plan: thresholds from the spec, overrides, labels, annotations, names."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from guardiangen import promql as q
from guardiangen.catalog import Scale, Unit
from guardiangen.plan import rules
from guardiangen.plan.links import runbook_url
from guardiangen.plan.model import (
    LABEL_COMPONENT,
    LABEL_GUARDIAN,
    LABEL_SEVERITY,
    LABEL_SPECIALIST,
    LABEL_TEAM,
    Plan,
    Rule,
)
from guardiangen.plan.rules.core import around, rate_window, value_template
from guardiangen.promql.names import ALERT_NAME_MAX, RECORD_NAME_PATTERN, SEVERITIES
from guardiangen.spec.alert_names import ALERTS
from guardiangen.spec.catalog import catalog_for
from guardiangen.spec.models import ClusterSpec
from tests.prometheus.helpers import plan_of, reference_data, spec_of


def component_alerts(plan: Plan) -> list[Rule]:
    return [r for g in plan.rules.groups if g.file in DOMAINS for r in g.rules if r.is_alert]


DOMAINS = ("node", "gpu", "specialists", "guardians", "postgres")


def find(plan: Plan, name: str, **labels: str) -> list[Rule]:
    return [
        r
        for r in component_alerts(plan)
        if r.alert == name and all(dict(r.labels).get(k) == v for k, v in labels.items())
    ]


def one(plan: Plan, name: str, **labels: str) -> Rule:
    found = find(plan, name, **labels)
    assert len(found) == 1, (name, labels, found)
    return found[0]


def variant(tmp_path: Path, change: Any) -> ClusterSpec:
    data = reference_data()
    change(data)
    return spec_of(data, tmp_path)


# ---------------------------------------------------------------------------- thresholds


def test_thresholds_flow_from_the_spec(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][0]["thresholds"]["error_ratio_max_percent"] = 7.5
        d["guardians"][1]["thresholds"]["false_positive_rate_max"] = 0.03
        d["gpu_inventory"]["thresholds"]["temperature_margin_celsius"] = 8
        d["node_thresholds"]["disk_utilization_max_percent"] = 70

    plan = plan_of(variant(tmp_path, change))
    rule = one(plan, "LLMGuardianSpecialistErrorRatioHigh", specialist="code")
    assert rule.expr.endswith("> 0.075")
    assert "(threshold 7.5%)" in dict(rule.annotations)["description"]
    assert one(plan, "LLMGuardianGuardianFalsePositiveRateHigh", guardian="safety").expr.endswith("> 0.03")
    # a100: 85 - 8; h100: 87 - 8, each node against its own model
    assert one(plan, "LLMGuardianGpuTemperatureHigh", Hostname="gpu-a100-01").expr.endswith("> 77")
    assert one(plan, "LLMGuardianGpuTemperatureHigh", Hostname="gpu-h100-01.eu-west.internal").expr.endswith("> 79")
    assert one(plan, "LLMGuardianNodeDiskUtilizationHigh").expr.endswith("> 0.7")


def test_reference_thresholds(reference_plan: Plan) -> None:
    assert one(reference_plan, "LLMGuardianSpecialistLatencyP95High", specialist="math").expr.endswith("> 30")
    assert one(reference_plan, "LLMGuardianSpecialistQualityLow", specialist="medical").expr.endswith("< 0.85")
    assert one(reference_plan, "LLMGuardianSpecialistTimeoutsHigh", specialist="medical").expr.endswith("> 0.005")
    assert one(reference_plan, "LLMGuardianGuardianCoverageLow", guardian="safety").expr.endswith("< 0.99")
    drop = one(reference_plan, "LLMGuardianSpecialistThroughputDropped", specialist="legal")
    assert "offset 1d" in drop.expr and drop.expr.endswith("< 0.3")
    # At the histogram's top bound (5s) the p95 can only reach the bound: >= is what it can tell.
    assert one(reference_plan, "LLMGuardianGuardianEvaluationLatencyHigh", guardian="medical-safety").expr.endswith(
        ">= 5"
    )
    assert one(reference_plan, "LLMGuardianGuardianEvaluationLatencyHigh", guardian="quality").expr.endswith("> 2")


def test_optional_thresholds_make_optional_alerts(reference_plan: Plan) -> None:
    # math sets no tokens/s minimum and no throughput drop; legal no latency threshold
    assert not find(reference_plan, "LLMGuardianSpecialistTokensPerSecondLow", specialist="math")
    assert not find(reference_plan, "LLMGuardianSpecialistThroughputDropped", specialist="math")
    assert not find(reference_plan, "LLMGuardianSpecialistLatencyP95High", specialist="legal")
    assert len(find(reference_plan, "LLMGuardianSpecialistErrorRatioHigh")) == 4


def test_thresholds_that_can_never_fire_make_no_alert(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][0]["thresholds"]["error_ratio_max_percent"] = 100
        d["specialists"][0]["thresholds"]["throughput_drop_percent"] = 100

    plan = plan_of(variant(tmp_path, change))
    assert not find(plan, "LLMGuardianSpecialistErrorRatioHigh", specialist="code")
    assert not find(plan, "LLMGuardianSpecialistThroughputDropped", specialist="code")


def test_postgres_rules_only_with_a_postgres_block(tmp_path: Path, reference_plan: Plan) -> None:
    assert "postgres" in {g.file for g in reference_plan.rules.groups}
    plan = plan_of(variant(tmp_path, lambda d: d.pop("postgres")))
    assert "postgres" not in {g.file for g in plan.rules.groups}
    assert "postgres" not in {t.name for t in plan.rules.tests}
    assert not find(plan, "LLMGuardianPostgresConnectionsHigh")


# ------------------------------------------------------------------------------ overrides


def test_reference_overrides(reference_plan: Plan) -> None:
    medical = one(reference_plan, "LLMGuardianSpecialistQualityLow", specialist="medical")
    assert dict(medical.labels)[LABEL_SEVERITY] == "critical"
    assert dict(one(reference_plan, "LLMGuardianSpecialistQualityLow", specialist="code").labels)[LABEL_SEVERITY] == (
        "warning"
    )
    # The generated test expects the overridden severity too.
    expected = [
        e
        for t in reference_plan.rules.tests
        for c in t.tests
        for a in c.alert_rule_tests
        if a.alertname == "LLMGuardianSpecialistQualityLow"
        for e in a.exp_alerts
        if dict(e.labels)[LABEL_SPECIALIST] == "medical"
    ]
    assert expected and all(dict(e.labels)[LABEL_SEVERITY] == "critical" for e in expected)


def test_overrides_change_severity_and_for_and_disable(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][0]["alert_overrides"] = [
            {"alert": "SpecialistErrorRatioHigh", "enabled": False},
            {"alert": "SpecialistTimeoutsHigh", "severity": "info", "for_duration": "45m"},
        ]
        d["guardians"][0]["alert_overrides"] = [{"alert": "GuardianEvaluationsMissing", "severity": "warning"}]

    plan = plan_of(variant(tmp_path, change))
    assert not find(plan, "LLMGuardianSpecialistErrorRatioHigh", specialist="code")
    assert find(plan, "LLMGuardianSpecialistErrorRatioHigh", specialist="math")  # only code's is disabled
    timeouts = one(plan, "LLMGuardianSpecialistTimeoutsHigh", specialist="code")
    assert (dict(timeouts.labels)[LABEL_SEVERITY], timeouts.for_) == ("info", "45m")
    missing = find(plan, "LLMGuardianGuardianEvaluationsMissing", guardian="quality")
    assert len(missing) == 4 and {dict(r.labels)[LABEL_SEVERITY] for r in missing} == {"warning"}
    # Disabled alerts leave no test behind; a longer `for:` moves the test's evaluation past it.
    names = [c.name for t in plan.rules.tests for c in t.tests]
    assert not [n for n in names if n.startswith("LLMGuardianSpecialistErrorRatioHigh (specialist=code)")]
    evals = {
        a.eval_time
        for t in plan.rules.tests
        for c in t.tests
        if c.name.startswith("LLMGuardianSpecialistTimeoutsHigh (specialist=code)")
        for a in c.alert_rule_tests
    }
    assert evals == {"53m"}  # 5m window + 45m for + 3m


# ------------------------------------------------------------------- labels and annotations


def test_every_alert_carries_the_required_labels(reference_spec: ClusterSpec, reference_plan: Plan) -> None:
    teams = {s.name: s.team for s in reference_spec.specialists} | {g.name: g.team for g in reference_spec.guardians}
    for rule in component_alerts(reference_plan):
        labels = dict(rule.labels)
        assert labels[LABEL_SEVERITY] in SEVERITIES, rule.alert
        assert labels.items() >= reference_spec.metadata.alert_labels.items(), rule.alert
        component = labels[LABEL_COMPONENT]
        assert component in ("specialist", "guardian", "gpu", "node", "postgres")
        assert ALERTS[rule.alert.removeprefix("LLMGuardian")].owner == component
        owner = labels.get(LABEL_GUARDIAN) if component == "guardian" else labels.get(LABEL_SPECIALIST)
        if component in ("specialist", "guardian"):
            assert owner is not None and labels[LABEL_TEAM] == teams[owner], rule
        if component == "postgres":
            assert labels[LABEL_TEAM] == "platform"
        assert not any("{{" in v for v in labels.values()), rule  # labels are the alert's identity


def test_every_alert_carries_the_annotations(reference_spec: ClusterSpec, reference_plan: Plan) -> None:
    base = reference_spec.defaults.dashboard_base_url
    for rule in component_alerts(reference_plan):
        assert rule.alert is not None
        notes = dict(rule.annotations)
        assert set(notes) == {"summary", "description", "runbook_url", "dashboard_url"}
        assert re.fullmatch(r"[A-Z][^{}]*\.", notes["summary"]), notes["summary"]
        assert "{{" in notes["description"] and notes["description"].endswith("."), notes["description"]
        assert notes["runbook_url"] == runbook_url(reference_spec.defaults.runbook_url_pattern, rule.alert)
        assert notes["runbook_url"].endswith("/" + rule.alert.lower())
        assert notes["dashboard_url"].startswith(f"{base}/d/")


def test_per_owner_dashboard_links(reference_plan: Plan) -> None:
    legal = dict(one(reference_plan, "LLMGuardianSpecialistErrorRatioHigh", specialist="legal").annotations)
    assert legal["dashboard_url"].endswith("/d/llm-guardian-prod-specialist?var-specialist=legal-research")
    guardian = dict(one(reference_plan, "LLMGuardianGuardianAccuracyLow", guardian="medical-safety").annotations)
    assert guardian["dashboard_url"].endswith("/d/llm-guardian-prod-guardians?var-guardian=medical-safety")


def test_alert_names_are_camel_case_prefixed_and_unique_per_group(reference_plan: Plan) -> None:
    for group in reference_plan.rules.groups:
        if group.file not in DOMAINS:
            continue
        identities = [(r.name, r.labels) for r in group.rules]
        assert len(identities) == len(set(identities)), group.name  # promtool's duplicate-rules lint
        for rule in group.rules:
            if rule.is_alert:
                assert rule.alert is not None
                assert re.fullmatch(r"LLMGuardian[A-Z][A-Za-z0-9]*", rule.alert)
                assert len(rule.alert) <= ALERT_NAME_MAX
            else:
                assert re.fullmatch(RECORD_NAME_PATTERN, rule.name), rule.name


def test_specialist_alerts_use_the_metric_label_value(reference_plan: Plan) -> None:
    legal = one(reference_plan, "LLMGuardianSpecialistTimeoutsHigh", specialist="legal")
    assert '{specialist_type="legal-research"}' in legal.expr


def test_reference_overrides_name_existing_alerts(reference_spec: ClusterSpec) -> None:
    for owner in (*reference_spec.specialists, *reference_spec.guardians):
        for override in owner.alert_overrides:
            assert override.alert in ALERTS
    assert {"SpecialistQualityLow", "SpecialistTokensPerSecondLow"} <= set(ALERTS)


# ------------------------------------------------------------------------------- humanize


@pytest.mark.parametrize(
    ("meta", "template"),
    [
        (q.Meta(Scale.RATIO, Unit.RATIO), "{{ $value | humanizePercentage }}"),
        (q.Meta(Scale.PERCENT, Unit.PERCENT), '{{ printf "%.1f" $value }}%'),
        (q.Meta(Scale.ABSOLUTE, Unit.SECONDS), "{{ $value | humanizeDuration }}"),
        (q.Meta(Scale.ABSOLUTE, Unit.REQUESTS, per_second=True), "{{ $value | humanize }}/s"),
        (q.Meta(Scale.ABSOLUTE, Unit.SECONDS, per_second=True), "{{ $value | humanizePercentage }}"),
        (q.Meta(Scale.ABSOLUTE, Unit.SCORE), '{{ printf "%.3g" $value }}'),
        (q.Meta(Scale.ABSOLUTE, Unit.CELSIUS), "{{ $value | humanize }}"),
    ],
)
def test_value_template_per_scale(meta: q.Meta, template: str) -> None:
    assert value_template(meta) == template


@pytest.mark.parametrize(
    ("name", "labels", "function"),
    [
        ("LLMGuardianSpecialistErrorRatioHigh", {"specialist": "code"}, "$value | humanizePercentage"),
        ("LLMGuardianSpecialistLatencyP95High", {"specialist": "code"}, "$value | humanizeDuration"),
        ("LLMGuardianSpecialistQualityLow", {"specialist": "code"}, 'printf "%.3g" $value'),
        ("LLMGuardianSpecialistTokensPerSecondLow", {"specialist": "code"}, "$value | humanize "),
        ("LLMGuardianGpuUtilizationHigh", {}, "$value | humanizePercentage"),  # DCGM's 0-100 made a ratio
        ("LLMGuardianGpuTemperatureHigh", {"Hostname": "gpu-a100-01"}, "$value | humanize "),
        ("LLMGuardianGuardianEvaluationsMissing", {"guardian": "safety", "specialist": "code"}, "humanize }}/s"),
        ("LLMGuardianPostgresMeanQueryTimeHigh", {}, "$value | humanizeDuration"),
        ("LLMGuardianGpusMissing", {"Hostname": "gpu-a100-02"}, "$value | humanize "),
    ],
)
def test_descriptions_humanize_by_the_expression_scale(
    reference_plan: Plan, name: str, labels: dict[str, str], function: str
) -> None:
    assert function in dict(one(reference_plan, name, **labels).annotations)["description"]


# ------------------------------------------------------------------- windows and test values


@pytest.mark.parametrize(("scrape", "window"), [("15s", "5m"), ("1m", "5m"), ("90s", "10m"), ("4m", "20m")])
def test_rate_window_spans_four_scrapes(tmp_path: Path, scrape: str, window: str) -> None:
    spec = variant(tmp_path, lambda d: d["defaults"].update(scrape_interval=scrape))
    assert rate_window(spec) == window


@pytest.mark.parametrize(
    ("threshold", "op", "upper", "expected"),
    [
        ("0.05", ">", "1", ("0.055", "0.045")),
        ("0.95", ">", "1", ("0.975", "0.855")),  # 10% past would exceed 1
        ("1", ">", "1", None),  # a ratio above 1 cannot happen
        ("0", ">", "1", ("0.01", "0")),
        ("0.7", "<", "1", ("0.63", "0.77")),
        ("1", "<", "1", ("0.9", "1")),
        ("0", "<", None, None),
        ("20", "<", None, ("18", "22")),
    ],
)
def test_around(threshold: str, op: str, upper: str | None, expected: tuple[str, str] | None) -> None:
    got = around(Decimal(threshold), op, upper=None if upper is None else Decimal(upper))  # type: ignore[arg-type]
    assert got == (None if expected is None else tuple(Decimal(x) for x in expected))


def test_plan_is_deterministic(reference_spec: ClusterSpec, reference_plan: Plan) -> None:
    assert plan_of(reference_spec) == reference_plan


def test_domains_list_their_groups_in_order(reference_spec: ClusterSpec) -> None:
    names = [d.name for d in rules.domains(reference_spec, catalog_for(reference_spec))]
    assert names == ["node", "gpu", "specialists", "guardians", "postgres", "engines"]
