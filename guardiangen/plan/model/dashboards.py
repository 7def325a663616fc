"""What the Grafana dashboards and their provisioning files show, beyond the cluster, the catalog and the SLOs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guardiangen.plan.model.engines import EngineView
from guardiangen.plan.model.slo import SloWindowSeries


@dataclass(frozen=True)
class Datasource:
    """A datasource Grafana is provisioned with."""

    name: str  # shown in Grafana
    uid: str  # fixed, so the dashboards select their Prometheus by it
    url: str  # how Grafana's backend reaches the server


@dataclass(frozen=True)
class InventoryNode:
    """One node of the spec's GPU inventory, with the figures of its GPU model."""

    name: str  # the node's name in the spec
    host: str  # value of the exporter's host label (``catalog.gpu.host_label``) on the node's series
    model: str  # the model's product name, as the exporter labels it
    gpus: int  # GPUs the spec expects on the node
    memory_gib: int  # memory per GPU
    throttle_celsius: int  # the temperature at which the model throttles


@dataclass(frozen=True)
class PanelThresholds:
    """The alert thresholds the panels draw as dashed lines: the ones the rules alert on."""

    gpu_utilization_percent: Decimal
    gpu_memory_percent: Decimal
    gpu_temperature_celsius: int  # the lowest alerting temperature over the GPU models: one line for all GPUs
    node_cpu_percent: Decimal
    node_memory_percent: Decimal


@dataclass(frozen=True)
class WatchingGuardian:
    """A guardian as its coverage panel needs it: whose requests it should evaluate."""

    name: str
    label_value: str  # its ``guardian_type`` value
    watched: tuple[str, ...]  # ``specialist_type`` values of the specialists it watches, sorted, unique


@dataclass(frozen=True)
class SliLines:
    """The recorded windows the SLI panel of one SLO draws."""

    slo: str  # the SLO's id (:attr:`SloPlan.id`)
    # The window closest to 1h (smooth, still recent), then the whole period when it is recorded (what
    # the objective is judged on). Empty when the SLO records no window: the SLO has no SLI panel.
    windows: tuple[SloWindowSeries, ...]


@dataclass(frozen=True)
class DashboardsPlan:
    """What the dashboards and provisioning files need besides ``plan.cluster``, ``plan.catalog`` and ``plan.slos``."""

    prometheus: Datasource
    alertmanager: Datasource
    folder: str  # the Grafana folder of the generated dashboards
    scrape_interval: str  # Prometheus' scrape interval: Grafana derives ``$__rate_interval`` from it
    gpu_nodes: tuple[InventoryNode, ...]  # in spec order
    thresholds: PanelThresholds
    guardians: tuple[WatchingGuardian, ...]  # in spec order
    sli: tuple[SliLines, ...]  # one per SLO of ``plan.slos``, in the same order
    engines: tuple[EngineView, ...] = ()  # specialists owning engine series, in spec order: one engine row each
