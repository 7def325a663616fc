"""Grafana units from an expression's meaning (:class:`~guardiangen.promql.Meta`), never by hand.

The catalog says what a metric measures (unit) and how it reads (scale); the builders carry that
through ``rate``, ``sum`` and division. Here it becomes a Grafana unit id, so a 0-1 ratio is shown
with ``percentunit`` and a 0-100 value with ``percent`` (SEED-ERRATA 5), and a panel whose query has
lost its meaning (a sum of ratios) is refused instead of getting a wrong axis.
"""

from __future__ import annotations

from guardiangen.catalog import Scale, Unit
from guardiangen.promql import Meta

# Quantities read as they are.
_ABSOLUTE: dict[Unit, str] = {
    Unit.SECONDS: "s",
    Unit.MILLISECONDS: "ms",
    Unit.MICROSECONDS: "µs",
    Unit.BYTES: "bytes",
    Unit.MEBIBYTES: "mbytes",  # Grafana's "mbytes" is mebibytes (IEC); "decmbytes" would be SI
    Unit.CELSIUS: "celsius",
    Unit.WATTS: "watt",
    Unit.JOULES: "joule",
    Unit.MILLIJOULES: "suffix: mJ",
    Unit.REQUESTS: "short",
    Unit.TOKENS: "short",
    Unit.TOKENS_PER_SECOND: "suffix: tok/s",
    Unit.EVENTS: "short",
    Unit.SCORE: "none",  # a 0-1 score is not a fraction of anything: no percent sign
    Unit.CONNECTIONS: "short",
    Unit.COUNT: "short",
    Unit.NONE: "short",
    # A metric declared in these units but without the matching scale still reads that way.
    Unit.RATIO: "percentunit",
    Unit.PERCENT: "percent",
}

# Per-second rates of counters in that unit.
_PER_SECOND: dict[Unit, str] = {
    Unit.REQUESTS: "reqps",
    Unit.EVENTS: "eps",
    Unit.COUNT: "cps",
    Unit.NONE: "cps",
    Unit.CONNECTIONS: "cps",
    Unit.BYTES: "Bps",
    Unit.MEBIBYTES: "MiBs",
    Unit.TOKENS: "suffix: tok/s",
    Unit.JOULES: "watt",  # joules per second are watts
    Unit.MILLIJOULES: "mwatt",
}


class UnitError(ValueError):
    """An expression whose meaning is unknown, so no honest unit exists."""


def grafana_unit(meta: Meta) -> str:
    """The Grafana unit id for a value meaning ``meta``.

    ratio -> ``percentunit``, percent -> ``percent``, seconds -> ``s``, bytes -> ``bytes``,
    MiB -> ``mbytes``, celsius -> ``celsius``, watts -> ``watt``, request rates -> ``reqps``, other
    event rates -> ``eps``/``cps``. Seconds per second (CPU time) read as a ratio.
    """
    scale = meta.effective_scale
    if scale is None:
        raise UnitError("the expression's scale is unknown (e.g. a sum of ratios); declare its meaning")
    if scale is Scale.RATIO:
        return "percentunit"
    if scale is Scale.PERCENT:
        return "percent"
    table = _PER_SECOND if meta.per_second else _ABSOLUTE
    if meta.unit not in table:
        raise UnitError(f"no Grafana unit for {meta.unit.value}{' per second' if meta.per_second else ''}")
    return table[meta.unit]


def value_range(meta: Meta) -> tuple[int | None, int | None]:
    """Axis bounds implied by the meaning: 0-1 for scores; ratios and percentages start at 0.

    No upper bound for ratios: an error ratio of 0.1 % would be a flat line on a 0-100 % axis.
    """
    if meta.unit is Unit.SCORE and not meta.per_second and meta.effective_scale is Scale.ABSOLUTE:
        return 0, 1
    if meta.effective_scale in (Scale.RATIO, Scale.PERCENT):
        return 0, None
    return None, None
