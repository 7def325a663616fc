"""Synthetic traffic for the generated SLO tests, and the checks of recorded values.

A scenario is a sequence of phases of constant traffic. Each phase sets the request load (a
multiple of 1000 requests per minute per counter) and the error ratio as a multiple of the error
budget. The SLI's own counters (:class:`~guardiangen.plan.slo.sli.TestCounter`) grow accordingly,
and :class:`~guardiangen.plan.slo.oracle.Traffic` holds the same traffic for the model.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from guardiangen import promql as q
from guardiangen.plan.model import ExpectedSample, InputSeries, PromqlExprTest, UnitTestCase
from guardiangen.plan.slo import burnrate as sm
from guardiangen.plan.slo import oracle as so
from guardiangen.plan.slo.rules import (
    ALL_EVENTS,
    BAD_EVENTS,
    BUDGET_REMAINING,
    BURN_RATE,
    ERROR_BUDGET,
    INFO,
    SloRules,
    ratio_name,
)

# Requests per minute per total counter at load 1. Every counter grows by whole numbers: promtool
# computes the expanding notation in float64, where a segment starting at the decimal text of the
# previous segment's end can land a hair below it, a counter reset that turns into a huge rate.
# Whole numbers below 2^53 are exact. A million leaves bad counts whole for most budgets (bad
# counts are rounded otherwise; the model uses the rounded traffic).
PER_MINUTE = Fraction(10**6)
TOLERANCE = Fraction(1, 10**9)


@dataclass(frozen=True)
class Phase:
    minutes: int  # a multiple of 5: traffic changes only between evaluations
    multiple: Fraction | None  # error ratio / budget; None: no traffic (counters stay flat)
    load: Fraction = Fraction(1)


@dataclass(frozen=True)
class Scenario:
    name: str
    phases: tuple[Phase, ...]  # empty: no input series at all
    checks: tuple[int, ...]  # eval times, minutes
    go_le: bool = False
    values: bool = False  # check the recorded series at the last check
    windows: bool = False  # check every window's ratio at the last check (uneven traffic)


def increments(r: SloRules, phase: Phase) -> tuple[Fraction, Fraction]:
    """Per-minute (total, bad) of one total counter, whole numbers (bad rounded)."""
    return _increments(r.budget, phase)


def _increments(budget: Fraction, phase: Phase) -> tuple[Fraction, Fraction]:
    if phase.multiple is None:
        return Fraction(0), Fraction(0)
    total = PER_MINUTE * phase.load
    return total, Fraction(round(phase.multiple * budget * total))


def values_text(phases: Sequence[Phase], incs: Sequence[Fraction]) -> str:
    """Expanding notation: the first phase starts at t=0, later ones continue the count. Counters
    without traffic stay flat at 100 (present, not growing)."""
    parts, value = [], Fraction(100) if phases[0].multiple is None else Fraction(0)
    for i, (phase, inc) in enumerate(zip(phases, incs, strict=True)):
        start = value if i == 0 else value + inc
        steps = phase.minutes if i == 0 else phase.minutes - 1
        parts.append(f"{num(start)}+{num(inc)}x{steps}")
        value = start + inc * steps
    return " ".join(parts)


@functools.lru_cache(maxsize=4096)
def _values_text(phases: tuple[Phase, ...], incs: tuple[Fraction, ...]) -> str:
    """:func:`values_text`, memoized: every SLO of a shape feeds the same counter values."""
    return values_text(phases, incs)


def num(x: Fraction) -> str:
    return sm.exact_text(x) if sm.terminates(x) else sm.rounded_text(x, 12)


def inputs(r: SloRules, s: Scenario) -> tuple[tuple[InputSeries, ...], so.Traffic]:
    """The scenario's input series and the same traffic, aggregated per 5m slice, for the model."""
    if not s.phases:
        return (), so.Traffic((), ())
    counters = r.d.counters(s.go_le)
    incs = [increments(r, p) for p in s.phases]
    series = []
    for c in counters:
        role_incs = [{"total": t, "bad": b, "good": t - b}[c.role] for t, b in incs]
        series.append(InputSeries(c.series, _values_text(s.phases, tuple(role_incs))))
    # Per 5m slice, all total counters. An SLI whose all events are its good plus its bad series (an
    # engine that counts successes and failures apart) has none: each bad counter, with the good
    # one beside it, is one unit of traffic then.
    units = sum(1 for c in counters if c.role == "total") or sum(1 for c in counters if c.role == "bad")
    n = so.STEP * units
    return tuple(series), traffic(s.phases, r.budget, n)


