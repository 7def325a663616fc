"""Exact burn-rate arithmetic: factors, thresholds and their text."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from guardiangen.plan.slo import burnrate as sm
from guardiangen.plan.slo.rules import SloRules
from guardiangen.spec.types import parse_duration_ms

PAIRS = [p for t in sm.TIERS for p in t.pairs]


def _factor_texts(period: str) -> list[str]:
    return [sm.exact_text(p.factor(period)) for p in PAIRS]


def test_workbook_factors_for_30d_and_28d() -> None:
    assert _factor_texts("30d") == ["14.4", "6", "3", "1"]
    # 28d: exact where the decimal terminates, the float64 nearest 14/15 where it repeats.
    assert _factor_texts("28d") == ["13.44", "5.6", "2.8", "0.9333333333333333"]
    assert [p.factor("28d") for p in PAIRS][-1] == Fraction(14, 15)


def test_error_budget_is_exact() -> None:
    assert sm.exact_text(sm.error_budget(Decimal("99.9"))) == "0.001"
    assert sm.exact_text(sm.error_budget(Decimal("99.95"))) == "0.0005"
    assert sm.exact_text(sm.error_budget(Decimal("99.999"))) == "0.00001"  # no exponent


@given(
    period_hours=st.integers(min_value=72, max_value=24 * 400),
    objective=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99.999"), places=3),
)
def test_factor_times_window_over_period_is_the_budget_share(period_hours: int, objective: Decimal) -> None:
    period = f"{period_hours}h"
    budget = sm.error_budget(objective)
    for pair in PAIRS:
        factor = pair.factor(period)
        long_ms = Fraction(parse_duration_ms(pair.long))
        assert factor * long_ms / (period_hours * 3_600_000) == pair.budget_share
        threshold = sm.threshold(pair, period, budget)
        assert threshold == factor * budget
        text = sm.exact_text(threshold)
        assert "e" not in text.lower()
        # The text is the exact value when it terminates, else it parses to the nearest float64.
        if sm.terminates(threshold):
            assert Fraction(text) == threshold
        assert float(text) == float(threshold)


@given(st.fractions(min_value=Fraction(1, 10**12), max_value=Fraction(10**6)))
def test_exact_text_round_trips(x: Fraction) -> None:
    text = sm.exact_text(x)
    assert float(text) == float(x)
    assert Fraction(text) == x or not sm.terminates(x)


def test_reference_thresholds_as_emitted(planned: dict[str, SloRules]) -> None:
    def thresholds(slo_id: str) -> list[str]:
        return [sm.exact_text(x) for t in planned[slo_id].tiers for _, x in t.pairs]

    assert thresholds("code-availability") == ["0.0144", "0.006", "0.003", "0.001"]
    assert thresholds("math-availability") == ["0.0672", "0.028", "0.014", "0.004666666666666667"]
    # 90 %: 14.4 x 10 % is 144 %, a ratio cannot get there: that pair is left out.
    assert thresholds("code-quality") == ["0.6", "0.3", "0.1"]
    assert thresholds("medical-quality") == ["0.72", "0.3"]  # page only


def test_texts_for_people() -> None:
    assert sm.rounded_text(Fraction(14, 15)) == "0.9333"
    assert sm.percent_text(Fraction(7, 1500)) == "0.4667%"
    assert sm.percent_text(Fraction(1, 1000)) == "0.1%"
