"""The Fluentd log pipeline from the spec's ``logging:`` section."""

from __future__ import annotations

from guardiangen.plan.model import LoggingPlan
from guardiangen.spec.models import ClusterSpec


def build(spec: ClusterSpec) -> LoggingPlan | None:
    return None if spec.logging is None else LoggingPlan()