@functools.lru_cache(maxsize=1024)
def traffic(phases: tuple[Phase, ...], budget: Fraction, n: int) -> so.Traffic:
    """The model's traffic of ``phases`` with ``n`` total-counter minutes per 5m slice. Shared by
    every SLO of the same budget and counter count (3 SLOs per specialist at scale), so its
    prefix sums are computed once per shape."""
    slices = [(p.minutes // so.STEP, t * n, b * n) for p in phases for t, b in (_increments(budget, p),)]
    total = tuple(t for k, t, _ in slices for _ in range(k))
    bad = tuple(b for k, _, b in slices for _ in range(k))
    return so.Traffic(total, bad)


def labels_text(labels: dict[str, str]) -> str:
    return "{" + ",".join(f"{k}={q.quote(v)}" for k, v in sorted(labels.items())) + "}"


def sample_labels(r: SloRules, **labels: str) -> str:
    """The labels of a recorded series of ``r`` as a test expects them: its identity, ``labels``,
    and the static labels every one of its rules carries (the cluster label's stamp)."""
    return labels_text({"slo": r.d.id, **labels, **dict(r.stamp)})


def close(expr: str, expected: Fraction, tolerance: Fraction = TOLERANCE) -> str:
    """1 where ``expr`` is within ``tolerance`` (relative) of ``expected``: promtool compares
    floats exactly, and sums of recorded floats are not exact."""
    return f"abs(({expr}) / {num(expected)} - 1) < bool {num(tolerance)}"


def value_tests(r: SloRules, s: Scenario, traffic: so.Traffic, at: str) -> tuple[PromqlExprTest, ...]:
    """Recorded series at the scenario's last check: exact where exact, else within 1e-9."""
    sel, got = labels_text({"slo": r.d.id}), sample_labels(r)
    if s.phases[-1].multiple is None:  # zero traffic: 0 events recorded, no ratio and no burn rate
        return (
            PromqlExprTest(ALL_EVENTS + sel, at, (ExpectedSample(ALL_EVENTS + got, "0"),)),
            PromqlExprTest(BAD_EVENTS + sel, at, (ExpectedSample(BAD_EVENTS + got, "0"),)),
            PromqlExprTest(ratio_name("1h") + sel, at, ()),
            PromqlExprTest(BURN_RATE + sel, at, ()),
        )
    burn = traffic.bad[-1] / traffic.total[-1] / r.budget  # steady traffic: every window reads this
    per_second = traffic.total[-1] / (so.STEP * 60)
    windows = tuple(ExpectedSample(sample_labels(r, window=w), "1") for w in sm.windows(r.period))
    info_rule = next(rule for g in r.groups for rule in g.rules if rule.record == INFO)
    one = (ExpectedSample(got, "1"),)
    return (
        PromqlExprTest(close(f"{BURN_RATE}{sel}", burn), at, windows),
        PromqlExprTest(close(f"1 - {BUDGET_REMAINING}{sel}", burn), at, one),
        PromqlExprTest(close(f"{ALL_EVENTS}{sel}", per_second), at, one),
        PromqlExprTest(ERROR_BUDGET + sel, at, (ExpectedSample(ERROR_BUDGET + got, sm.exact_text(r.budget)),)),
        PromqlExprTest(INFO + sel, at, (ExpectedSample(INFO + labels_text(dict(info_rule.labels)), "1"),)),
    )


def window_tests(r: SloRules, t: int, traffic: so.Traffic, at: str) -> tuple[PromqlExprTest, ...]:
    """Each window's ratio as the model computes it: with uneven traffic this tells a ratio of
    sums from a mean of ratios, and each window's length from its neighbours'."""
    sel, got = labels_text({"slo": r.d.id}), sample_labels(r)
    out = []
    for w in sm.windows(r.period):
        closed, open_ = so.ratio(traffic, t, w, True), so.ratio(traffic, t, w, False)
        if closed is None or open_ is None or closed == 0 == open_:
            continue
        mid = (closed + open_) / 2
        tolerance = abs(closed - open_) / (2 * mid) + TOLERANCE
        if tolerance < Fraction(1, 10**3):  # else the window starts too close to a traffic change
            out.append(PromqlExprTest(close(ratio_name(w) + sel, mid, tolerance), at, (ExpectedSample(got, "1"),)))
    return tuple(out)


def coverage_case(r: SloRules) -> UnitTestCase | None:
    """Coverage counts per specialist: one over-evaluated specialist (twice per request) must not
    hide another with no evaluation series at all, whose requests are all unevaluated."""
    counters = r.d.counters(False)
    totals = [c for c in counters if c.role == "total"]
    evaluations = [c for c in counters if c.role == "good"]
    if r.d.kind != "coverage" or len(totals) < 2:
        return None
    n = len(totals)
    inputs = [InputSeries(c.series, f"0+{num(PER_MINUTE)}x60") for c in totals]
    inputs.append(InputSeries(evaluations[0].series, f"0+{num(2 * PER_MINUTE)}x60"))
    inputs += [InputSeries(c.series, f"0+{num(PER_MINUTE)}x60") for c in evaluations[2:]]
    sel, got = labels_text({"slo": r.d.id}), sample_labels(r)
    checks = tuple(
        PromqlExprTest(close(f"{ratio_name(w)}{sel}", Fraction(1, n)), "1h", (ExpectedSample(got, "1"),))
        for w in ("5m", "1h")
    )
    name = f"{r.d.id}: one specialist evaluated twice, one never: 1/{n} of requests unevaluated"
    return UnitTestCase(name, "1m", tuple(inputs), (), checks)


def missing_bad_case(r: SloRules) -> UnitTestCase | None:
    """A client library creates a labelled series on first use: before the first error there is
    no error series at all. The SLI must read 0 bad events then, not "no data"."""
    counters = r.d.counters(False)
    if not any(c.role == "bad" for c in counters):
        return None
    inputs = tuple(InputSeries(c.series, f"0+{num(PER_MINUTE)}x60") for c in counters if c.role != "bad")
    sel, got = labels_text({"slo": r.d.id}), sample_labels(r)
    checks = (
        PromqlExprTest(BAD_EVENTS + sel, "1h", (ExpectedSample(BAD_EVENTS + got, "0"),)),
        PromqlExprTest(ratio_name("1h") + sel, "1h", (ExpectedSample(ratio_name("1h") + got, "0"),)),
    )
    return UnitTestCase(f"{r.d.id}: no error series yet: 0 bad events, not no data", "1m", inputs, (), checks)
