"""Synthetic input series for the generated promtool tests.

Every series has one sample a minute from time 0 (:data:`STEP`). Counters grow linearly, so once a
``rate()`` window is fully covered it sees exactly the intended per-second rate: Prometheus'
extrapolation has nothing to extrapolate when the window's first and last samples sit on its edges.
Histograms are written as their classic series: cumulative ``_bucket`` counters with ``le`` spelled
the way Go clients expose it (``10``, ``0.5``, ``+Inf``), plus ``_count`` and ``_sum``.

Recording-rule tests compare values exactly (promtool 2.x has no tolerance), so their fixtures use
dyadic rates (multiples of 1/4 per second: a per-minute step that is a multiple of 15 gives an
exact quotient over a 60-second multiple); :func:`quantile_shape` places each quantile exactly on
a bucket boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from guardiangen.catalog import MetricDefinition
from guardiangen.plan.model import InputSeries
from guardiangen.promql.text import format_number, go_float, quote

STEP = "1m"
STEP_SECONDS = 60
HISTOGRAM_TOTAL = Decimal(100)  # observations per second: q * 100 is exact for q = 0.5, 0.95, 0.99


class FixtureError(ValueError):
    """No input can produce the wanted value (the threshold is outside what the metric can show)."""


def selector(name: str, labels: Mapping[str, str]) -> str:
    """``name{a="x",b="y"}`` with labels sorted and values quoted for PromQL."""
    inner = ",".join(f"{k}={quote(v)}" for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}" if inner else name


def _num(value: Decimal) -> str:
    return format_number(value)


def counter(name: str, labels: Mapping[str, str], per_second: Decimal, minutes: int) -> InputSeries:
    """A counter from 0 growing by ``per_second`` for ``minutes`` minutes."""
    return counter_phases(name, labels, ((per_second, minutes),))


def counter_phases(name: str, labels: Mapping[str, str], phases: Sequence[tuple[Decimal, int]]) -> InputSeries:
    """A counter from 0 whose rate changes: ``phases`` are (per-second rate, minutes) in order."""
    parts: list[str] = []
    value = Decimal(0)
    for i, (per_second, minutes) in enumerate(phases):
        step = per_second * STEP_SECONDS
        if i == 0:
            parts.append(f"0+{_num(step)}x{minutes}")
            value = step * minutes
        else:  # continue from the last sample without repeating it
            value += step
            parts.append(f"{_num(value)}+{_num(step)}x{minutes - 1}")
            value += step * (minutes - 1)
    return InputSeries(selector(name, labels), " ".join(parts))


def gauge(name: str, labels: Mapping[str, str], value: Decimal, minutes: int) -> InputSeries:
    """A gauge holding ``value`` for ``minutes`` minutes."""
    return gauge_phases(name, labels, ((value, minutes),))


def gauge_phases(name: str, labels: Mapping[str, str], phases: Sequence[tuple[Decimal, int]]) -> InputSeries:
    """A gauge holding each (value, minutes) in turn; the first phase includes the sample at 0."""
    parts = [f"{_num(v)}+0x{m if i == 0 else m - 1}" for i, (v, m) in enumerate(phases)]
    return InputSeries(selector(name, labels), " ".join(parts))


@dataclass(frozen=True)
class HistogramShape:
    """Per-second observation rates of a classic histogram: ``cumulative[i]`` at bucket ``i``."""

    cumulative: tuple[Decimal, ...]
    total: Decimal
    sum_rate: Decimal


def histogram(
    metric: MetricDefinition, labels: Mapping[str, str], shape: HistogramShape, minutes: int
) -> tuple[InputSeries, ...]:
    """The ``_bucket`` (one per bound and ``+Inf``), ``_count`` and ``_sum`` counters of ``shape``."""
    if len(shape.cumulative) != len(metric.buckets):
        raise FixtureError(f"{metric.name} has {len(metric.buckets)} buckets, the shape {len(shape.cumulative)}")
    out = [
        counter(f"{metric.name}_bucket", {**labels, "le": go_float(bound)}, rate, minutes)
        for bound, rate in zip(metric.buckets, shape.cumulative, strict=True)
    ]
    out.append(counter(f"{metric.name}_bucket", {**labels, "le": "+Inf"}, shape.total, minutes))
    out.append(counter(f"{metric.name}_count", labels, shape.total, minutes))
    out.append(counter(f"{metric.name}_sum", labels, shape.sum_rate, minutes))
    return tuple(out)


def _rank(q: Decimal) -> Decimal:
    rank = q * HISTOGRAM_TOTAL
    # Prometheus multiplies in binary floating point: the product must come out exact.
    if rank != rank.to_integral_value() or float(q) * float(HISTOGRAM_TOTAL) != float(rank):
        raise FixtureError(f"quantile {q} times {HISTOGRAM_TOTAL} is not an exact integer in floating point")
    return rank


def quantile_shape(buckets: Sequence[float], marks: Mapping[Decimal, int | None]) -> HistogramShape:
    """Observations placed so each quantile ``q`` of ``marks`` is exactly ``buckets[i]``.

    ``i = None`` puts the quantile above the top bound, where ``histogram_quantile`` returns the
    top bound. All of the quantile's rank lands in bucket ``i``: interpolation then yields the
    bucket's upper bound with a fraction of exactly 1.
    """
    cumulative = [Decimal(0)] * len(buckets)
    previous_index = -1
    for q, index in sorted(marks.items()):
        rank = _rank(q)
        top = len(buckets) if index is None else index
        if top <= previous_index:
            raise FixtureError("quantile marks must rise with the quantile")
        for i in range(top, len(buckets)):
            cumulative[i] = rank
        previous_index = top
    return HistogramShape(tuple(cumulative), HISTOGRAM_TOTAL, HISTOGRAM_TOTAL)


def quantile_value(buckets: Sequence[float], index: int | None) -> Decimal:
    """The value ``histogram_quantile`` returns for a mark at ``index`` (see :func:`quantile_shape`)."""
    bound = buckets[-1] if index is None else buckets[index]
    return Decimal(repr(bound))


def exact_quantile_indexes(buckets: Sequence[float]) -> list[int]:
    """Bucket indexes where ``lower + (upper - lower) * 1.0 == upper`` holds in binary floating
    point, so a quantile interpolated to the bucket's top comes out as exactly the bound."""
    out = []
    for i, upper in enumerate(buckets):
        lower = buckets[i - 1] if i else 0.0
        if lower + (upper - lower) * 1.0 == upper:
            out.append(i)
    return out


def quantile_threshold(buckets: Sequence[float], threshold: Decimal) -> tuple[str, int | None, int]:
    """How to alert on a quantile above ``threshold`` and where to place test quantiles.

    Returns (comparison, firing mark, silent mark) for :func:`quantile_shape`. A histogram only
    resolves bucket boundaries, so the firing quantile sits on the first bound above the threshold
    and the silent one on the last bound below it (or on it, for the first bucket, whose value is
    exact). At the top bound ``histogram_quantile`` cannot go higher: the alert compares with
    ``>=``, which fires once more than (1 - q) of the observations lie above that bound.
    """
    bounds = [Decimal(repr(b)) for b in buckets]
    if not bounds[0] <= threshold <= bounds[-1]:
        raise FixtureError(f"{threshold} is outside the histogram's bounds {bounds[0]}..{bounds[-1]}")
    below = [i for i, b in enumerate(bounds) if b < threshold]
    quiet = below[-1] if below else 0
    if threshold == bounds[-1]:
        return ">=", None, quiet
    return ">", next(i for i, b in enumerate(bounds) if b > threshold), quiet
