"""Threshold alerts of ``metric_alerts``: one alert per entry, on any catalog counter or gauge.

The expression aggregates the matching series (``sum``, ``avg``, ``max`` or ``min`` by the
entry's ``by`` labels) of a counter's per-second rate over the rules' rate window, or of a
gauge's value, and compares it with the threshold. The alerts carry ``team``, ``severity``,
``component="metric"`` and ``metadata.alert_labels``, so routes and inhibition treat them like the
built-in ones; their ``summary`` is the entry's ``description`` or a sentence made from the
condition. Each gets a firing and a silent promtool scenario, one series a tenth past and a tenth
inside its threshold (kept within what the metric can show: a rate is never negative, a ratio stays
within 0-1).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from guardiangen import promql as q
from guardiangen.catalog import Catalog, MetricDefinition, MetricType, Scale, Unit
from guardiangen.plan.cluster import cluster_of
from guardiangen.plan.links import dashboard_url
from guardiangen.plan.model import LABEL_COMPONENT, LABEL_TEAM
from guardiangen.plan.rules.core import (
    AlertDef,
    Domain,
    Owner,
    Scenario,
    SeriesFn,
    minutes_of,
    percent_text,
    rate_window,
    sorted_labels,
    value_template,
)
from guardiangen.plan.rules.inputs import counter, gauge
from guardiangen.promql.ops import Comparison
from guardiangen.spec.metric_checks import camel_name, value_range
from guardiangen.spec.models import ClusterSpec, MetricAlert

NAME = "metrics"
COMPONENT = "metric"
OPS: dict[str, Comparison] = {">": ">", ">=": ">=", "<": "<", "<=": "<="}
WORDS = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}
AGGREGATED = {"sum": "total", "avg": "average", "max": "highest", "min": "lowest"}


def build(spec: ClusterSpec, catalog: Catalog) -> Domain:
    w = rate_window(spec)
    url = dashboard_url(cluster_of(spec), "overview")
    return Domain(NAME, (), tuple(a for entry in spec.metric_alerts for a in _alert(entry, catalog, w, url)))


def scenario_values(op: str, t: Decimal, low: Decimal | None, high: Decimal | None) -> tuple[Decimal, Decimal]:
    """(a firing value, a silent value) a tenth of the threshold past and inside it, within [low, high].

    The spec checks refuse a threshold the metric cannot cross (``metric_checks.unreachable``), so
    both values exist: one strictly past a strict comparison's threshold, one strictly inside a
    non-strict one's."""
    step = abs(t) / 10 or Decimal(1)
    if low is not None and high is not None:
        step = min(step, (high - low) / 10)
    up, down = t + step, t - step
    if high is not None and up > high:
        up = (t + high) / 2 if t < high else t
    if low is not None and down < low:
        down = (t + low) / 2 if t > low else t
    return (up, down) if op in (">", ">=") else (down, up)


def _alert(a: MetricAlert, catalog: Catalog, w: str, url: str) -> list[AlertDef]:
    m = catalog.get(a.metric)
    matchers = tuple(q.eq(k, v) for k, v in sorted(a.matchers.items()))
    s = q.series(catalog, m, *matchers)
    rated = m.type is MetricType.COUNTER
    inner = q.rate(s, w) if rated else q.value(s)
    op = a.comparison.value
    expr = q.compare(OPS[op], q.aggregate(a.aggregation.value, inner, a.by), a.threshold)
    # Series of the scenarios: the matchers' labels, and a value for each `by` label they leave open.
    labels = {**{label: f"{label}-1" for label in a.by}, **a.matchers}
    result = sorted_labels({label: labels[label] for label in a.by})

    def inputs(v: Decimal) -> SeriesFn:
        if rated:
            return lambda minutes: (counter(m.name, labels, v, minutes),)
        return lambda minutes: (gauge(m.name, labels, v, minutes),)

    fire, quiet = scenario_values(op, a.threshold, *value_range(m))
    direction = 1 if fire > quiet else -1
    scenarios = (
        Scenario("fires", inputs(fire), fire, result, make=inputs, direction=direction),
        Scenario("stays silent", inputs(quiet), None),
    )
    owner = Owner({LABEL_TEAM: a.team, LABEL_COMPONENT: COMPONENT}, url)
    made = owner.alert(
        camel_name(a.name),
        expr,
        _description(a, m, rated, w, value_template(expr.meta)),
        scenarios,
        for_=str(a.for_duration),
        lookback=minutes_of(w),
        severity=a.severity.value,
    )
    return [replace(d, summary=a.description or _summary(a, m, rated)) for d in made]


def _what(a: MetricAlert, m: MetricDefinition, rated: bool) -> str:
    inner = ", ".join(f"{k}={v}" for k, v in sorted(a.matchers.items()))
    selected = f"{m.name} ({inner})" if inner else m.name
    return f"per-second rate of {selected}" if rated else selected


def _limit(a: MetricAlert, m: MetricDefinition, rated: bool) -> str:
    if m.scale is Scale.RATIO and not rated:  # read as the humanized value: 0.9 -> 90%
        return percent_text(a.threshold)
    unit = "" if m.unit in (Unit.NONE, Unit.RATIO, Unit.PERCENT, Unit.COUNT) else f" {m.unit.value}"
    return f"{q.format_number(a.threshold)}{unit}{' per second' if rated else ''}"


def _summary(a: MetricAlert, m: MetricDefinition, rated: bool) -> str:
    group = f" for some {', '.join(a.by)}" if a.by else ""
    return (
        f"The {AGGREGATED[a.aggregation.value]} {_what(a, m, rated)}{group} is "
        f"{WORDS[a.comparison.value]} {_limit(a, m, rated)}."
    )


def _description(a: MetricAlert, m: MetricDefinition, rated: bool, w: str, value: str) -> str:
    group = " for " + ", ".join(f"{label}={{{{ $labels.{label} }}}}" for label in a.by) if a.by else ""
    over = f" over the last {w}" if rated else ""
    return (
        f"The {AGGREGATED[a.aggregation.value]} {_what(a, m, rated)}{group} is {value}{over} "
        f"(alert while {a.comparison.value} {_limit(a, m, rated)} for {a.for_duration})."
    )
