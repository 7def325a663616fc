"""Classic-histogram helpers: quantiles, means and the fraction of observations beyond a bound.

A classic histogram ``x`` exposes only ``x_bucket{le}``, ``x_sum`` and ``x_count``: the bare name
selects nothing. Every helper here aggregates with ``sum by (...)`` over the labels to keep, so one
value comes out per group instead of one per pod.

**Bucket bounds and Prometheus 3.** A bound is selected with ``le=~"<pattern>"`` from
:func:`guardiangen.promql.text.le_pattern`, which matches both the Go spelling (``10``) kept by
Prometheus 2 and the canonical ``10.0`` that Python clients expose and Prometheus 3 stores for
every client. An equality matcher on an integer-looking bound would silently stop matching after
an upgrade. Bounds must be actual bucket boundaries; anything else is refused with the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from guardiangen.catalog import MetricType, Part
from guardiangen.promql import meta as M
from guardiangen.promql.build import aggregate, rate
from guardiangen.promql.expr import ATOM, Expr, Series, Shape
from guardiangen.promql.ops import and_, binop, gt, ratio, safe_div
from guardiangen.promql.text import Number, PromQLError, format_number, go_float, le_pattern, to_decimal


def _histogram(s: Series, what: str) -> Series:
    if s.metric.type is not MetricType.HISTOGRAM:
        raise PromQLError(f'{what} needs a histogram, but "{s.metric.name}" is a {s.metric.type.value}')
    return replace(s, part="")


def _part(s: Series, part: Part) -> Series:
    labels = s.labels | {"le"} if part == "bucket" else s.labels - {"le"}
    return replace(s, part=part, labels=labels)


def bucket_rates(s: Series, range_: str, by: Sequence[str] = ()) -> Expr:
    """``sum by (le, <by>) (rate(x_bucket[range]))``: the input of :func:`histogram_quantile`."""
    h = _histogram(s, "bucket_rates()")
    return aggregate("sum", rate(_part(h, "bucket"), range_), ("le", *by))


def histogram_quantile(q: Number, buckets: Expr) -> Expr:
    """``histogram_quantile(q, buckets)``; ``buckets`` must come from :func:`bucket_rates`.

    Note: with no observations in the range the result is NaN (compares false, so alerts stay
    silent); :func:`quantile` with ``require_traffic=True`` drops such groups instead.
    """
    k = to_decimal(q)
    if not 0 <= k <= 1:
        raise PromQLError(f"quantile {format_number(k)} is outside 0-1 (did you mean {format_number(k / 100)}?)")
    if buckets.shape is not Shape.BUCKETS_BY_LE or buckets.histogram is None:
        raise PromQLError(
            f"histogram_quantile() needs sum by (le, ...) (rate(x_bucket[w])) from bucket_rates(); got {buckets.text}"
        )
    labels = None if buckets.labels is None else buckets.labels - {"le"}
    return Expr(
        f"histogram_quantile({format_number(k)}, {buckets.text})",
        M.of_metric(buckets.histogram),
        labels,
        prec=ATOM,
    )


def quantile(q: Number, s: Series, range_: str, by: Sequence[str] = (), *, require_traffic: bool = False) -> Expr:
    """The ``q`` quantile per ``by`` group: ``histogram_quantile(q, sum by (le, <by>) (rate(x_bucket[w])))``.

    ``require_traffic`` appends ``and on (<by>) (sum by (<by>) (rate(x_count[w])) > 0)`` so groups
    without observations produce no sample instead of NaN.
    """
    h = _histogram(s, "quantile()")
    result = histogram_quantile(q, bucket_rates(h, range_, by))
    if require_traffic:
        result = and_(result, gt(aggregate("sum", rate(_part(h, "count"), range_), by), 0), on=tuple(by))
    return result


def observation_rate(s: Series, range_: str, by: Sequence[str] = ()) -> Expr:
    """Observations per second per group: ``sum by (<by>) (rate(x_count[w]))``."""
    return aggregate("sum", rate(_part(_histogram(s, "observation_rate()"), "count"), range_), by)


def histogram_mean(s: Series, range_: str, by: Sequence[str] = ()) -> Expr:
    """Mean observed value per group: ``sum(rate(x_sum)) / (sum(rate(x_count)) > 0)``, same unit."""
    h = _histogram(s, "histogram_mean()")
    total = aggregate("sum", rate(_part(h, "sum"), range_), by)
    return safe_div(total, observation_rate(h, range_, by), meta=M.of_metric(h.metric))


def _bound(s: Series, bound: Number) -> float:
    k = to_decimal(bound)
    for b in s.metric.buckets:
        if Decimal(repr(b)) == k:
            return b
    raise PromQLError(
        f'{format_number(k)} is not a bucket boundary of "{s.metric.name}"; boundaries: '
        + ", ".join(go_float(b) for b in s.metric.buckets)
    )


def bucket_rate(s: Series, bound: Number, range_: str, by: Sequence[str] = ()) -> Expr:
    """Observations ``<= bound`` per second per group, from the one ``le`` bucket of ``bound``.

    ``sum by (<by>) (rate(x_bucket{le=~"<bound>"}[w]))``; ``bound`` must be a bucket boundary.
    With :func:`observation_rate` it gives an SLI's good/bad event rates without dividing.
    """
    h = _histogram(s, "bucket_rate()")
    b = _bound(h, bound)
    # The `le` matcher pins one bucket, so summing it without `le` is exact.
    pinned = replace(rate(_part(h, "bucket")._with_le(le_pattern(b)), range_), shape=Shape.VECTOR, histogram=None)
    return aggregate("sum", pinned, by)


def fraction_below(s: Series, bound: Number, range_: str, by: Sequence[str] = ()) -> Expr:
    """Share of observations ``<= bound`` per group (0-1), from the ``le`` bucket and ``_count``.

    ``sum by (<by>) (rate(x_bucket{le=~"<bound>"}[w])) / (sum by (<by>) (rate(x_count[w])) > 0)``;
    ``bound`` must be a bucket boundary.
    """
    h = _histogram(s, "fraction_below()")
    b = _bound(h, bound)
    # The `le` matcher pins one bucket, so summing it without `le` is exact.
    pinned = replace(rate(_part(h, "bucket")._with_le(le_pattern(b)), range_), shape=Shape.VECTOR, histogram=None)
    return ratio(aggregate("sum", pinned, by), observation_rate(h, range_, by))


def fraction_above(s: Series, bound: Number, range_: str, by: Sequence[str] = ()) -> Expr:
    """Share of observations ``> bound`` per group: ``1 - fraction_below(...)``."""
    return binop("-", 1, fraction_below(s, bound, range_, by), meta=M.RATIO)
