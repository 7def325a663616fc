"""Spec checks that keep the generated alerts meaningful: override names, p95 thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guardiangen.diagnostics import CODES, Diagnostic
from guardiangen.spec.alert_names import GUARDIAN_ALERTS, SPECIALIST_ALERTS
from tests.prometheus.helpers import reference_data, validate_data


def problems(tmp_path: Path, change: Any) -> list[Diagnostic]:
    data = reference_data()
    change(data)
    result = validate_data(data, tmp_path)
    assert result.spec is None
    return result.diagnostics


def test_an_override_of_an_unknown_alert_is_a_positioned_error(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][2]["alert_overrides"] = [{"alert": "SpecialistQualityLo", "severity": "critical"}]
        d["guardians"][0]["alert_overrides"] = [{"alert": "SpecialistQualityLow"}]  # a specialist's alert

    found = problems(tmp_path, change)
    assert [d.code for d in found] == ["GG208", "GG208"]
    assert all(d.line > 0 for d in found)
    assert 'no alert "SpecialistQualityLo" is generated for a specialist (did you mean "SpecialistQualityLow"?)' in (
        found[0].message
    )
    assert "GG208" in CODES


def test_an_alert_overridden_twice_is_an_error(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][0]["alert_overrides"] = [{"alert": "SpecialistTimeoutsHigh"}] * 2

    assert [(d.code, d.message) for d in problems(tmp_path, change)] == [
        ("GG201", 'alert "SpecialistTimeoutsHigh" is overridden twice')
    ]


def test_every_overridable_name_is_accepted(tmp_path: Path) -> None:
    data = reference_data()
    data["specialists"][0]["alert_overrides"] = [{"alert": name} for name in SPECIALIST_ALERTS]
    data["guardians"][0]["alert_overrides"] = [{"alert": name} for name in GUARDIAN_ALERTS]
    result = validate_data(data, tmp_path)
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]


def test_p95_thresholds_the_histogram_cannot_judge(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["specialists"][1]["thresholds"]["latency_p95_max_seconds"] = 90  # top bucket: 60
        d["guardians"][0]["thresholds"]["evaluation_latency_p95_max_seconds"] = 0.005  # first bucket: 0.01

    found = problems(tmp_path, change)
    assert [d.code for d in found] == ["GG206", "GG206"]
    assert "could never fire" in found[0].message and "0.1 to 60 seconds" in found[0].message
    assert "would fire on any traffic" in found[1].message
