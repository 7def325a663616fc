"""What the Grafana dashboards and their provisioning files show, beyond the rules and SLOs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DashboardsPlan:
    """Placeholder while the Grafana target still reads the spec (issue #14 in progress)."""
