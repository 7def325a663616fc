"""The Fluentd log pipeline: sources, routes and outputs, with their names and paths decided."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoggingPlan:
    """Placeholder while the Fluentd target still reads the spec (issue #14 in progress)."""
