"""SLO recording rules, burn-rate alerts and their promtool tests."""

from __future__ import annotations

from guardiangen.catalog import Catalog
from guardiangen.plan.model import RulesPlan, SloPlan
from guardiangen.spec.models import ClusterSpec


def build(spec: ClusterSpec, catalog: Catalog) -> tuple[tuple[SloPlan, ...], RulesPlan]:
    """The SLOs and their rules. (Filled in by the SLO work; empty until then.)"""
    return (), RulesPlan()
