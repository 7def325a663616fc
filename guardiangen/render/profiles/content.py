"""The multi-cluster label: ``output.cluster_label`` stamped onto every rule of the plan.

It is content, not envelope: applied to the plan before any target renders, so the plain rule files,
their promtool tests and every profile carry it alike.
"""

from __future__ import annotations

import re
from dataclasses import replace

from guardiangen.catalog import Catalog
from guardiangen.plan.model import (
    ExpectedSample,
    Labels,
    Plan,
    PromqlExprTest,
    RuleGroup,
    UnitTestCase,
    UnitTestFile,
)
from guardiangen.promql.infer import Inference, parse
from guardiangen.spec.models import ClusterSpec

_SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{(.*)\})?$", re.S)


def stamp_cluster_label(plan: Plan, spec: ClusterSpec, catalog: Catalog) -> Plan:
    """``plan`` with ``<cluster_label>: <metadata.name>`` on every rule; unchanged when the label is unset."""
    label = spec.output.cluster_label
    if label is None:
        return plan
    value = spec.metadata.name
    groups = tuple(_stamp_group(g, label, value) for g in plan.rules.groups)
    carries = _Carries(catalog, groups, label)
    tests = tuple(_stamp_test_file(t, label, value, carries) for t in plan.rules.tests)
    fixtures = tuple(_stamp_group(g, label, value) for g in plan.rules.fixtures)
    return replace(plan, rules=replace(plan.rules, groups=groups, tests=tests, fixtures=fixtures))


class _Carries:
    """Whether the result of an expression still has the label, per the PromQL label inference.

    Recorded series carry it as a static rule label; raw series do not (a local Prometheus adds
    external labels only on the way out). Aggregations and ``on(...)`` matching may drop it.
    """

    def __init__(self, catalog: Catalog, groups: tuple[RuleGroup, ...], label: str) -> None:
        records: dict[str, str] = {}
        static: dict[str, frozenset[str]] = {}
        for rule in (r for g in groups for r in g.rules if r.record):
            assert rule.record is not None
            records.setdefault(rule.record, rule.expr)
            names = frozenset(name for name, _ in rule.labels)
            static[rule.record] = static[rule.record] & names if rule.record in static else names
        self.inference = Inference(catalog, records, static)
        self.recorded = frozenset(records)
        self.label = label
        self._names: dict[str, frozenset[str] | None] = {}

    def __call__(self, expr: str, sample: str) -> bool:
        if expr not in self._names:
            try:
                self._names[expr] = self.inference.labels(parse(expr))[0]
            except ValueError:
                self._names[expr] = None
        names = self._names[expr]
        if names is not None:
            return self.label in names
        # Unknown: a sample that still names a recorded series is that series as stored.
        match = _SAMPLE_RE.match(sample.strip())
        return match is not None and match.group(1) in self.recorded


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


def _stamp_test_file(test: UnitTestFile, label: str, value: str, carries: _Carries) -> UnitTestFile:
    return replace(test, tests=tuple(_stamp_case(c, label, value, carries) for c in test.tests))


def _stamp_case(case: UnitTestCase, label: str, value: str, carries: _Carries) -> UnitTestCase:
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
    exprs = tuple(_stamp_expr_test(t, label, value, carries) for t in case.promql_expr_tests)
    return replace(case, alert_rule_tests=alerts, promql_expr_tests=exprs)


def _stamp_expr_test(test: PromqlExprTest, label: str, value: str, carries: _Carries) -> PromqlExprTest:
    """Expected samples gain the label where the expression's result keeps it."""
    samples = tuple(_with_pair(s, label, value) if carries(test.expr, s.labels) else s for s in test.exp_samples)
    return replace(test, exp_samples=samples)


def _with_pair(sample: ExpectedSample, label: str, value: str) -> ExpectedSample:
    match = _SAMPLE_RE.match(sample.labels.strip())
    if match is None:
        raise ValueError(f"cannot add {label} to the expected sample {sample.labels!r}")
    name, inner = match.group(1) or "", (match.group(2) or "").strip().rstrip(",")
    if re.search(rf"(^|,)\s*{re.escape(label)}\s*=", inner):
        return sample
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    pair = f'{label}="{escaped}"'
    return replace(sample, labels=f"{name}{{{inner + ', ' if inner else ''}{pair}}}")
