"""Definitions shared by the component rule modules: records and alerts that carry their tests.

A domain module (``rules_specialists``, ``rules_guardians``, ``rules_gpu``, ``rules_infra``)
returns a :class:`Domain`: recording rules with one fixture whose recorded values are known
exactly, and alert definitions, each with scenarios (input series plus the ``$value`` and series
labels the alert must show, or ``None`` for silence). :mod:`guardiangen.plan.rules` applies the
spec's overrides and turns them into plan rules; :mod:`guardiangen.plan.rules.testgen` into promtool tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeVar

from guardiangen.catalog import MetricDefinition, Scale, Unit
from guardiangen.plan.model import InputSeries, Labels
from guardiangen.plan.rules.inputs import (
    exact_quantile_indexes,
    histogram,
    quantile_shape,
    quantile_threshold,
    quantile_value,
)
from guardiangen.promql import Expr, Meta, humanize_template
from guardiangen.promql.text import format_number
from guardiangen.spec.alert_names import ALERTS, AlertInfo
from guardiangen.spec.models import AlertOverride, ClusterSpec
from guardiangen.spec.types import format_duration_ms, parse_duration_ms

Op = Literal[">", "<", ">="]
T = TypeVar("T")
SeriesFn = Callable[[int], tuple[InputSeries, ...]]
"""Input series covering the given number of minutes (tests end at different times)."""
ValueInputs = Callable[[Decimal], SeriesFn]
"""Input series under which an alert's expression yields the given value."""


RATE_WINDOWS_MINUTES = (5, 10, 15, 20, 30, 60)

CHUNK_OWNERS = 25
"""At most this many owners' alerts per rule group, rules file and test file (specialists: 6
alerts each, so at most 150 rules a group); see :func:`guardiangen.plan.rules.build`."""


def chunk_mates(owners: Sequence[T], index: int) -> list[T]:
    """The other owners of the chunk of ``owners[index]``, in order, where every owner is one unit
    of :func:`guardiangen.plan.rules.chunks.chunks` (a GPU node): chunks are then runs of
    :data:`CHUNK_OWNERS` positions, and its test file loads only theirs."""
    start = index - index % CHUNK_OWNERS
    return [x for i, x in enumerate(owners[start : start + CHUNK_OWNERS], start) if i != index]


def rate_window(spec: ClusterSpec) -> str:
    """The range of every ``rate()`` in the rules: the first of 5m, 10m, 15m, 20m, 30m, 1h that
    spans 4 scrape intervals (fewer samples make rate() jumpy and, on Prometheus 3's left-open
    ranges, sometimes empty). Round windows also keep the recording tests exact: ``rate()``
    multiplies by a rounded 1/range, which the fixtures' rates survive for these ranges."""
    needed = 4 * spec.defaults.scrape_interval.ms
    minutes = next((m for m in RATE_WINDOWS_MINUTES if m * 60_000 >= needed), math.ceil(needed / 3_600_000) * 60)
    return format_duration_ms(minutes * 60_000)


def minutes_of(duration: str | None) -> int:
    return 0 if duration is None else math.ceil(parse_duration_ms(duration) / 60_000)


def sorted_labels(mapping: Mapping[str, str]) -> Labels:
    return tuple(sorted(mapping.items()))


def value_template(meta: Meta) -> str:
    """How an alert prints ``$value``: :func:`guardiangen.promql.humanize_template`, except that a
    0-1 score (no percentage, no unit prefix) prints as a plain number: humanize writes 0.63 as 630m."""
    if meta.unit is Unit.SCORE and meta.effective_scale is Scale.ABSOLUTE and not meta.per_second:
        return '{{ printf "%.3g" $value }}'
    return humanize_template(meta)


def percent_text(ratio: Decimal) -> str:
    """A 0-1 threshold as people write it: ``0.05`` -> ``5%``."""
    return f"{format_number(ratio * 100)}%"


def seconds_text(seconds: Decimal) -> str:
    return f"{format_number(seconds * 1000)}ms" if seconds < 1 else f"{format_number(seconds)}s"


