"""Generated promtool tests of one SLO: burn scenarios, zero traffic, no data, recorded values.

Scenarios (error ratios as multiples of the error budget; values for a 30d period, 28d keeps them):

* fast burn: 6h healthy, then 15x: the page alert is silent 50m in and fires by 65m (the
  workbook's detection time at 15x is 57.6m, plus one 5m rate window and one evaluation); at 13x
  it is still silent at 65m (13 < 14.4, and the 6h window is diluted by the healthy hours);
* slow burn, steady 7x: the page tier fires through its 6h/30m pair alone;
* steady 3.5x fires the ticket tier and not the page tier; after 6h healthy it stays silent for
  90 % of its detection time and fires by 110 % of it;
* uneven traffic: a heavy day at 4.5x, 4h of heavy healthy traffic, then 2h light at 3.5x: the
  ticket tier fires through its 1d/2h pair alone (the 6h window is diluted), and every window's
  ratio is checked against the model, which tells a ratio of sums from a mean of ratios and a 3d
  window from a 1d one;
* steady 0.9x fires nothing, and the recorded ratios, burn rates and budget read 0.9x (Go's
  ``le="10"`` spelling here, the Python client's ``le="10.0"`` elsewhere);
* zero traffic (counters present, flat) fires nothing, not even the no-data alert: the SLI
  records 0 requests and no ratio; no input at all fires the no-data alert (policy `alert`);
* no error series yet: 0 bad events, not no data; coverage: per-specialist clamping.

Multiples that a period's factors would make meaningless are moved to a fitting value, and a
scenario whose error ratio would exceed 100 % (a 90 % objective cannot burn at 15x) is skipped.
Expectations come from :mod:`.slo_oracle`, not from the rule text. Inputs are sampled every 1m
(a 5m rate then has 5-6 samples under both range conventions) and rules are evaluated every 5m,
which keeps the longest scenario (30h of input) cheap for promtool.
"""

from __future__ import annotations

import functools
from fractions import Fraction

from guardiangen.plan.model import AlertRuleTest, ExpectedAlert, Labels, UnitTestCase, UnitTestFile
from guardiangen.plan.slo import burnrate as sm
from guardiangen.plan.slo import oracle as so
from guardiangen.plan.slo import testgen_inputs as si
from guardiangen.plan.slo.rules import SloRules, absent_for, rules_file
from guardiangen.plan.slo.testgen_inputs import Phase, Scenario
from guardiangen.spec.types import format_duration_ms

HEALTHY = 360  # minutes of healthy traffic before a step: all of it fits in the 1d and 3d windows


def build(r: SloRules, covers: tuple[tuple[str, str], ...] = ()) -> UnitTestFile:
    """The promtool test file of one SLO; loads only that SLO's rules file. ``covers``: the rules
    files of the SLOs of the same shape, which this test stands for (see :mod:`.shapes`)."""
    cases = [case for s in scenarios(r) if (case := _case(r, s)) is not None]
    cases += [c for c in (si.missing_bad_case(r), si.coverage_case(r)) if c is not None]
    # Short group first, as the model assumes: the long group reads what the short one just recorded.
    order = tuple(g.name for g in r.groups)
    return UnitTestFile(
        rules_file(r.d), (rules_file(r.d),), f"{so.STEP}m", tuple(cases), group_eval_order=order, covers=covers
    )


def _pick(preferred: Fraction, lo: Fraction, hi: Fraction | None, fallback: Fraction) -> Fraction:
    """``preferred`` when it clears (lo, hi) by 2 %, else ``fallback`` to 3 significant digits
    (short numbers keep the alert value away from a rounding tie when Prometheus prints it)."""
    if preferred > lo * Fraction(51, 50) and (hi is None or preferred < hi * Fraction(50, 51)):
        return preferred
    return Fraction(sm.rounded_text(fallback, 3))


