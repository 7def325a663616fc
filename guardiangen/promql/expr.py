"""Typed PromQL values: :class:`Series` (a catalog metric plus matchers, not yet usable on its own)
and :class:`Expr` (finished text plus what its result means).

``Expr`` carries everything later stages ask about an expression: ``meta`` (scale, unit,
per-second) for annotation templates and dashboard units, ``labels`` (the label names of the
result, ``None`` if unknown) for vector matching and grouping, ``high_cardinality`` for labels that
must be aggregated away, and ``shape`` so histogram bucket rates can only feed ``histogram_quantile``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Literal

from guardiangen.catalog import Catalog, MetricDefinition, MetricType, Part, Scale, Unit
from guardiangen.catalog.model import LABEL_NAME_PATTERN
from guardiangen.diagnostics import did_you_mean
from guardiangen.promql.meta import Meta
from guardiangen.promql.text import PromQLError, escape_string, quote

MatchOp = Literal["=", "!=", "=~", "!~"]

# Binding strength of PromQL binary operators (higher binds tighter); atoms never need parentheses.
PRECEDENCE = {
    "or": 1, "and": 2, "unless": 2,
    "==": 3, "!=": 3, ">": 3, "<": 3, ">=": 3, "<=": 3,
    "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "atan2": 5, "^": 7,
}  # fmt: skip
UNARY = 6
ATOM = 9


class Shape(str, Enum):
    """What kind of value an expression yields."""

    VECTOR = "vector"  # an ordinary instant vector
    SCALAR = "scalar"  # a number literal
    BUCKET_RATES = "bucket_rates"  # rate(x_bucket[w]) per series: must be summed by (le, ...)
    BUCKETS_BY_LE = "buckets_by_le"  # sum by (le, ...) of bucket rates: histogram_quantile's input


@dataclass(frozen=True)
class Matcher:
    """A label matcher; build with :func:`eq`, :func:`ne`, :func:`regex`, :func:`not_regex`."""

    label: str
    op: MatchOp
    value: str

    def __post_init__(self) -> None:
        if not re.fullmatch(LABEL_NAME_PATTERN, self.label) or self.label == "__name__":
            raise PromQLError(f'invalid label name "{self.label}" in a matcher')
        escape_string(self.value)  # refuses values Prometheus cannot carry
        if self.op in ("=~", "!~"):
            try:
                re.compile(self.value)
            except re.error as exc:
                raise PromQLError(f'invalid regex for label "{self.label}": {exc}') from None

    def __str__(self) -> str:
        return f"{self.label}{self.op}{quote(self.value)}"


def eq(label: str, value: str) -> Matcher:
    return Matcher(label, "=", value)


def ne(label: str, value: str) -> Matcher:
    return Matcher(label, "!=", value)


def regex(label: str, pattern: str) -> Matcher:
    """A regex matcher; Prometheus anchors the pattern at both ends (RE2 syntax)."""
    return Matcher(label, "=~", pattern)


def not_regex(label: str, pattern: str) -> Matcher:
    return Matcher(label, "!~", pattern)


@dataclass(frozen=True)
class Series:
    """One catalog metric's series (``part`` picks a histogram's ``_bucket``/``_sum``/``_count``)
    with matchers. Not an expression: it becomes one through :func:`value`, :func:`rate`, ...,
    which check the metric's type allows that use."""

    metric: MetricDefinition
    part: Part
    labels: frozenset[str]
    matchers: tuple[Matcher, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.metric.name}_{self.part}" if self.part else self.metric.name

    @property
    def is_counter_like(self) -> bool:
        """Cumulative series that only make sense through rate()/increase()."""
        return self.metric.type is MetricType.COUNTER or self.part != ""

    @property
    def selector(self) -> str:
        inner = ",".join(str(m) for m in self.matchers)
        return f"{self.name}{{{inner}}}" if inner else self.name

    def where(self, *matchers: Matcher) -> Series:
        """The same series with more matchers; labels must exist on the metric."""
        for m in matchers:
            if m.label == "le" and self.part == "bucket":
                raise PromQLError(
                    'don\'t match `le` directly: Prometheus 3 rewrites le="10" to "10.0"; use '
                    "fraction_below()/fraction_above(), which match every spelling of the bound"
                )
            if m.label not in self.labels:
                raise PromQLError(
                    f'metric "{self.metric.name}" has no label "{m.label}"'
                    + did_you_mean(m.label, self.labels)
                    + f" (labels: {', '.join(sorted(self.labels))})"
                )
        matchers = (*self.matchers, *matchers)
        metric = self.metric.selected((m.label, m.value) for m in matchers if m.op == "=")
        return replace(self, metric=metric, matchers=matchers)

    def _with_le(self, pattern: str) -> Series:
        return replace(self, matchers=(*self.matchers, Matcher("le", "=~", pattern)))


def series(catalog: Catalog, name: str | MetricDefinition, *matchers: Matcher) -> Series:
    """The catalog series ``name`` (``x``, or a histogram's ``x_bucket``/``x_sum``/``x_count``).

    Unknown names raise :class:`PromQLError` with a did-you-mean; matchers are checked with
    :meth:`Series.where`.
    """
    key = name.name if isinstance(name, MetricDefinition) else name
    try:
        metric, part = catalog.resolve_series(key)
    except KeyError as exc:
        raise PromQLError(str(exc)) from None
    base = Series(metric=metric, part=part, labels=catalog.label_names(metric, part))
    return base.where(*matchers)


@dataclass(frozen=True)
class Expr:
    """Finished PromQL text plus the meaning of its result. ``str(expr)`` is the text."""

    text: str
    meta: Meta = field(default_factory=Meta)
    labels: frozenset[str] | None = None
    high_cardinality: frozenset[str] = frozenset()
    shape: Shape = Shape.VECTOR
    prec: int = ATOM
    histogram: MetricDefinition | None = None  # the histogram behind bucket shapes

    def __str__(self) -> str:
        return self.text

    @property
    def scale(self) -> Scale | None:
        return self.meta.effective_scale

    @property
    def unit(self) -> Unit:
        return self.meta.unit

    @property
    def per_second(self) -> bool:
        return self.meta.per_second

    @property
    def is_scalar(self) -> bool:
        return self.shape is Shape.SCALAR

    def with_meta(self, meta: Meta) -> Expr:
        """The same expression declared to mean ``meta`` (when the builder cannot infer it)."""
        return replace(self, meta=meta)

    def parenthesized(self) -> Expr:
        return self if self.prec == ATOM else replace(self, text=f"({self.text})", prec=ATOM)


def wrap(operand: Expr, prec: int, *, right: bool) -> str:
    """Operand text, parenthesized when its operator binds looser than the enclosing one.

    Left-associative operators also need parentheses for an equal-precedence right operand;
    ``^`` is right-associative, so it is the other way round.
    """
    if prec == PRECEDENCE["^"]:
        needs = operand.prec < prec or (operand.prec == prec and not right)
    else:
        needs = operand.prec < prec or (operand.prec == prec and right)
    return f"({operand.text})" if needs else operand.text


def label_list(labels: Iterable[str]) -> str:
    return ", ".join(labels)
