"""Alertmanager routing, receivers and inhibition from the spec and the planned alerts."""

from __future__ import annotations

from guardiangen.plan.model import AlertingPlan, RulesPlan
from guardiangen.spec.models import ClusterSpec


def build(spec: ClusterSpec, rules: RulesPlan) -> AlertingPlan:
    return AlertingPlan()
