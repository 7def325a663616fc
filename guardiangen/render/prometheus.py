"""Prometheus rule files and promtool unit-test files, serialized from the rules plan."""

from __future__ import annotations

from typing import Any

from guardiangen.plan.model import Labels, PrometheusFeatures, Rule, RuleGroup, UnitTestFile
from guardiangen.render.context import RenderContext, Target
from guardiangen.render.yamlout import dump

RULES_DIR = "prometheus/rules"
TESTS_DIR = "prometheus/tests"


def render(ctx: RenderContext) -> dict[str, str]:
    features = ctx.plan.prometheus
    files: dict[str, str] = {}
    by_file: dict[str, list[RuleGroup]] = {}
    for group in ctx.plan.rules.groups:
        by_file.setdefault(group.file, []).append(group)
    for name, groups in sorted(by_file.items()):
        files[f"{RULES_DIR}/{name}.yml"] = dump({"groups": [group_dict(g, features) for g in groups]})
    for test in ctx.plan.rules.tests:
        files[f"{TESTS_DIR}/{test.name}.yml"] = covers_comment(test) + dump(test_dict(test))
    copies: dict[str, list[RuleGroup]] = {}
    for group in ctx.plan.rules.test_copies:
        copies.setdefault(group.file, []).append(group)
    for name, groups in sorted(copies.items()):
        files[f"{TEST_COPIES_DIR}/{name}.yml"] = TEST_COPY_NOTE + dump(
            {"groups": [group_dict(g, features) for g in groups]}
        )
    return files


TEST_COPIES_DIR = f"{TESTS_DIR}/rules"
TEST_COPY_NOTE = (
    "# A copy of groups of a rules file in ../../rules, for the promtool tests beside it to load\n"
    "# alone. Not for Prometheus: the same rules are deployed from ../../rules.\n"
)


def covers_comment(test: UnitTestFile) -> str:
    """A comment naming the rules a test stands for (same rules, other names; promtool refuses
    unknown keys, so it cannot be data)."""
    if not test.covers:
        return ""
    lines = [
        f"# These tests also stand for the {len(test.covers)} rule sets below: their rules are the rules",
        "# tested here with other owners' names in them (checked when rendering; see guardiangen.plan.shapes).",
        *(
            f"#   ../rules/{file}.yml" if name == file else f"#   ../rules/{file}.yml: {name}-*"
            for file, name in test.covers
        ),
    ]
    return "\n".join(lines) + "\n"


def group_dict(group: RuleGroup, features: PrometheusFeatures) -> dict[str, Any]:
    """One rule group in rule-file form, with only the fields the target version accepts."""
    out: dict[str, Any] = {"name": group.name}
    if group.interval:
        out["interval"] = group.interval
    if group.limit is not None and features.group_limit:
        out["limit"] = group.limit
    if group.labels and features.group_labels:
        out["labels"] = dict(group.labels)
    out["rules"] = [rule_dict(r, features) for r in group.rules]
    return out


def rule_dict(rule: Rule, features: PrometheusFeatures) -> dict[str, Any]:
    out: dict[str, Any] = {"alert": rule.alert} if rule.alert else {"record": rule.record}
    out["expr"] = rule.expr
    if rule.for_:
        out["for"] = rule.for_
    if rule.keep_firing_for and features.keep_firing_for:
        out["keep_firing_for"] = rule.keep_firing_for
    if rule.labels:
        out["labels"] = dict(rule.labels)
    if rule.annotations:
        out["annotations"] = dict(rule.annotations)
    return out


def _labels(pairs: Labels) -> dict[str, str]:
    return dict(pairs)


def test_dict(test: UnitTestFile) -> dict[str, Any]:
    """A promtool test file; rule file paths are relative to the test file."""
    cases = []
    for case in test.tests:
        c: dict[str, Any] = {"name": case.name, "interval": case.interval}
        if case.external_labels:
            c["external_labels"] = _labels(case.external_labels)
        c["input_series"] = [{"series": s.series, "values": s.values} for s in case.input_series]
        if case.alert_rule_tests:
            c["alert_rule_test"] = [
                {
                    "eval_time": t.eval_time,
                    "alertname": t.alertname,
                    "exp_alerts": [
                        {"exp_labels": _labels(a.labels), "exp_annotations": _labels(a.annotations)}
                        for a in t.exp_alerts
                    ],
                }
                for t in case.alert_rule_tests
            ]
        if case.promql_expr_tests:
            c["promql_expr_test"] = [
                {
                    "expr": t.expr,
                    "eval_time": t.eval_time,
                    # promtool reads `value` as a float64: a quoted string fails to unmarshal.
                    "exp_samples": [{"labels": s.labels, "value": float(s.value)} for s in t.exp_samples],
                }
                for t in case.promql_expr_tests
            ]
        cases.append(c)
    out: dict[str, Any] = {
        "rule_files": [f"{test.rules_dir}/{name}.yml" for name in test.rule_files],
        "evaluation_interval": test.evaluation_interval,
    }
    if test.group_eval_order:
        out["group_eval_order"] = list(test.group_eval_order)
    out["tests"] = cases
    return out


TARGET = Target("prometheus", "Prometheus recording/alert rules and promtool unit tests", render)
