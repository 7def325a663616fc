"""Builders for instant values, range functions and aggregations.

Each builder checks the metric type allows the use and raises :class:`PromQLError` saying what to
do instead: counters only through ``rate``/``irate``/``increase``; gauges directly, through
``*_over_time``, ``changes`` or ``delta``/``deriv``; histograms only through the helpers in
:mod:`guardiangen.promql.histogram`. Ranges are a parameter: rules pass ``"5m"``, dashboards
``"$__rate_interval"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from guardiangen.catalog import MetricType, Scale, Unit
from guardiangen.catalog.model import LABEL_NAME_PATTERN
from guardiangen.diagnostics import did_you_mean
from guardiangen.promql import meta as M
from guardiangen.promql.expr import ATOM, Expr, Matcher, Series, Shape, label_list
from guardiangen.promql.names import check_record_name
from guardiangen.promql.text import PromQLError, quote, window

Aggregation = Literal["sum", "avg", "max", "min", "count"]
OverTime = Literal["avg", "min", "max", "last", "sum", "count"]


def _not_histogram(s: Series, use: str) -> None:
    if s.metric.type is MetricType.HISTOGRAM and s.part == "":
        raise PromQLError(
            f'"{s.metric.name}" is a histogram: it has no series of that name, only _bucket, _sum and '
            f"_count; {use} it through quantile(), histogram_mean() or fraction_below()"
        )


def _gauge_only(s: Series, use: str) -> None:
    _not_histogram(s, use)
    if s.is_counter_like:
        raise PromQLError(
            f'"{s.name}" is a counter: its value only grows and resets on restart; '
            f"use rate() or increase() instead of {use}"
        )


def _selector_expr(s: Series, meta: M.Meta) -> Expr:
    return Expr(s.selector, meta, s.labels, frozenset(s.metric.high_cardinality_labels))


def value(s: Series) -> Expr:
    """A gauge's current value (``x{...}``); counters and histograms are refused."""
    _gauge_only(s, "its raw value")
    return _selector_expr(s, M.of_metric(s.metric))


def _counter_fn(fn: str, s: Series, range_: str, offset: str | None = None) -> Expr:
    _not_histogram(s, fn)
    if not s.is_counter_like:
        hint = (
            " It holds the value of the last XID error: use changes() to see a new one."
            if "XID" in s.metric.name
            else " Use the value directly, or *_over_time(), delta() or deriv()."
        )
        raise PromQLError(f'{fn}() needs a counter, but "{s.name}" is a gauge.{hint}')
    shift = "" if offset is None else f" offset {window(offset)}"
    text = f"{fn}({s.selector}[{window(range_)}]{shift})"
    unit = Unit.COUNT if s.part in ("bucket", "count") else s.metric.unit
    base = M.Meta(Scale.ABSOLUTE, unit)
    meta = base if fn == "increase" else M.per_second(base)
    shape = Shape.BUCKET_RATES if s.part == "bucket" else Shape.VECTOR
    hist = s.metric if s.part == "bucket" else None
    hc = frozenset(s.metric.high_cardinality_labels)
    return Expr(text, meta, s.labels, hc, shape=shape, histogram=hist)


def rate(s: Series, range_: str, *, offset: str | None = None) -> Expr:
    """Per-second rate of a counter (or a histogram's _bucket/_sum/_count) over ``range_``;
    ``offset`` (e.g. ``"1d"``) looks that far back, for comparisons with an earlier time."""
    return _counter_fn("rate", s, range_, offset)


def irate(s: Series, range_: str) -> Expr:
    """Rate from the last two samples (dashboards only; too jumpy for alerts)."""
    return _counter_fn("irate", s, range_)


def increase(s: Series, range_: str, *, offset: str | None = None) -> Expr:
    """Increase of a counter over ``range_`` (rate times the range: may be fractional)."""
    return _counter_fn("increase", s, range_, offset)


