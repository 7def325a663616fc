"""The emulation of Prometheus' template functions that expected annotations are computed with."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guardiangen.plan.rules.humanize import (
    AmbiguousValue,
    UnsupportedTemplate,
    expand,
    humanize,
    humanize1024,
    humanize_duration,
    humanize_percentage,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (1, "1"), (1000, "1k"), (1234567, "1.235M"), (-1234, "-1.234k"), (0.012, "12m"), (1.2e-5, "12u")],
)
def test_humanize(value: float, text: str) -> None:
    assert humanize(value) == text


@pytest.mark.parametrize(("value", "text"), [(0.5, "0.5"), (1, "1"), (1024, "1ki"), (2048, "2ki"), (1048576, "1Mi")])
def test_humanize1024(value: float, text: str) -> None:
    assert humanize1024(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0s"),
        (1, "1s"),
        (59.5, "59.5s"),
        (60, "1m 0s"),
        (3661, "1h 1m 1s"),
        (90061, "1d 1h 1m 1s"),
        (-3661, "-1h 1m 1s"),
        (0.05, "50ms"),
        (1e-6, "1us"),
    ],
)
def test_humanize_duration(value: float, text: str) -> None:
    assert humanize_duration(value) == text


@pytest.mark.parametrize(("value", "text"), [(0.1234567, "12.35%"), (1, "100%"), (0.055, "5.5%"), (0, "0%")])
def test_humanize_percentage(value: float, text: str) -> None:
    assert humanize_percentage(value) == text


def test_expand_renders_labels_and_values() -> None:
    template = 'GPU {{ $labels.UUID }}: {{ $value | humanizePercentage }}, {{ printf "%.1f" $value }}% raw'
    assert expand(template, Decimal("0.975"), {"UUID": "GPU-1"}) == "GPU GPU-1: 97.5%, 1.0% raw"
    assert expand('{{ printf "%.3g" $value }}', Decimal("0.765"), {}) == "0.765"


def test_values_on_a_rounding_boundary_are_refused() -> None:
    # 0.99995 prints as 1000m or 999.9m depending on the last bit Prometheus computes.
    with pytest.raises(AmbiguousValue):
        expand("{{ $value | humanize }}", Decimal("0.99995"), {})
    # Exact values (counts) are not perturbed: 1 is "1", never "1000m".
    assert expand("{{ $value | humanize }}", Decimal(1), {}, exact=True) == "1"


def test_unknown_template_actions_are_refused() -> None:
    with pytest.raises(UnsupportedTemplate):
        expand("{{ $value | title }}", Decimal(1), {})
    with pytest.raises(ValueError):
        expand("{{ $value | humanize }}", None, {})
