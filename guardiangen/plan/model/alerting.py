"""Alertmanager routing, receivers and inhibition as the Alertmanager target needs them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertingPlan:
    """Placeholder while the Alertmanager target still reads the spec (issue #14 in progress)."""
