"""The model behind the generated tests' expectations."""

from __future__ import annotations

from fractions import Fraction

import pytest

from guardiangen.plan.slo import oracle as so

BUDGET = Fraction(1, 1000)


def _traffic(*phases: tuple[int, Fraction, int]) -> so.Traffic:
    """(minutes, error ratio, requests per minute) phases, as 5m slices."""
    total = tuple(Fraction(5 * rpm) for minutes, _, rpm in phases for _ in range(minutes // 5))
    bad = tuple(Fraction(5 * rpm) * r for minutes, r, rpm in phases for _ in range(minutes // 5))
    return so.Traffic(total, bad)


def test_steady_ratio_reads_the_same_in_every_window() -> None:
    t = _traffic((360, 9 * BUDGET / 10, 1000))
    for window in ("5m", "30m", "1h", "6h", "1d", "30d"):
        for closed in (True, False):
            assert so.ratio(t, 360, window, closed) == 9 * BUDGET / 10


def test_ratio_of_sums_weights_slices_by_traffic() -> None:
    # 1h light at 100 % errors then 1h heavy (99x) and healthy: 1 % over 2h, not a 50 % mean of ratios.
    t = _traffic((60, Fraction(1), 10), (60, Fraction(0), 990))
    assert so.ratio(t, 120, "2h", closed=False) == Fraction(1, 100)


def test_closed_ranges_hold_one_more_sample() -> None:
    t = _traffic((60, Fraction(0), 1000), (60, Fraction(1, 10), 1000))
    assert so.ratio(t, 120, "1h", closed=False) == Fraction(1, 10)  # (60, 120]: all after the step
    assert so.ratio(t, 120, "1h", closed=True) == Fraction(12, 130)  # [60, 120]: plus the slice before


def test_zero_traffic_has_no_ratio() -> None:
    assert so.ratio(_traffic((60, Fraction(0), 0)), 60, "1h", closed=True) is None


def test_fast_burn_fires_after_the_workbook_detection_time() -> None:
    # 15x after 6h healthy: the 1h window reaches 14.4x after 57.6m (plus the 5m rate window).
    t = _traffic((360, Fraction(0), 1000), (65, 15 * BUDGET, 1000))
    threshold = Fraction(144, 10) * BUDGET
    assert so.pair_fires(t, 360 + 50, "1h", "5m", threshold) is None
    assert so.pair_fires(t, 360 + 65, "1h", "5m", threshold) == 15 * BUDGET


def test_a_value_near_the_threshold_is_not_asserted() -> None:
    t = _traffic((60, Fraction(1449, 100) * BUDGET, 1000))
    with pytest.raises(so.Ambiguous):
        so.pair_fires(t, 60, "1h", "5m", Fraction(144, 10) * BUDGET)


def test_humanize_percentage_is_gos() -> None:
    assert so.humanize_percentage(Fraction(15, 1000)) == "1.5%"
    assert so.humanize_percentage(Fraction(7, 10**6)) == "0.0007%"
    assert so.humanize_percentage(Fraction(1, 3)) == "33.33%"
