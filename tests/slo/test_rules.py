"""Shape of the generated SLO rules: identity labels, cheap windows, tiers, no-data, the SLO plan."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import promql_parser as pp
import pytest

from guardiangen.catalog import Catalog
from guardiangen.lint.rules import lint_rule_files
from guardiangen.plan import slo
from guardiangen.plan.model import LABEL_BURN_TIER, LABEL_SEVERITY, Rule, RuleGroup, SloPlan
from guardiangen.plan.slo import rules as slo_rules
from guardiangen.plan.slo.rules import SloPlanError, SloRules
from guardiangen.plan.slo.sli import collect
from guardiangen.spec.models import ClusterSpec
from guardiangen.spec.types import Duration, parse_duration_ms
from tests.slo.conftest import SloTree, render_slo_files

RECORDED_LABELS = {"slo", "window"}


def _groups(planned: dict[str, SloRules]) -> list[RuleGroup]:
    return [g for r in planned.values() for g in r.groups]


def _rules(planned: dict[str, SloRules]) -> list[Rule]:
    return [rule for g in _groups(planned) for rule in g.rules]


def _walk(node: object) -> list[object]:
    """Every node of a promql_parser AST."""
    out = [node]
    for attr in ("expr", "lhs", "rhs", "vector_selector", "param"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, (str, int, float)):
            out += _walk(child)
    for arg in getattr(node, "args", None) or ():
        out += _walk(arg)
    return out


def test_no_rule_scans_a_raw_counter_over_more_than_5m(planned: dict[str, SloRules]) -> None:
    ranges: Counter[str] = Counter()
    for rule in _rules(planned):
        for node in _walk(pp.parse(rule.expr)):
            assert not isinstance(node, pp.SubqueryExpr), rule.expr
            if isinstance(node, pp.MatrixSelector):
                name = node.vector_selector.name
                seconds = node.range.total_seconds()
                ranges[f"{'recorded' if ':' in name else 'raw'} {int(seconds)}s"] += 1
                if ":" not in name:
                    assert seconds <= 300, f"{rule.name} reads {name} over {seconds}s"
    assert ranges["raw 300s"] > 0 and ranges["recorded 2592000s"] > 0  # 5m raw rates, 30d from recorded


def test_recorded_series_carry_identity_only(planned: dict[str, SloRules]) -> None:
    """Metadata (team, objective, period ...) lives on the info series alone: editing it never
    splits an SLI series into two (Sloth #311)."""
    for rule in _rules(planned):
        if rule.record and rule.record != slo_rules.INFO:
            assert {k for k, _ in rule.labels} <= RECORDED_LABELS, rule
    info = [r for r in _rules(planned) if r.record == slo_rules.INFO]
    assert len(info) == len(planned)
    assert {k for k, _ in info[0].labels} >= {"slo", "team", "objective", "period", "error_budget", "slo_kind"}


def test_rule_identities_are_unique(planned: dict[str, SloRules]) -> None:
    """promtool's duplicate-rule lint keys on name and labels (Sloth #211): no two rules share both."""
    keys = Counter((r.name, r.labels) for r in _rules(planned))
    assert [k for k, n in keys.items() if n > 1] == []
    assert len({g.name for g in _groups(planned)}) == len(_groups(planned))


def test_groups_split_short_and_long_windows(planned: dict[str, SloRules], reference_spec: ClusterSpec) -> None:
    short, long = planned["code-availability"].groups
    assert (short.name, short.interval) == (
        "slo-code-availability-short",
        str(reference_spec.defaults.rule_evaluation_interval),
    )
    assert (long.name, long.interval) == ("slo-code-availability-long", "2m")
    windows = {dict(r.labels).get("window") for r in long.rules if r.record == slo_rules.BURN_RATE}
    assert windows == {"1d", "3d", "30d"}
    assert short.file == long.file == "slo-code-availability"


def test_tier_switches(planned: dict[str, SloRules]) -> None:
    def tiers(slo_id: str) -> list[str]:
        return [
            dict(r.labels)[LABEL_BURN_TIER]
            for g in planned[slo_id].groups
            for r in g.rules
            if r.alert and LABEL_BURN_TIER in dict(r.labels)
        ]

    assert tiers("code-availability") == ["page", "ticket"]
    assert tiers("medical-quality") == ["page"]  # burn_alerts: {page: true, ticket: false}


def test_burn_alert_labels_and_annotations(planned: dict[str, SloRules], reference_spec: ClusterSpec) -> None:
    r = planned["quality-coverage"]
    page, ticket = (dict(t.labels) for t in r.tiers)
    assert page == {
        "burn_tier": "page", "severity": "critical", "slo": "quality-coverage", "team": "guardian-ops",
        "component": "guardian", "guardian": "quality", **reference_spec.metadata.alert_labels,
    }  # fmt: skip
    assert (ticket[LABEL_SEVERITY], ticket[LABEL_BURN_TIER]) == ("warning", "ticket")
    notes = dict(r.tiers[0].annotations)
    assert "{{" not in notes["summary"] and "{{ $value | humanizePercentage }}" in notes["description"]
    assert notes["runbook_url"].endswith("/llmguardianerrorbudgetburn")
    assert notes["dashboard_url"].endswith("/d/llm-guardian-prod-slo")


def test_infeasible_pair_is_left_out(planned: dict[str, SloRules]) -> None:
    page = next(r for g in planned["code-quality"].groups for r in g.rules if r.alert and "page" in str(r.labels))
    assert "rate1h" not in page.expr and "rate6h" in page.expr  # 14.4 x 10 % > 100 %


def test_no_data_policies(planned: dict[str, SloRules]) -> None:
    assert planned["legal-availability"].absent is None  # no_data: ignore
    absent = planned["code-availability"].absent
    assert absent is not None and absent.for_ == "5m"
    assert absent.expr == 'absent(slo:all_events:rate5m{slo="code-availability"})'
    assert dict(absent.labels)[LABEL_SEVERITY] == "critical"


def test_ticket_only_no_data_waits_for_the_ticket_window(reference_spec: ClusterSpec, catalog: Catalog) -> None:
    d = next(d for d in collect(reference_spec, catalog) if d.id == "code-availability")
    common = d.common.model_copy(update={"burn_alerts": d.common.burn_alerts.model_copy(update={"page": False})})
    absent = slo_rules.build(reference_spec, replace(d, common=common)).absent
    assert absent is not None and absent.for_ == "2h" and dict(absent.labels)[LABEL_SEVERITY] == "warning"


def test_period_shorter_than_the_ticket_window_is_refused(reference_spec: ClusterSpec, catalog: Catalog) -> None:
    d = collect(reference_spec, catalog)[0]
    with pytest.raises(SloPlanError, match="shorter than"):
        slo_rules.build(reference_spec, replace(d, common=d.common.model_copy(update={"period": Duration("2d")})))


def test_thresholds_have_no_float_noise(planned: dict[str, SloRules]) -> None:
    for rule in _rules(planned):
        for number in re.findall(r"(?<![\w.])\d+\.\d+", rule.expr):
            assert len(number) <= 20 and "0000000" not in number and "9999999" not in number, (rule.name, number)


def test_slo_plan(reference_spec: ClusterSpec, catalog: Catalog) -> None:
    plans, rules = slo.build(reference_spec, catalog)
    assert [p.id for p in plans] == sorted(p.id for p in plans) and len(plans) == 11
    math = next(p for p in plans if p.id == "math-availability")
    assert math == SloPlan(
        id="math-availability", kind="availability", owner_kind="specialist", owner="math",
        spec_path="specialists[math].slos.availability", team="reasoning",
        objective="0.995", error_budget="0.005", period="28d", selector=(("slo", "math-availability"),),
        windows=math.windows, burn_rate="slo:error_budget:burn_rate",
        budget_remaining="slo:error_budget:remaining_ratio", info="slo:guardiangen:slo_info",
    )  # fmt: skip
    assert [(w.window, w.error_ratio) for w in math.windows][-3:] == [
        ("1d", "slo:error_ratio:rate1d"), ("3d", "slo:error_ratio:rate3d"), ("28d", "slo:error_ratio:rate28d"),
    ]  # fmt: skip
    recorded = {r.record for g in rules.groups for r in g.rules if r.record}
    for p in plans:
        assert {w.error_ratio for w in p.windows} | {p.burn_rate, p.budget_remaining, p.info} <= recorded
        assert parse_duration_ms(p.period) >= 3 * 86_400_000
    assert len(rules.tests) == 11 and slo.build(reference_spec, catalog) == (plans, rules)  # deterministic


def test_own_lint_finds_nothing(slo_tree: SloTree, catalog: Catalog) -> None:
    files = {str(p): p.read_text(encoding="utf-8") for p in slo_tree.rule_files}
    found = lint_rule_files(files, catalog)
    assert not found, "\n".join(d.format_text() for d in found)


def test_slo_files_alone_render_like_the_pipeline(
    reference_spec: ClusterSpec, slo_tree: SloTree, tmp_path: Path
) -> None:
    fast = render_slo_files(reference_spec, tmp_path / "out", full=False)
    assert [p.name for p in fast.rule_files + fast.test_files] == [
        p.name for p in slo_tree.rule_files + slo_tree.test_files
    ]
    for mine, theirs in zip(fast.rule_files + fast.test_files, slo_tree.rule_files + slo_tree.test_files, strict=True):
        assert mine.read_bytes() == theirs.read_bytes(), mine.name
