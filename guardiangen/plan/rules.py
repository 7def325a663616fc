"""Recording and alerting rules, with their promtool unit tests, from the spec and catalog."""

from __future__ import annotations

from guardiangen.catalog import Catalog
from guardiangen.plan.model import RulesPlan
from guardiangen.spec.models import ClusterSpec


def build(spec: ClusterSpec, catalog: Catalog) -> RulesPlan:
    """The rules plan. (Filled in by the Prometheus rules work; empty until then.)"""
    return RulesPlan()
