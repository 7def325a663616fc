"""promtool unit tests for a domain's rules, generated from the fixtures its definitions carry.

One test file per domain (scenarios spanning days go to a second, ``<domain>-daily``, evaluated
less often; see :func:`build`). Its first test group feeds the recording fixture and checks every
recorded series with ``promql_expr_test`` (exact values: promtool 2.x compares floats exactly).
Then each alert scenario is a group of its own: the input series, evaluated once the expression's
windows are full and ``for:`` has passed, and the alert's exact labels and annotations, or no
alert at all. Expected descriptions are rendered by :mod:`guardiangen.plan.rules.humanize` from
the exact value the inputs produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from guardiangen.plan.model import (
    LABEL_COMPONENT,
    LABEL_SEVERITY,
    LABEL_TEAM,
    AlertRuleTest,
    ExpectedAlert,
    ExpectedSample,
    Labels,
    PromqlExprTest,
    Rule,
    UnitTestCase,
    UnitTestFile,
)
from guardiangen.plan.rules.core import AlertDef, Domain, RecordsFixture, Scenario, minutes_of, sorted_labels
from guardiangen.plan.rules.humanize import AmbiguousValue, expand
from guardiangen.plan.rules.inputs import STEP, selector
from guardiangen.promql.text import format_number
from guardiangen.spec.types import format_duration_ms, parse_duration_ms

SLACK_MINUTES = 3  # evaluate a little after `for:` has passed, not on its edge
LONG_MINUTES = 6 * 60
LONG_INTERVAL = "5m"


def _at(minutes: int) -> str:
    return format_duration_ms(minutes * 60_000)


def build(
    domain: Domain,
    alerts: Sequence[tuple[AlertDef, Rule]],
    *,
    evaluation_interval: str,
    rule_files: tuple[str, ...],
    order: tuple[str, ...] = (),
    stamp: Labels = (),
) -> tuple[UnitTestFile, ...]:
    """The test files of ``domain``: its recording fixture and every alert scenario, plus a second
    file ``<domain>-daily`` for scenarios spanning more than :data:`LONG_MINUTES` (comparisons with
    yesterday). That file is evaluated every :data:`LONG_INTERVAL`: promtool evaluates every rule
    at every step, and a day at 30-second steps takes it ten seconds per scenario. ``order``: the
    groups of ``rule_files`` in evaluation order, for chunks reading the domain group's records.
    ``stamp``: the cluster label on every rule (:mod:`guardiangen.plan.stamp`)."""
    cases: list[UnitTestCase] = []
    long_cases: list[UnitTestCase] = []
    if domain.fixture is not None and domain.fixture.expected:
        cases.append(records_case(domain.name, domain.fixture, stamp))
    for definition, rule in alerts:
        target = long_cases if eval_minutes(definition, rule) > LONG_MINUTES else cases
        target += [alert_case(definition, rule, s) for s in definition.scenarios]
    files = [UnitTestFile(domain.name, rule_files, evaluation_interval, tuple(cases), order)] if cases else []
    if long_cases:
        slower = max(evaluation_interval, LONG_INTERVAL, key=parse_duration_ms)
        files.append(UnitTestFile(f"{domain.name}-daily", rule_files, slower, tuple(long_cases), order))
    return tuple(files)


def records_case(name: str, fixture: RecordsFixture, stamp: Labels = ()) -> UnitTestCase:
    """Every recorded series of the domain, compared exactly once the windows are full; a recorded
    series also carries the static labels of its rule (``stamp``)."""
    minutes = fixture.lookback_minutes + SLACK_MINUTES
    by_record: dict[str, list[ExpectedSample]] = {}
    for e in fixture.expected:
        if Decimal(float(e.value)) != e.value:
            # promtool compares floats exactly: the expected text must be exactly the double.
            raise ValueError(f"{e.name}: expected value {e.value} is not exact in binary floating point")
        by_record.setdefault(e.name, []).append(
            ExpectedSample(selector(e.name, {**e.labels, **dict(stamp)}), format_number(e.value))
        )
    tests = tuple(
        PromqlExprTest(record, _at(minutes), tuple(sorted(samples, key=lambda s: s.labels)))
        for record, samples in by_record.items()
    )
    return UnitTestCase(f"{name}: recording rules", STEP, fixture.inputs(minutes), promql_expr_tests=tests)


def eval_minutes(definition: AlertDef, rule: Rule) -> int:
    """When a scenario is judged: after the expression's windows fill and ``for:`` passes."""
    return definition.lookback_minutes + minutes_of(rule.for_) + SLACK_MINUTES


def identity(definition: AlertDef) -> str:
    """The labels that tell this rule from others of the same name, e.g. ``specialist=code``."""
    parts = [f"{k}={v}" for k, v in sorted(definition.labels.items()) if k not in (LABEL_TEAM, LABEL_COMPONENT)]
    return f" ({', '.join(parts)})" if parts else ""


def _annotations(rule: Rule, scenario: Scenario) -> dict[str, str]:
    series_labels = dict(scenario.result_labels)
    return {k: expand(v, scenario.value, series_labels, exact=scenario.exact) for k, v in rule.annotations}


def settled(rule: Rule, scenario: Scenario) -> Scenario:
    """``scenario``, or the same one moved up to 0.9% further past the threshold when Prometheus
    could print its value two ways (see :class:`guardiangen.plan.rules.humanize.AmbiguousValue`)."""
    try:
        _annotations(rule, scenario)
        return scenario
    except AmbiguousValue:
        if scenario.make is None or scenario.value is None:
            raise
        base = scenario.value
        for step in range(1, 10):
            value = base * (1 + scenario.direction * Decimal(step) / 1000)
            candidate = replace(scenario, inputs=scenario.make(value), value=value)
            try:
                _annotations(rule, candidate)
                return candidate
            except AmbiguousValue:
                continue
        raise


def alert_case(definition: AlertDef, rule: Rule, scenario: Scenario) -> UnitTestCase:
    """One scenario: inputs, and the alert's exact labels and annotations (or silence)."""
    assert rule.alert is not None
    minutes = eval_minutes(definition, rule)
    expected: tuple[ExpectedAlert, ...] = ()
    if scenario.fires:
        scenario = settled(rule, scenario)
        labels = {**dict(scenario.result_labels), **dict(rule.labels)}  # rule labels win, as in Prometheus
        expected = (ExpectedAlert(sorted_labels(labels), sorted_labels(_annotations(rule, scenario))),)
    test = AlertRuleTest(_at(minutes), rule.alert, expected)
    severity = dict(rule.labels).get(LABEL_SEVERITY, "")
    name = f"{rule.alert}{identity(definition)} [{severity}]: {scenario.name}"
    return UnitTestCase(name, STEP, definition.inputs(scenario, minutes), alert_rule_tests=(test,))
