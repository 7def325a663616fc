"""The routing table: the spec evaluator's expectations, confirmed row by row by `amtool config routes test`."""

from __future__ import annotations

from pathlib import Path

from guardiangen.plan.model import Rule, RuleGroup, RulesPlan, labels
from guardiangen.plan.routing import expected_receivers, route_tree, routing_table
from guardiangen.spec.models import ClusterSpec
from tests.alertmanager.helpers import E2E_SPEC, load_data, render_to, routes_test_all, spec_of
from tests.conftest import plan_of


def test_every_reference_row_routes_as_expected(reference_spec: ClusterSpec, reference_config: Path) -> None:
    table = load_data(reference_config.parent / "routing-table.yml")["rows"]
    rows = plan_of(reference_spec).alerting.routing_table
    assert [dict(r.labels) for r in rows] == [t["labels"] for t in table]
    assert [list(r.receivers) for r in rows] == [t["receivers"] for t in table]
    assert routes_test_all(reference_config, rows) == []


def test_reference_rows_cover_routes_owners_and_fallback(reference_spec: ClusterSpec) -> None:
    rows = routing_table(reference_spec, RulesPlan())
    sources = {s for r in rows for s in r.sources}
    assert {"route 1", "route 2", "route 3", "route 4", "no route matches"} <= sources
    assert {"specialist code critical", "guardian quality warning", "postgres info"} <= sources
    # 4 specialists + 4 guardians + postgres, x 3 severities; the 4 routes' own sets; the bare set.
    assert len(rows) == 9 * 3 + 4 + 1
    assert len({r.labels for r in rows}) == len(rows)
    by_source = {s: r for r in rows for s in r.sources}
    assert by_source["no route matches"].receivers == ("alerts-slack",)
    assert by_source["specialist medical critical"].receivers == ("health-ai-pager",)
    assert by_source["specialist code critical"].receivers == ("platform-pager", "oncall-email")
    assert by_source["guardian safety warning"].receivers == ("warnings-slack", "remediation-webhook")


def _alert(name: str, **kv: str) -> Rule:
    return Rule(expr="vector(1) > 0", alert=name, labels=labels(**kv))


def test_plan_alerts_add_rows_projected_to_routing_labels(reference_spec: ClusterSpec, tmp_path: Path) -> None:
    alerts = (
        _alert("LLMGuardianA", severity="critical", team="code-platform", component="specialist", specialist="code"),
        # Same routing labels as A: shares A's row.
        _alert("LLMGuardianB", severity="critical", team="code-platform", component="specialist", specialist="code"),
        _alert("LLMGuardianBurn", severity="critical", team="health-ai", slo="medical-quality", burn_tier="page"),
        _alert("LLMGuardianBurn", severity="warning", team="health-ai", slo="medical-quality", burn_tier="ticket"),
        # A templated value is unknown until evaluation, and a foreign label never decides routing.
        _alert("LLMGuardianGpu", severity="warning", component="gpu", specialist="{{ $labels.x }}", gpu_uuid="GPU-1"),
    )
    rows = routing_table(reference_spec, RulesPlan(groups=(RuleGroup(name="test", rules=alerts),)))
    by_source = {s: r for r in rows for s in r.sources}
    a, b = by_source["alert LLMGuardianA"], by_source["alert LLMGuardianB"]
    assert a is b and "specialist code critical" in a.sources
    page = dict(by_source["alert LLMGuardianBurn"].labels)
    assert page["cluster"] == "llm-guardian-prod"  # metadata.alert_labels are part of every alert
    gpu = dict(by_source["alert LLMGuardianGpu"].labels)
    assert "specialist" not in gpu and "gpu_uuid" not in gpu and gpu["component"] == "gpu"
    burn = [r for r in rows if "alert LLMGuardianBurn" in r.sources]
    assert [dict(r.labels)["burn_tier"] for r in burn] == ["page", "ticket"]
    assert [r.receivers for r in burn] == [("health-ai-pager",), ("warnings-slack", "remediation-webhook")]
    config = render_to(reference_spec, tmp_path / "out")
    assert routes_test_all(config, rows) == []


def test_evaluator_semantics(reference_spec: ClusterSpec) -> None:
    al = reference_spec.alerting
    assert expected_receivers(al, {}) == ("alerts-slack",)
    assert expected_receivers(al, {"severity": "page"}) == ("alerts-slack",)
    assert expected_receivers(al, {"severity": "critical", "team": "health-ai"}) == ("health-ai-pager",)
    assert expected_receivers(al, {"severity": "critical", "team": "x"}) == ("platform-pager", "oncall-email")
    assert expected_receivers(al, {"severity": "info"}) == ("warnings-slack",)


def test_e2e_spec_rows_include_continue_matching(tmp_path: Path) -> None:
    spec = spec_of(load_data(E2E_SPEC), tmp_path)
    al = spec.alerting
    assert expected_receivers(al, {"team": "safety-team"}) == ("audit",)
    assert expected_receivers(al, {"team": "safety-team", "severity": "critical"}) == ("audit", "pager", "oncall")
    assert expected_receivers(al, {"team": "ml-core", "severity": "critical"}) == ("core-pager",)
    rows = routing_table(spec, RulesPlan())
    config = render_to(spec, tmp_path / "out")
    assert routes_test_all(config, rows) == []


def test_duplicate_receivers_in_a_route_are_delivered_once(reference_spec: ClusterSpec) -> None:
    route = reference_spec.alerting.routes[1].model_copy(update={"receivers": ["platform-pager", "platform-pager"]})
    al = reference_spec.alerting.model_copy(update={"routes": [route]})
    assert [c.receiver for c in route_tree(al).routes] == ["platform-pager"]
    assert expected_receivers(al, {"severity": "critical"}) == ("platform-pager",)