@dataclass(frozen=True)
class Scenario:
    """One promtool test case of an alert: the inputs and what the alert shows at the end."""

    name: str  # e.g. "fires", "stays silent", "fires when the whole node is gone"
    inputs: SeriesFn
    value: Decimal | None  # the firing alert's $value; None: the alert must stay silent
    result_labels: Labels = ()  # labels of the alerting sample (rule labels are added on top)
    exact: bool = False  # Prometheus computes `value` without rounding (a count): no slack needed
    # How to rebuild the inputs for another value, and which way is "further past the threshold":
    # a value Prometheus could print two ways (1650 s as "27m 29s" or "27m 30s") is moved a little.
    make: ValueInputs | None = None
    direction: int = 0

    @property
    def fires(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class AlertDef:
    """A generated alert before the spec's overrides."""

    name: str  # without the spec's prefix; a key of alert_names.ALERTS
    expr: Expr
    severity: str
    for_: str | None
    description: str  # Go template; only $labels of the result and $value
    labels: Mapping[str, str]  # identity, team and component; severity and alert_labels come later
    dashboard_url: str
    lookback_minutes: int  # the longest range plus offset the expression (or its records) reads
    scenarios: tuple[Scenario, ...]
    keep_firing_for: str | None = None
    overrides: tuple[AlertOverride, ...] = ()
    # Inputs that keep the other rules of the same name silent (their owners look healthy), so a
    # scenario's expected alerts are exactly this rule's: promtool checks alerts by name.
    background: SeriesFn | None = None
    # The static summary of an alert the spec defines itself (metric_alerts), which alert_names
    # does not list; None: the built-in alert's summary from alert_names.ALERTS.
    summary: str | None = None

    def inputs(self, scenario: Scenario, minutes: int) -> tuple[InputSeries, ...]:
        extra = self.background(minutes) if self.background is not None else ()
        return (*scenario.inputs(minutes), *extra)

    @property
    def info(self) -> AlertInfo:
        return ALERTS[self.name]

    @property
    def summary_text(self) -> str:
        return self.info.summary if self.summary is None else self.summary


@dataclass(frozen=True)
class RecordDef:
    name: str
    expr: Expr
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExpectedRecord:
    name: str
    labels: Mapping[str, str]
    value: Decimal


@dataclass(frozen=True)
class RecordsFixture:
    """Inputs under which every recording rule of a domain yields exactly ``expected``."""

    inputs: SeriesFn
    expected: tuple[ExpectedRecord, ...]
    lookback_minutes: int


@dataclass(frozen=True)
class Domain:
    """One rule group, rules file and test file: node, gpu, specialists, guardians, postgres."""

    name: str
    records: tuple[RecordDef, ...]
    alerts: tuple[AlertDef, ...]
    fixture: RecordsFixture | None = None
    needs: tuple[str, ...] = ()  # domains whose recorded series these alerts read


# ------------------------------------------------------------------------------ test values


def around(threshold: Decimal, op: Op, *, upper: Decimal | None = None) -> tuple[Decimal, Decimal] | None:
    """(a firing value, a silent value) about 10% past and inside ``threshold``, kept within
    ``[0, upper]``; ``None`` when no value can fire (``> 1`` on a ratio, ``< 0``).

    Ten percent keeps both values clear of floating-point noise at any scale, while still reading
    as "just past" and "just inside" in the generated tests.
    """
    tenth = threshold / 10
    if op == "<":
        if threshold <= 0:
            return None
        quiet = threshold + tenth
        if upper is not None and quiet > upper:
            quiet = threshold + (upper - threshold) / 2
        return threshold - tenth, quiet
    if upper is not None and threshold >= upper:
        return None
    fire = threshold + tenth if threshold > 0 else (upper or Decimal(1)) / 100
    if upper is not None and fire > upper:
        fire = threshold + (upper - threshold) / 2
    return fire, threshold - tenth


def threshold_scenarios(
    values: tuple[Decimal, Decimal] | None, inputs: ValueInputs, result: Labels
) -> tuple[Scenario, ...]:
    """A firing and a silent scenario from :func:`around`'s values; none if nothing can fire."""
    if values is None:
        return ()
    fire, quiet = values
    direction = 1 if fire > quiet else -1
    return (
        Scenario("fires", inputs(fire), fire, result, make=inputs, direction=direction),
        Scenario("stays silent", inputs(quiet), None),
    )


@dataclass(frozen=True)
class Owner:
    """What every alert about one specialist, guardian or piece of infrastructure shares."""

    labels: Mapping[str, str]
    dashboard_url: str
    overrides: tuple[AlertOverride, ...] = ()

    def alert(
        self,
        name: str,
        expr: Expr,
        description: str,
        scenarios: tuple[Scenario, ...],
        *,
        for_: str | None,
        lookback: int,
        severity: str = "warning",
        keep_firing_for: str | None = None,
        labels: Mapping[str, str] | None = None,
        background: SeriesFn | None = None,
    ) -> list[AlertDef]:
        """The alert as a one-element list, or empty when no scenario can make it fire (its
        threshold is out of reach, e.g. an error ratio above 100%): a rule that can never fire
        would only look like coverage."""
        if not any(s.fires for s in scenarios):
            return []
        return [
            AlertDef(
                name=name,
                expr=expr,
                severity=severity,
                for_=for_,
                description=description,
                labels={**self.labels, **(labels or {})},
                dashboard_url=self.dashboard_url,
                lookback_minutes=lookback,
                scenarios=scenarios,
                keep_firing_for=keep_firing_for,
                overrides=self.overrides,
                background=background,
            )
        ]


P95 = Decimal("0.95")


def p95_scenarios(
    metric: MetricDefinition, threshold: Decimal, series_labels: Mapping[str, str], result: Labels
) -> tuple[str, tuple[Scenario, ...]]:
    """The comparison for "p95 above ``threshold``" and its firing and silent scenarios.

    See :func:`guardiangen.plan.rules.inputs.quantile_threshold` for where the quantiles go.
    """
    op, fire, quiet = quantile_threshold(metric.buckets, threshold)
    exact = set(exact_quantile_indexes(metric.buckets))

    def scenario(name: str, mark: int | None, fires: bool) -> Scenario:
        shape = quantile_shape(metric.buckets, {P95: mark})
        value = quantile_value(metric.buckets, mark) if fires else None
        return Scenario(
            name,
            lambda m: histogram(metric, series_labels, shape, m),
            value,
            result if fires else (),
            exact=mark is None or mark in exact,
        )

    return op, (scenario("fires", fire, True), scenario("stays silent", quiet, False))
