"""What an expression's value means: scale, unit, per-second. Shared by the builders and the lint.

The same propagation rules run when guardiangen builds an expression and when the lint infers the
meaning of a foreign one, so "what is the scale of this expression" has one answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from guardiangen.catalog.model import MetricDefinition, Scale, Unit

COUNTABLE_UNITS = frozenset({Unit.REQUESTS, Unit.EVENTS, Unit.COUNT, Unit.NONE})
"""Units whose per-second rate divides another rate into "per event" (seconds per request)."""


@dataclass(frozen=True)
class Meta:
    """The meaning of a value. ``scale=None`` means unknown (e.g. a sum of ratios)."""

    scale: Scale | None = Scale.ABSOLUTE
    unit: Unit = Unit.NONE
    per_second: bool = False

    @property
    def effective_scale(self) -> Scale | None:
        """Seconds per second (rate of a seconds counter, e.g. CPU busy time) reads as a ratio."""
        if self.per_second and self.unit is Unit.SECONDS:
            return Scale.RATIO
        return self.scale

    @property
    def is_known(self) -> bool:
        return self.scale is not None


UNKNOWN = Meta(scale=None)
RATIO = Meta(Scale.RATIO, Unit.RATIO)
PERCENT = Meta(Scale.PERCENT, Unit.PERCENT)
COUNT = Meta(Scale.ABSOLUTE, Unit.COUNT)


def of_metric(metric: MetricDefinition) -> Meta:
    return Meta(metric.scale, metric.unit)


def per_second(m: Meta) -> Meta:
    """``rate()``/``irate()`` of a counter measured in ``m.unit``."""
    return replace(m, scale=Scale.ABSOLUTE, per_second=True)


def summed(m: Meta) -> Meta:
    """``sum``: a sum of ratios or percentages is no longer on that scale."""
    return UNKNOWN if m.scale in (Scale.RATIO, Scale.PERCENT) else m


def times(m: Meta, k: Decimal) -> Meta:
    """Vector times a number: ratio * 100 is a percentage; other factors keep absolute quantities."""
    if k == 100 and m.effective_scale is Scale.RATIO:
        return PERCENT
    if k == Decimal("0.01") and m.effective_scale is Scale.PERCENT:
        return RATIO
    if k == 1:
        return m
    return m if m.scale is Scale.ABSOLUTE else UNKNOWN


def divided_by_number(m: Meta, k: Decimal) -> Meta:
    if k == 100 and m.effective_scale is Scale.PERCENT:
        return RATIO
    if k == 1:
        return m
    return m if m.scale is Scale.ABSOLUTE else UNKNOWN


def divided(a: Meta, b: Meta) -> Meta:
    """Vector / vector: same unit, or one event rate over another, gives a ratio; another rate over an
    event rate gives "per event" (seconds per request)."""
    if not (a.is_known and b.is_known):
        return UNKNOWN
    if a.unit is b.unit and a.per_second is b.per_second and a.scale is b.scale is Scale.ABSOLUTE:
        return RATIO
    if a.per_second and b.per_second and b.unit in COUNTABLE_UNITS:
        # events per event (errors per request) is a ratio; seconds per request a mean duration
        return RATIO if a.unit in COUNTABLE_UNITS else Meta(a.scale, a.unit)
    return UNKNOWN


def offset(m: Meta, k: Decimal) -> Meta:
    """``k - v`` or ``v + k``: 1 - ratio is a ratio, 100 - percent a percentage."""
    scale = m.effective_scale
    if scale is Scale.RATIO and k in (0, 1):
        return RATIO if m.per_second else m
    if scale is Scale.PERCENT and k in (0, 100):
        return m
    return m if m.scale is Scale.ABSOLUTE else UNKNOWN


def combined(a: Meta, b: Meta) -> Meta:
    """``a + b``/``a - b`` of two vectors, or ``a or b``: only meaningful when both mean the same."""
    return a if a == b else UNKNOWN


def humanize_template(value: Meta | MetricDefinition | Scale, unit: Unit | None = None) -> str:
    """The Go template rendering ``$value`` of an alert in a readable way, chosen by scale and unit.

    ratio (0-1) -> ``{{ $value | humanizePercentage }}`` (it multiplies by 100);
    percent (0-100) -> ``{{ printf "%.1f" $value }}%``; seconds -> ``humanizeDuration``;
    bytes -> ``humanize1024`` + ``B``; per-second rates get ``/s``; anything else ``humanize``.
    Accepts an expression's :class:`Meta` (``expr.meta``), a metric, or a bare scale plus ``unit``.
    """
    if isinstance(value, MetricDefinition):
        meta = of_metric(value)
    elif isinstance(value, Scale):
        meta = Meta(value, unit or Unit.NONE)
    else:
        meta = value
    if unit is not None:
        meta = replace(meta, unit=unit)
    scale = meta.effective_scale
    if scale is Scale.RATIO:
        return "{{ $value | humanizePercentage }}"
    if scale is Scale.PERCENT:
        return '{{ printf "%.1f" $value }}%'
    suffix = "/s" if meta.per_second else ""
    if meta.unit is Unit.SECONDS and not meta.per_second:
        return "{{ $value | humanizeDuration }}"
    if meta.unit is Unit.BYTES:
        return "{{ $value | humanize1024 }}B" + suffix
    if meta.unit is Unit.MEBIBYTES:
        return "{{ $value | humanize }}MiB" + suffix
    return "{{ $value | humanize }}" + suffix
