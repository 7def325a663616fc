"""GPU inventory: every node and GPU of the spec's inventory, and whether they all report.

Queries go through :mod:`guardiangen.promql.gpu`, so the same dashboard works for the DCGM and the
nvidia_smi exporter profiles (names, scales and host label come from ``catalog.gpu``). Expected GPU
counts come from the plan's inventory (``gpu_inventory`` in the spec); the alert thresholds are
drawn as dashed lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.plan.model import InventoryNode, PanelThresholds, Plan
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import legend, md, md_table
from guardiangen.render.dashboards.panels import (
    RATE,
    Panel,
    Query,
    Stat,
    Step,
    Text,
    Timeseries,
    alert_line,
    query_variable,
)

VARIABLE = "node"


PAGE_NODES = 48
"""At most this many nodes' stat panels and table rows per dashboard page. Page 1 also has the
per-node and per-GPU sections (driven by the ``node`` variable, they don't grow with the fleet);
later pages only the inventory of their nodes."""

Aggregate = Callable[..., q.Expr]
"""``q.max_by``, ``q.sum_by``...: how a section's lines combine the GPUs they stand for."""


def build(plan: Plan) -> DashboardDef | tuple[DashboardDef, ...]:
    catalog = plan.catalog
    gpu = catalog.gpu
    variable = query_variable(VARIABLE, "Node", q.series(catalog, gpu.utilization), gpu.host_label)
    description = (
        f"GPU inventory of {plan.cluster.name} ({gpu.exporter} exporter): expected against reporting "
        "GPUs per node, then utilization, memory, temperature, power and XID errors per node and per GPU."
    )
    nodes = plan.dashboards.gpu_nodes
    parts = [nodes[i : i + PAGE_NODES] for i in range(0, len(nodes), PAGE_NODES)] or [nodes]

    def page(part: Sequence[InventoryNode], *more: Section) -> DashboardDef:
        inventory = Section("Expected vs reporting", _inventory(catalog, nodes, part))
        return DashboardDef(kind="gpu", description=description, variables=(variable,), sections=(inventory, *more))

    first = page(parts[0], Section("Per node", _per_node(plan)), Section("Per GPU", _per_gpu(plan)))
    if len(parts) == 1:
        return first
    return (first, *(page(part) for part in parts[1:]))


def _inventory(catalog: Catalog, fleet: Sequence[InventoryNode], nodes: Sequence[InventoryNode]) -> tuple[Panel, ...]:
    """The page's ``nodes`` (of the whole ``fleet``): reporting against expected GPUs, and the table."""
    gpu = catalog.gpu
    width = max(4, 24 // len(nodes))
    panels: list[Panel] = []
    for node in nodes:
        reporting = q.count_by(q.value(q.series(catalog, gpu.utilization, q.eq(gpu.host_label, node.host))))
        panels.append(
            Stat(
                f"{node.name}: GPUs reporting",
                f"GPUs of {md(node.name)} ({gpu.host_label} {md(node.host)}) that the exporter reports, against "
                f"the {node.gpus} {md(node.model)} the spec expects. Red: fewer (a GPU fell off "
                "the bus, or the exporter is down); orange: more than the spec lists.",
                [Query(reporting)],
                width=width,
                steps=_expected_steps(node.gpus),
                no_value="0",
            )
        )
    expected_total = sum(n.gpus for n in fleet)
    all_gpus = q.value(q.series(catalog, gpu.utilization))
    panels.append(
        Timeseries(
            "GPUs reporting by node",
            f"GPUs each node reports over time; the spec expects {expected_total} in total. A drop means a GPU or "
            "the exporter stopped reporting.",
            [Query(q.count_by(all_gpus, gpu.host_label), legend(gpu.host_label))],
            width=12,
        )
    )
    panels.append(
        Text(
            "Inventory in the spec",
            "The GPU nodes and models declared in `gpu_inventory` of cluster.yaml.",
            _inventory_table(nodes),
            width=12,
            height=8,
        )
    )
    return tuple(panels)


def _expected_steps(expected: int) -> tuple[Step, ...]:
    return (("red", None), ("green", expected), ("orange", expected + 1))


def _inventory_table(nodes: Sequence[InventoryNode]) -> str:
    rows = [
        (md(n.name), md(n.host), md(n.model), str(n.gpus), f"{n.memory_gib} GiB", f"{n.throttle_celsius} °C")
        for n in nodes
    ]
    header = ("Node", "Host label value", "Model", "GPUs", "Memory per GPU", "Throttles at")
    return md_table(header, rows)


class _Line(NamedTuple):
    """A GPU panel's texts, and how each of its lines combines the GPUs it stands for."""

    title: str
    description: str
    aggregate: Aggregate = q.max_by


@dataclass(frozen=True)
class _Grain:
    """What each line of a GPU section stands for (a node, or one GPU), and how its panels say so."""

    keys: tuple[str, ...]  # the labels a line is grouped by
    legend: str
    utilization: _Line
    memory: Panel  # the sections show memory differently: share of the node's, bytes per GPU
    temperature: _Line
    power: _Line
    xid: _Line


def _section(catalog: Catalog, limits: PanelThresholds, grain: _Grain) -> tuple[Panel, ...]:
    """Utilization, memory, temperature, power and XID errors of the nodes picked with ``$node``."""
    on = _picked_nodes(catalog)

    def line(texts: _Line, expr: q.Expr) -> tuple[str, str, list[Query]]:
        return texts.title, texts.description, [Query(texts.aggregate(expr, *grain.keys), grain.legend)]

    temperature_limit = alert_line(limits.gpu_temperature_celsius)
    return (
        Timeseries(
            *line(grain.utilization, q.gpu.utilization(catalog, on)),
            max_value=1,
            steps=alert_line(limits.gpu_utilization_percent / 100),
        ),
        grain.memory,
        Timeseries(*line(grain.temperature, q.gpu.temperature(catalog, on)), width=8, steps=temperature_limit),
        Timeseries(*line(grain.power, q.gpu.power(catalog, on)), width=8),
        Timeseries(*line(grain.xid, q.gpu.xid_events(catalog, RATE, on)), width=8, bars=True),
    )


def _picked_nodes(catalog: Catalog) -> q.Matcher:
    return q.regex(catalog.gpu.host_label, "$" + VARIABLE)


def _per_node(plan: Plan) -> tuple[Panel, ...]:
    catalog, limits = plan.catalog, plan.dashboards.thresholds
    host = catalog.gpu.host_label
    memory = Timeseries(
        "GPU memory used by node",
        "Highest framebuffer memory use among each node's GPUs; dashed: the alert threshold.",
        [Query(q.max_by(q.gpu.memory_used_ratio(catalog, _picked_nodes(catalog)), host), legend(host))],
        max_value=1,
        steps=alert_line(limits.gpu_memory_percent / 100),
    )
    node = _Grain(
        keys=(host,),
        legend=legend(host),
        utilization=_Line(
            "GPU utilization by node", "Mean utilization of each node's GPUs; dashed: the alert threshold.", q.avg_by
        ),
        memory=memory,
        temperature=_Line(
            "Hottest GPU by node",
            "Highest GPU temperature on each node; dashed: the lowest alerting temperature of the GPU models "
            "(throttle temperature minus the spec's margin).",
        ),
        power=_Line("Power draw by node", "Power drawn by all GPUs of each node.", q.sum_by),
        xid=_Line("XID errors by node", _xid_description(catalog), q.sum_by),
    )
    return _section(catalog, limits, node)


def _per_gpu(plan: Plan) -> tuple[Panel, ...]:
    catalog = plan.catalog
    gpu = catalog.gpu
    # DCGM numbers the GPUs of a host (`gpu`); nvidia_smi only has the UUID.
    index = "gpu" if "gpu" in catalog.get(gpu.utilization).labels else gpu.gpu_label
    keys = tuple(dict.fromkeys((gpu.host_label, index, gpu.gpu_label)))
    each = f"{legend(gpu.host_label)} GPU {legend(index)}"
    used = q.value(q.series(catalog, gpu.memory_used, _picked_nodes(catalog)))
    one_gpu = _Grain(
        keys=keys,
        legend=each,
        utilization=_Line("GPU utilization", "Utilization of each GPU; dashed: the alert threshold."),
        memory=Timeseries(
            "GPU memory used", "Framebuffer memory in use on each GPU.", [Query(q.max_by(used, *keys), each)]
        ),
        temperature=_Line(
            "GPU temperature", "Temperature of each GPU; dashed: the lowest alerting temperature of the GPU models."
        ),
        power=_Line("GPU power draw", "Power drawn by each GPU."),
        xid=_Line("XID errors by GPU", _xid_description(catalog), q.sum_by),
    )
    return _section(catalog, plan.dashboards.thresholds, one_gpu)


def _xid_description(catalog: Catalog) -> str:
    if catalog.gpu.xid_kind == "counter":
        return "XID errors per interval (`increase` of the exporter's per-code counter). Any bar is worth a look."
    return (
        "New XID errors per interval: DCGM keeps only the last XID code in a gauge, so this counts its "
        "changes (`changes()`); a repeat of the same code is not seen. Any bar is worth a look."
    )