def over_time(fn: OverTime, s: Series | Expr, range_: str) -> Expr:
    """``<fn>_over_time(gauge[range])``; refused for counters and histograms.

    ``s`` may also be a :func:`recorded` series (a recording rule's output is a gauge-like
    series, e.g. a recorded 5m rate whose ``sum_over_time`` adds up longer windows).
    """
    if isinstance(s, Expr):
        _recorded_only(s, f"{fn}_over_time()")
        rec_meta = {"sum": M.summed(s.meta), "count": M.COUNT}.get(fn, s.meta)
        return replace(s, text=f"{fn}_over_time({s.text}[{window(range_)}])", meta=rec_meta, prec=ATOM)
    _gauge_only(s, f"{fn}_over_time()")
    meta = M.of_metric(s.metric)
    if fn == "sum":
        meta = M.summed(meta)
    elif fn == "count":
        meta = M.COUNT
    return replace(_selector_expr(s, meta), text=f"{fn}_over_time({s.selector}[{window(range_)}])")


def changes(s: Series, range_: str) -> Expr:
    """How often a gauge's value changed in ``range_`` (e.g. a new XID in DCGM_FI_DEV_XID_ERRORS)."""
    _gauge_only(s, "changes()")
    return replace(_selector_expr(s, M.COUNT), text=f"changes({s.selector}[{window(range_)}])")


def delta(s: Series, range_: str) -> Expr:
    """Difference of a gauge between the ends of ``range_``; for counters use increase()."""
    _gauge_only(s, "delta()")
    meta = M.of_metric(s.metric) if s.metric.scale is Scale.ABSOLUTE else M.UNKNOWN
    return replace(_selector_expr(s, meta), text=f"delta({s.selector}[{window(range_)}])")


def deriv(s: Series, range_: str) -> Expr:
    """Per-second slope of a gauge (linear regression); for counters use rate()."""
    _gauge_only(s, "deriv()")
    meta = M.per_second(M.of_metric(s.metric))
    return replace(_selector_expr(s, meta), text=f"deriv({s.selector}[{window(range_)}])")


def absent(s: Series | Expr, range_: str | None = None) -> Expr:
    """``absent(x{...})`` (or ``absent_over_time`` with a range): 1 when no such series exists.

    For a histogram, presence is tested on its ``_count`` series. ``s`` may also be a
    :func:`recorded` series; the result then carries the labels of its equality matchers, which
    this builder cannot see, so its ``labels`` are unknown (None).
    """
    if isinstance(s, Expr):
        _recorded_only(s, "absent()")
        fn = "absent" if range_ is None else "absent_over_time"
        arg = s.text if range_ is None else f"{s.text}[{window(range_)}]"
        return Expr(f"{fn}({arg})", M.Meta(Scale.ABSOLUTE, Unit.NONE), None)
    sel = s.selector
    if s.metric.type is MetricType.HISTOGRAM and s.part == "":
        sel = replace(s, part="count").selector
    text = f"absent({sel})" if range_ is None else f"absent_over_time({sel}[{window(range_)}])"
    labels = frozenset(m.label for m in s.matchers if m.op == "=")
    return Expr(text, M.Meta(Scale.ABSOLUTE, Unit.NONE), labels)


_RECORDED_SELECTOR = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*(\{.*\})?", re.DOTALL)


def _recorded_only(e: Expr, use: str) -> None:
    if e.is_scalar or e.shape is not Shape.VECTOR or e.prec != ATOM or not _RECORDED_SELECTOR.fullmatch(e.text):
        raise PromQLError(f"{use} takes a catalog series or a recorded() series, not {e.text}")