def _floor5(x: Fraction) -> int:
    return int(x // so.STEP) * so.STEP


def _ceil5(x: Fraction) -> int:
    return -int(-x // so.STEP) * so.STEP


def _x(m: Fraction) -> str:
    return sm.rounded_text(m) + "x budget"


def scenarios(r: SloRules) -> list[Scenario]:
    """The scenarios of one SLO whose error ratios are possible (at most 100 %)."""
    f = [p.factor(r.period) for t in sm.TIERS for p in t.pairs]  # 1h, 6h, 1d, 3d
    hi = _pick(Fraction(15), f[0], None, f[0] * Fraction(25, 24))
    lo = _pick(Fraction(13), Fraction(0), f[0], f[0] * Fraction(65, 72))
    slow = _pick(Fraction(7), f[1], f[0], f[1] * Fraction(7, 6))
    ticket = _pick(Fraction(7, 2), f[2], f[1], f[2] * Fraction(7, 6))
    quiet = _pick(Fraction(9, 10), Fraction(0), f[3], f[3] * Fraction(9, 10))
    detect = 60 * f[0] / hi  # minutes until the 1h window averages above the threshold
    # Check firing once the whole 1h window is past the step: its value ($value) is then the same
    # on Prometheus 2 and 3, whose windows differ by the sample at the step.
    silent, fire = _floor5(detect - 5), max(_ceil5(detect + 5), 65)
    # The 1d and 3d windows hold all the data so far; the 3d one crosses first: m x / (6h + x) > f[3].
    t_detect = min(f[3] * HEALTHY / (ticket - f[3]), 1440 * f[2] / ticket)
    early, late = _floor5(t_detect * Fraction(9, 10)), _ceil5(t_detect * Fraction(11, 10))
    healthy, heavy = Fraction(0), Fraction(100)
    # Checked at the end (24h30m): a heavy bad day, heavy healthy hours that dilute the 6h window,
    # 2h light and bad. The 5m slices that the 2h, 6h and 1d windows start with are light, so
    # Prometheus 2's extra sample at a window's start (its ranges are closed) barely moves them;
    # the first 25m (heavy, healthy) are only in the 3d window and the period.
    uneven = (Phase(25, healthy, heavy), Phase(10, healthy), Phase(1065, ticket * Fraction(9, 7), heavy),
              Phase(15, healthy), Phase(230, healthy, heavy), Phase(125, ticket))  # fmt: skip
    out = [
        Scenario(f"{_x(hi)} after 6h healthy: page silent at +{silent}m, fires by +{fire}m",
                 (Phase(HEALTHY, healthy), Phase(fire, hi)), (HEALTHY + silent, HEALTHY + fire)),
        Scenario(f"{_x(lo)} after 6h healthy: page still silent at +{fire}m",
                 (Phase(HEALTHY, healthy), Phase(fire, lo)), (HEALTHY + fire,)),
        Scenario(f"steady {_x(slow)}: page fires through its 6h/30m pair", (Phase(60, slow),), (60,)),
        Scenario(f"steady {_x(ticket)}: ticket fires, page does not", (Phase(60, ticket),), (60,)),
        Scenario(f"{_x(ticket)} after 6h healthy: ticket silent at +{_at(early)}, fires by +{_at(late)}",
                 (Phase(HEALTHY, healthy), Phase(late, ticket)), (HEALTHY + early, HEALTHY + late)),
        Scenario(f"uneven traffic ending in 2h at {_x(ticket)}: ticket fires through its 1d/2h pair; "
                 "every window reads its ratio of sums", uneven, (sum(p.minutes for p in uneven),), windows=True),
        Scenario(f"steady {_x(quiet)}: nothing fires, recorded ratios and budget read {_x(quiet)}",
                 (Phase(60, quiet),), (60,), go_le=True, values=True),
        Scenario("zero traffic: no burn alert, no no-data alert, no ratio", (Phase(60, None),), (60,), values=True),
    ]  # fmt: skip
    wait = so.minutes(absent_for(r.d))
    out.append(Scenario("no input series at all: only the no-data alert fires", (), (max(0, wait - 5), wait + 5)))
    return [s for s in out if all(p.multiple is None or p.multiple * r.budget <= 1 for p in s.phases)]


def _case(r: SloRules, s: Scenario) -> UnitTestCase | None:
    assert all(p.minutes % so.STEP == 0 for p in s.phases), s
    inputs, traffic = si.inputs(r, s)
    alert_tests: list[AlertRuleTest] = []
    for t in s.checks:
        outcome = _outcome(traffic, t, tuple(tuple((p.long, p.short, x) for p, x in tier.pairs) for tier in r.tiers))
        if outcome is None:
            continue  # never assert what depends on the Prometheus version or float rounding
        fired = [(r.tiers[i], v) for i, v in outcome]
        exp = tuple(ExpectedAlert(tier.labels, _render(tier.annotations, r, v)) for tier, v in fired)
        alert_tests.append(AlertRuleTest(_at(t), r.burn_alert, exp))
        if r.absent is not None:
            absent = not s.phases and t >= so.minutes(absent_for(r.d))
            exp_absent = (ExpectedAlert(r.absent.labels, _render(r.absent.annotations, r, None)),) if absent else ()
            alert_tests.append(AlertRuleTest(_at(t), r.absent.alert or "", exp_absent))
    if not alert_tests:
        return None
    end = _at(s.checks[-1])
    exprs = si.value_tests(r, s, traffic, end) if s.values else ()
    exprs += si.window_tests(r, s.checks[-1], traffic, end) if s.windows else ()
    return UnitTestCase(f"{r.d.id}: {s.name}", "1m", inputs, tuple(alert_tests), exprs)


Pairs = tuple[tuple[str, str, Fraction], ...]


@functools.lru_cache(maxsize=4096)
def _outcome(traffic: so.Traffic, t: int, tiers: tuple[Pairs, ...]) -> tuple[tuple[int, Fraction], ...] | None:
    """(tier index, $value) of every tier firing at minute ``t``, or None when any is ambiguous.

    Memoized per SLO shape: SLOs of the same budget, period, tiers and counter count share their
    :func:`~.slo_test_inputs.traffic` object (hashed by identity, as the cache holds it), so the
    exact Fraction model runs once per shape instead of once per SLO."""
    try:
        return tuple((i, v) for i, pairs in enumerate(tiers) if (v := so.tier_fires(traffic, t, pairs)) is not None)
    except so.Ambiguous:
        return None


def _at(minutes: int) -> str:
    return format_duration_ms(minutes * 60_000)


def _render(annotations: Labels, r: SloRules, value: Fraction | None) -> Labels:
    """Annotations as Prometheus renders them for this alert."""
    out = []
    for k, text in annotations:
        text = text.replace("{{ $labels.slo }}", r.d.id)
        if value is not None:
            text = text.replace("{{ $value | humanizePercentage }}", so.humanize_percentage(value))
        out.append((k, text))
    return tuple(out)
