"""What the dashboards show beyond the rules and SLOs: inventory, watch lists, thresholds, datasources."""

from __future__ import annotations

from guardiangen.catalog import Catalog
from guardiangen.plan.model import DashboardsPlan, SloPlan
from guardiangen.spec.models import ClusterSpec


def build(spec: ClusterSpec, catalog: Catalog, slos: tuple[SloPlan, ...]) -> DashboardsPlan:
    return DashboardsPlan()