def label_replace(e: Expr, dst: str, replacement: str, src: str, regex: str) -> Expr:
    """``label_replace(e, "dst", "replacement", "src", "regex")``: copy or rewrite a label, e.g. to
    match guardians' ``specialist_id`` with specialists' ``specialist_type``.

    Label names are checked, the regex must compile (RE2 anchors it at both ends), and ``src``
    must be a label of ``e`` when its labels are known.
    """
    for label in (dst, src):
        if not re.fullmatch(LABEL_NAME_PATTERN, label) or label == "__name__":
            raise PromQLError(f'invalid label name "{label}" in label_replace()')
    if e.is_scalar or e.shape is not Shape.VECTOR:
        raise PromQLError(f"label_replace() needs an instant vector, got {e.text}")
    if e.labels is not None and src not in e.labels:
        raise PromQLError(f'label_replace(): the expression has no label "{src}"' + did_you_mean(src, e.labels))
    try:
        re.compile(regex)
    except re.error as exc:
        raise PromQLError(f"label_replace(): invalid regex: {exc}") from None
    args = ", ".join(quote(x) for x in (dst, replacement, src, regex))
    labels = None if e.labels is None else e.labels | {dst}
    return replace(e, text=f"label_replace({e.text}, {args})", labels=labels, prec=ATOM)


def aggregate(op: Aggregation, e: Expr, by: Sequence[str] = ()) -> Expr:
    """``<op> by (labels) (e)``, or ``<op>(e)`` when ``by`` is empty.

    Refuses grouping by a high-cardinality label or a label ``e`` does not carry, and requires
    ``sum by (le, ...)`` for histogram bucket rates.
    """
    if e.is_scalar:
        raise PromQLError(f"cannot aggregate a number ({e.text})")
    keep = tuple(dict.fromkeys(by))
    shape = Shape.VECTOR
    if e.shape in (Shape.BUCKET_RATES, Shape.BUCKETS_BY_LE):
        if op != "sum" or "le" not in keep:
            raise PromQLError(
                "histogram bucket rates must be aggregated with sum by (le, ...) before "
                f"histogram_quantile(), not {op} by ({label_list(keep)})"
            )
        keep = ("le", *(label for label in keep if label != "le"))
        shape = Shape.BUCKETS_BY_LE
    high = sorted(set(keep) & e.high_cardinality)
    if high:
        raise PromQLError(
            f"cannot group by high-cardinality label(s) {', '.join(high)}: they have unbounded "
            "values; aggregate them away"
        )
    if e.labels is not None:
        for label in keep:
            if label not in e.labels:
                raise PromQLError(
                    f'cannot group by "{label}": the expression has no such label'
                    + did_you_mean(label, e.labels)
                    + f" (labels: {', '.join(sorted(e.labels))})"
                )
    meta = {"sum": M.summed(e.meta), "count": M.COUNT}.get(op, e.meta)
    clause = f" by ({label_list(keep)})" if keep else ""
    text = f"{op}{clause} ({e.text})" if keep else f"{op}({e.text})"
    return Expr(text, meta, frozenset(keep), frozenset(), shape=shape, histogram=e.histogram)


def sum_by(e: Expr, *labels: str) -> Expr:
    return aggregate("sum", e, labels)


def avg_by(e: Expr, *labels: str) -> Expr:
    return aggregate("avg", e, labels)


def max_by(e: Expr, *labels: str) -> Expr:
    return aggregate("max", e, labels)


def min_by(e: Expr, *labels: str) -> Expr:
    return aggregate("min", e, labels)


def count_by(e: Expr, *labels: str) -> Expr:
    return aggregate("count", e, labels)


def recorded(name: str, e: Expr, *matchers: Matcher) -> Expr:
    """A reference to the recording rule ``name`` that records ``e``: same meaning, shorter text.

    ``name`` must follow ``level:metric:operations``; matchers must use labels ``e`` carries.
    """
    check_record_name(name)
    for m in matchers:
        if m.label == "le":
            raise PromQLError("don't match `le` directly (Prometheus 3 normalizes its values)")
        if e.labels is not None and m.label not in e.labels:
            raise PromQLError(f'recorded series "{name}" has no label "{m.label}"' + did_you_mean(m.label, e.labels))
    inner = ",".join(str(m) for m in matchers)
    text = f"{name}{{{inner}}}" if inner else name
    shape = Shape.VECTOR if e.is_scalar else e.shape  # a recorded number is a vector
    return replace(e, text=text, prec=ATOM, shape=shape, labels=e.labels if not e.is_scalar else frozenset())
