"""An independent model of the SLO rules, used to write the expectations of the generated tests.

It does not read the rule text: it recomputes what the rules should yield from the synthetic
traffic, the way the rules are specified (5m rates recorded at every evaluation, longer windows as
ratio of sums of those samples, a pair fires when both windows exceed the threshold). If the
rules and this model disagree, promtool fails the generated test.

Prometheus 2 selects range samples in ``[t-W, t]`` and Prometheus 3 in ``(t-W, t]``; the model
evaluates both, and an assertion is only emitted where both agree and every compared value is at
least 1 % away from its threshold, so the tests pass on either version and never hinge on float
rounding. Traffic changes only at multiples of the 5m evaluation step, so a 5m rate sample means
the same under both range conventions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from guardiangen.spec.types import parse_duration_ms

STEP = 5  # minutes between evaluations (the tests' evaluation_interval) and the rate window
MARGIN = Fraction(1, 100)
EPSILON = Fraction(1, 10**9)


@dataclass(frozen=True, eq=False)  # hashed by identity: the memoized oracle keys on it cheaply
class Traffic:
    """Aggregated increments per 5m slice: ``total[k-1]``/``bad[k-1]`` happen in minutes
    (5k-5, 5k], so the 5m rate recorded at minute 5k covers exactly slice k."""

    total: tuple[Fraction, ...]
    bad: tuple[Fraction, ...]

    @cached_property
    def _prefix(self) -> tuple[list[Fraction], list[Fraction]]:
        out: tuple[list[Fraction], list[Fraction]] = ([Fraction(0)], [Fraction(0)])
        for bad, total in zip(self.bad, self.total, strict=True):
            out[0].append(out[0][-1] + bad)
            out[1].append(out[1][-1] + total)
        return out

    def sums(self, first: int, last: int) -> tuple[Fraction, Fraction]:
        """(bad, total) summed over the 5m samples taken at minutes ``first``..``last``."""
        bad, total = self._prefix
        k_lo, k_hi = max(1, -(-first // STEP)), min(last // STEP, len(bad) - 1)
        if k_hi < k_lo:
            return Fraction(0), Fraction(0)
        return bad[k_hi] - bad[k_lo - 1], total[k_hi] - total[k_lo - 1]


class Ambiguous(Exception):
    """The outcome at this time depends on the Prometheus version or on rounding: don't assert it."""


def minutes(duration: str) -> int:
    return parse_duration_ms(duration) // 60_000


def ratio(traffic: Traffic, t: int, window: str, closed: bool) -> Fraction | None:
    """The recorded error ratio over ``window`` at minute ``t``, or None (no traffic: no sample).

    5m reads the sample recorded at ``t``; longer windows sum the samples in ``[t-W, t]``
    (``closed``, Prometheus 2) or ``(t-W, t]`` (Prometheus 3).
    """
    if window == "5m":
        bad, total = traffic.sums(t, t)
    else:
        w = minutes(window)
        bad, total = traffic.sums(t - w if closed else t - w + 1, t)
    return bad / total if total > 0 else None


def pair_fires(traffic: Traffic, t: int, long: str, short: str, threshold: Fraction) -> Fraction | None:
    """The long-window ratio (the alert's $value) when both windows exceed ``threshold``, else None;
    raises :class:`Ambiguous` when the two Prometheus range conventions or the margin disagree."""
    results: list[Fraction | None] = []
    for closed in (True, False):
        pair = [ratio(traffic, t, w, closed) for w in (long, short)]
        for v in pair:
            if v is not None and abs(v - threshold) <= threshold * MARGIN:
                raise Ambiguous(f"{v} is within 1% of {threshold}")
        fires = all(v is not None and v > threshold for v in pair)
        results.append(pair[0] if fires else None)
    if (results[0] is None) != (results[1] is None):
        raise Ambiguous("Prometheus 2 and 3 disagree")
    values = [v for v in results if v is not None]
    if values:
        # Both conventions, and a hair either side (Prometheus sums floats), must print alike.
        texts = {humanize_percentage(v * k) for v in values for k in (1 - EPSILON, 1, 1 + EPSILON)}
        if len(texts) > 1:
            raise Ambiguous(f"the alert value prints as any of {sorted(texts)}")
    return results[0]


def tier_fires(traffic: Traffic, t: int, pairs: Sequence[tuple[str, str, Fraction]]) -> Fraction | None:
    """$value of ``(p1) or (p2) ...``: the first firing pair's long-window ratio, or None."""
    values = [pair_fires(traffic, t, long, short, x) for long, short, x in pairs]
    return next((v for v in values if v is not None), None)


def humanize_percentage(v: Fraction) -> str:
    """Go's ``humanizePercentage``: ``fmt.Sprintf("%.4g%%", v*100)`` on a float64."""
    return "%.4g%%" % (float(v) * 100)
