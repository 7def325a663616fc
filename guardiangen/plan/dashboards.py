"""What the dashboards show beyond the rules and SLOs: inventory, watch lists, thresholds, datasources."""

from __future__ import annotations

from guardiangen.catalog.engines import title as engine_title
from guardiangen.plan.model import (
    DashboardsPlan,
    Datasource,
    EngineView,
    InventoryNode,
    PanelThresholds,
    SliLines,
    SloPlan,
    SloWindowSeries,
    WatchingGuardian,
)
from guardiangen.plan.rules.engines import engine_owners, selector_labels
from guardiangen.spec.models import ClusterSpec, GpuInventory, GrafanaDatasource
from guardiangen.spec.types import parse_duration_ms

SLI_WINDOW_MS = 3_600_000
"""The SLI panel's recent line uses the recorded window closest to 1h: smooth, still recent."""


def build(spec: ClusterSpec, slos: tuple[SloPlan, ...]) -> DashboardsPlan:
    """The dashboards' inputs from a valid spec and its planned SLOs."""
    defaults = spec.defaults
    specialists = {s.name: s.label_value for s in spec.specialists}
    return DashboardsPlan(
        prometheus=_datasource(defaults.prometheus_datasource),
        alertmanager=_datasource(defaults.alertmanager_datasource),
        folder=defaults.dashboard_folder,
        scrape_interval=str(defaults.scrape_interval),
        gpu_nodes=_inventory(spec.gpu_inventory),
        thresholds=PanelThresholds(
            gpu_utilization_percent=spec.gpu_inventory.thresholds.utilization_high_percent,
            gpu_memory_percent=spec.gpu_inventory.thresholds.memory_used_high_percent,
            gpu_temperature_celsius=_temperature_limit(spec.gpu_inventory),
            node_cpu_percent=spec.node_thresholds.cpu_utilization_max_percent,
            node_memory_percent=spec.node_thresholds.memory_utilization_max_percent,
        ),
        guardians=tuple(
            WatchingGuardian(g.name, g.label_value, tuple(sorted({specialists[w] for w in g.watches})))
            for g in spec.guardians
        ),
        sli=tuple(SliLines(s.id, sli_windows(s)) for s in slos),
        engines=tuple(
            EngineView(
                specialist=s.name,
                team=s.team,
                title=engine_title(r.engine),
                release=r,
                requested_version=s.engine.version if s.engine else r.version,
                selector=tuple(sorted(selector_labels(s, r).items())),
            )
            for s, r in engine_owners(spec)
        ),
    )


def _datasource(source: GrafanaDatasource) -> Datasource:
    return Datasource(name=source.name, uid=source.uid, url=source.url)


def _inventory(inventory: GpuInventory) -> tuple[InventoryNode, ...]:
    models = {m.name: m for m in inventory.models}
    return tuple(
        InventoryNode(
            name=node.name,
            host=node.host,
            model=models[node.gpu_model].product_name,
            gpus=node.gpu_count,
            memory_gib=models[node.gpu_model].memory_gib,
            throttle_celsius=models[node.gpu_model].max_temperature_celsius,
        )
        for node in inventory.nodes
    )


def _temperature_limit(inventory: GpuInventory) -> int:
    """The lowest alerting temperature over the models (throttle temperature minus the margin)."""
    return min(m.max_temperature_celsius for m in inventory.models) - inventory.thresholds.temperature_margin_celsius


def sli_windows(slo: SloPlan) -> tuple[SloWindowSeries, ...]:
    """The windows of ``slo``'s SLI panel: the one closest to 1h, then the period's when it is recorded."""
    if not slo.windows:
        return ()
    recent = min(slo.windows, key=lambda w: (abs(parse_duration_ms(w.window) - SLI_WINDOW_MS), w.window))
    return (recent, *(w for w in slo.windows if w.window == slo.period and w != recent))
