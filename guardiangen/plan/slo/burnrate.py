"""Windows, burn-rate tiers and their factors, in exact arithmetic.

The multi-window multi-burn-rate policy is data (as in the SRE workbook's table): each alert pair
names a long window, a short window and the share of the period's error budget that burning for
the whole long window would consume. The factor follows from the period:

    factor = budget_share x period / long_window        (30d: 14.4, 6, 3, 1; 28d: 13.44, 5.6, 2.8, 0.9333...)
    threshold on the error ratio = factor x error_budget

Objectives are decimals, so error budgets are terminating decimals (99.9 -> 0.001), but
``period / long_window`` can repeat (28d / 3d = 9.333...). Arithmetic therefore runs on
:class:`fractions.Fraction`, which is exact for every quotient, and becomes text only at the end
(:func:`exact_text`): a terminating value prints exactly (``0.0144``); a repeating one prints as
the shortest decimal that parses to the float64 nearest the exact value (``0.9333333333333333``).
Prometheus compares float64 values, so no literal can be closer to the exact threshold; a
PromQL expression such as ``0.005 * 28 / 30`` would instead round at every operation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from guardiangen.promql.text import format_number
from guardiangen.spec.types import format_duration_ms, parse_duration_ms

SHORT_WINDOWS = ("5m", "30m", "1h", "2h", "6h")
"""Windows of the short group: evaluated often, cheap (at most 6h of recorded 5m samples)."""
LONG_WINDOWS = ("1d", "3d")
"""Windows of the long group, together with the SLO's period."""
RATE_WINDOW = "5m"
"""The only range over raw counters; every longer window is summed from the recorded 5m rates."""


@dataclass(frozen=True)
class Pair:
    """Alert when the error ratio exceeds the threshold over both windows."""

    long: str
    short: str
    budget_share: Fraction  # share of the period's budget burnt in `long` at the threshold

    def factor(self, period: str) -> Fraction:
        """Burn-rate factor: budget_share x period / long window (exact)."""
        return _factor(self, period)


@dataclass(frozen=True)
class Tier:
    name: str  # value of the `burn_tier` label
    severity: str
    pairs: tuple[Pair, ...]
    summary: str  # how it burns, for the static summary


TIERS = (
    Tier("page", "critical", (Pair("1h", "5m", Fraction(2, 100)), Pair("6h", "30m", Fraction(5, 100))), "fast"),
    Tier("ticket", "warning", (Pair("1d", "2h", Fraction(10, 100)), Pair("3d", "6h", Fraction(10, 100))), "steadily"),
)
# Every cached function below depends only on an SLO's period, objective and tiers, which a fleet's
# SLOs share: thousands of SLOs come in a handful of such shapes.


@functools.lru_cache(maxsize=1024)
def _factor(pair: Pair, period: str) -> Fraction:
    return pair.budget_share * parse_duration_ms(period) / parse_duration_ms(pair.long)


MIN_PERIOD = max(parse_duration_ms(p.long) for t in TIERS for p in t.pairs)


@functools.lru_cache(maxsize=1024)
def error_budget(objective_percent: Decimal) -> Fraction:
    """1 - objective, exact: 99.9 -> 1/1000."""
    return 1 - Fraction(objective_percent) / 100


@functools.lru_cache(maxsize=4096)
def threshold(pair: Pair, period: str, budget: Fraction) -> Fraction:
    """The error ratio at which ``pair`` fires: factor x budget."""
    return pair.factor(period) * budget


def feasible(pair: Pair, period: str, budget: Fraction) -> bool:
    """Can the error ratio (at most 1) exceed the pair's threshold at all?

    With a large budget (an objective of 90 % leaves 10 %) the 14.4x threshold is 1.44: such a pair
    can never fire and is left out of the alert rather than emitted as a dead comparison.
    """
    return threshold(pair, period, budget) < 1


@functools.lru_cache(maxsize=1024)
def windows(period: str) -> tuple[str, ...]:
    """Every recorded error-ratio window: the alert windows, then the period (once)."""
    return tuple(dict.fromkeys((*SHORT_WINDOWS, *LONG_WINDOWS, canonical(period))))


@functools.lru_cache(maxsize=1024)
def canonical(duration: str) -> str:
    return format_duration_ms(parse_duration_ms(duration))


def terminates(x: Fraction) -> bool:
    """True when ``x`` has a finite decimal expansion (its denominator is 2^a 5^b)."""
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


@functools.lru_cache(maxsize=8192)  # the same budgets and factors recur in every SLO of a shape
def exact_text(x: Fraction) -> str:
    """Decimal text of ``x`` for PromQL and labels: exact when it terminates, else the shortest text
    of the nearest float64 (Python's ``float(Fraction)`` rounds correctly), never an exponent."""
    if terminates(x):
        k = 0
        while (x * 10**k).denominator != 1:
            k += 1
        # Digits by hand: Decimal arithmetic would round to its context's 28 digits.
        digits = str(abs(int(x * 10**k))).rjust(k + 1, "0")
        whole, frac = digits[: len(digits) - k], digits[len(digits) - k :].rstrip("0")
        return ("-" if x < 0 else "") + whole + (f".{frac}" if frac else "")
    return format_number(Decimal(repr(float(x))))


@functools.lru_cache(maxsize=8192)
def rounded_text(x: Fraction, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits, for people (annotations): 0.93333 -> 0.9333."""
    if x == 0:
        return "0"
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return format_number(round(d, digits - d.adjusted() - 1))


def percent_text(ratio: Fraction) -> str:
    """A ratio as a percentage for people: 1/1000 -> 0.1%."""
    return rounded_text(ratio * 100) + "%"
