"""The multi-cluster label: ``output.cluster_label`` stamped onto every rule of the plan.

It is content, not envelope: applied to the plan before any target renders, so the plain rule files,
their promtool tests and every profile carry it alike.
"""

from __future__ import annotations

import re
from dataclasses import replace

from guardiangen.plan.model import (
    ExpectedSample,
    Labels,
    Plan,
    PromqlExprTest,
    RuleGroup,
    UnitTestCase,
    UnitTestFile,
)
from guardiangen.spec.models import ClusterSpec

_SERIES_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$", re.S)


def stamp_cluster_label(plan: Plan, spec: ClusterSpec) -> Plan:
    """``plan`` with ``<cluster_label>: <metadata.name>`` on every rule; unchanged when the label is unset."""
    label = spec.output.cluster_label
    if label is None:
        return plan
    value = spec.metadata.name
    groups = tuple(_stamp_group(g, label, value) for g in plan.rules.groups)
    recorded = frozenset(r.record for g in plan.rules.groups for r in g.rules if r.record)
    tests = tuple(_stamp_test_file(t, label, value, recorded) for t in plan.rules.tests)
    return replace(plan, rules=replace(plan.rules, groups=groups, tests=tests))


def _with_label(labels: Labels, label: str, value: str, where: str) -> Labels:
    current = dict(labels)
    if current.get(label, value) != value:
        raise ValueError(f'{where} already sets {label}="{current[label]}"; cluster_label would set "{value}"')
    current[label] = value
    return tuple(sorted(current.items()))


def _stamp_group(group: RuleGroup, label: str, value: str) -> RuleGroup:
    rules = tuple(replace(r, labels=_with_label(r.labels, label, value, f"rule {r.name}")) for r in group.rules)
    return replace(group, rules=rules)


# ---- promtool tests: expectations follow the stamped rules ----


def _stamp_test_file(test: UnitTestFile, label: str, value: str, recorded: frozenset[str]) -> UnitTestFile:
    return replace(test, tests=tuple(_stamp_case(c, label, value, recorded) for c in test.tests))


def _stamp_case(case: UnitTestCase, label: str, value: str, recorded: frozenset[str]) -> UnitTestCase:
    # Every firing alert carries the rule's labels, so every expected alert gains the label.
    alerts = tuple(
        replace(
            t,
            exp_alerts=tuple(
                replace(a, labels=_with_label(a.labels, label, value, f"expected alert {t.alertname}"))
                for a in t.exp_alerts
            ),
        )
        for t in case.alert_rule_tests
    )
    exprs = tuple(_stamp_expr_test(t, label, value, recorded) for t in case.promql_expr_tests)
    return replace(case, alert_rule_tests=alerts, promql_expr_tests=exprs)


def _stamp_expr_test(test: PromqlExprTest, label: str, value: str, recorded: frozenset[str]) -> PromqlExprTest:
    """Samples of recorded series gain the label; other samples are left as they are.

    A sample that still names a recorded series is that series as stored, label included. A sample
    without a metric name came through a function or an aggregation, and whether the label survived
    depends on the expression; expectations of that kind must be written with the label in mind.
    """
    return replace(test, exp_samples=tuple(_stamp_sample(s, label, value, recorded) for s in test.exp_samples))


def _stamp_sample(sample: ExpectedSample, label: str, value: str, recorded: frozenset[str]) -> ExpectedSample:
    match = _SERIES_RE.match(sample.labels.strip())
    if match is None or match.group(1) not in recorded:
        return sample
    name, inner = match.group(1), (match.group(2) or "").strip().rstrip(",")
    if re.search(rf"(^|,)\s*{re.escape(label)}\s*=", inner):
        return sample
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    pair = f'{label}="{escaped}"'
    return replace(sample, labels=f"{name}{{{inner + ', ' if inner else ''}{pair}}}")
