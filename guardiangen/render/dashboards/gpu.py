"""GPU inventory: every node and GPU of the spec's inventory, and whether they all report.

Queries go through :mod:`guardiangen.promql.gpu`, so the same dashboard works for the DCGM and the
nvidia_smi exporter profiles (names, scales and host label come from ``catalog.gpu``). Expected GPU
counts come from ``gpu_inventory`` in the spec; the alert thresholds are drawn as dashed lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.plan.model import Plan
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import md, md_table
from guardiangen.render.dashboards.panels import RATE, Cell, Query, Step, query_variable, stat, text, timeseries
from guardiangen.spec.models import ClusterSpec, GpuNode

VARIABLE = "node"


PAGE_NODES = 48
"""At most this many nodes' stat panels and table rows per dashboard page. Page 1 also has the
per-node and per-GPU sections (driven by the ``node`` variable, they don't grow with the fleet);
later pages only the inventory of their nodes."""


def build(spec: ClusterSpec, catalog: Catalog, plan: Plan) -> DashboardDef | tuple[DashboardDef, ...]:
    gpu = catalog.gpu
    variable = query_variable(VARIABLE, "Node", q.series(catalog, gpu.utilization), gpu.host_label)
    description = (
        f"GPU inventory of {spec.metadata.name} ({gpu.exporter} exporter): expected against reporting "
        "GPUs per node, then utilization, memory, temperature, power and XID errors per node and per GPU."
    )
    nodes = list(spec.gpu_inventory.nodes)
    parts = [nodes[i : i + PAGE_NODES] for i in range(0, len(nodes), PAGE_NODES)] or [nodes]
    first = DashboardDef(
        kind="gpu",
        description=description,
        variables=(variable,),
        sections=(
            Section("Expected vs reporting", _inventory(spec, catalog, parts[0])),
            Section("Per node", _per_node(spec, catalog)),
            Section("Per GPU", _per_gpu(spec, catalog)),
        ),
    )
    if len(parts) == 1:
        return first
    rest = tuple(
        DashboardDef(
            kind="gpu",
            description=description,
            variables=(variable,),
            sections=(Section("Expected vs reporting", _inventory(spec, catalog, part)),),
        )
        for part in parts[1:]
    )
    return (first, *rest)


def _inventory(spec: ClusterSpec, catalog: Catalog, nodes: Sequence[GpuNode]) -> tuple[Cell, ...]:
    gpu = catalog.gpu
    inventory = spec.gpu_inventory
    models = {m.name: m for m in inventory.models}
    width = max(4, 24 // len(nodes))
    cells: list[Cell] = []
    for node in nodes:
        reporting = q.count_by(q.value(q.series(catalog, gpu.utilization, q.eq(gpu.host_label, node.host))))
        model = models[node.gpu_model]
        cells.append(
            stat(
                f"{node.name}: GPUs reporting",
                f"GPUs of {md(node.name)} ({gpu.host_label} {md(node.host)}) that the exporter reports, against "
                f"the {node.gpu_count} {md(model.product_name)} the spec expects. Red: fewer (a GPU fell off "
                "the bus, or the exporter is down); orange: more than the spec lists.",
                [Query(reporting)],
                width=width,
                steps=_expected_steps(node.gpu_count),
                no_value="0",
            )
        )
    expected_total = sum(n.gpu_count for n in inventory.nodes)
    all_gpus = q.value(q.series(catalog, gpu.utilization))
    host = "{{" + gpu.host_label + "}}"
    cells.append(
        timeseries(
            "GPUs reporting by node",
            f"GPUs each node reports over time; the spec expects {expected_total} in total. A drop means a GPU or "
            "the exporter stopped reporting.",
            [Query(q.count_by(all_gpus, gpu.host_label), host)],
            width=12,
        )
    )
    cells.append(
        text(
            "Inventory in the spec",
            "The GPU nodes and models declared in `gpu_inventory` of cluster.yaml.",
            _inventory_table(spec, nodes),
            width=12,
            height=8,
        )
    )
    return tuple(cells)


def _expected_steps(expected: int) -> tuple[Step, ...]:
    return (("red", None), ("green", expected), ("orange", expected + 1))


def _inventory_table(spec: ClusterSpec, nodes: Sequence[GpuNode]) -> str:
    models = {m.name: m for m in spec.gpu_inventory.models}
    rows = []
    for node in nodes:
        model = models[node.gpu_model]
        rows.append(
            (
                md(node.name),
                md(node.host),
                md(model.product_name),
                str(node.gpu_count),
                f"{model.memory_gib} GiB",
                f"{model.max_temperature_celsius} °C",
            )
        )
    header = ("Node", "Host label value", "Model", "GPUs", "Memory per GPU", "Throttles at")
    return md_table(header, rows)


def _temperature_limit(spec: ClusterSpec) -> int:
    """The lowest alerting temperature over the models: one dashed line for all GPUs."""
    margin = spec.gpu_inventory.thresholds.temperature_margin_celsius
    return min(m.max_temperature_celsius for m in spec.gpu_inventory.models) - margin


def _limits(spec: ClusterSpec) -> tuple[tuple[Step, ...], tuple[Step, ...], tuple[Step, ...]]:
    t = spec.gpu_inventory.thresholds
    return (
        (("green", None), ("red", t.utilization_high_percent / 100)),
        (("green", None), ("red", t.memory_used_high_percent / 100)),
        (("green", None), ("red", _temperature_limit(spec))),
    )


def _per_node(spec: ClusterSpec, catalog: Catalog) -> tuple[Cell, ...]:
    gpu = catalog.gpu
    on = q.regex(gpu.host_label, "$" + VARIABLE)
    host = gpu.host_label
    legend = "{{" + host + "}}"
    util, memory, temp = _limits(spec)
    return (
        timeseries(
            "GPU utilization by node",
            "Mean utilization of each node's GPUs; dashed: the alert threshold.",
            [Query(q.avg_by(q.gpu.utilization(catalog, on), host), legend)],
            max_value=1,
            steps=util,
        ),
        timeseries(
            "GPU memory used by node",
            "Highest framebuffer memory use among each node's GPUs; dashed: the alert threshold.",
            [Query(q.max_by(q.gpu.memory_used_ratio(catalog, on), host), legend)],
            max_value=1,
            steps=memory,
        ),
        timeseries(
            "Hottest GPU by node",
            "Highest GPU temperature on each node; dashed: the lowest alerting temperature of the GPU models "
            "(throttle temperature minus the spec's margin).",
            [Query(q.max_by(q.gpu.temperature(catalog, on), host), legend)],
            width=8,
            steps=temp,
        ),
        timeseries(
            "Power draw by node",
            "Power drawn by all GPUs of each node.",
            [Query(q.sum_by(q.gpu.power(catalog, on), host), legend)],
            width=8,
        ),
        timeseries(
            "XID errors by node",
            _xid_description(catalog),
            [Query(q.sum_by(q.gpu.xid_events(catalog, RATE, on), host), legend)],
            width=8,
            bars=True,
        ),
    )


def _per_gpu(spec: ClusterSpec, catalog: Catalog) -> tuple[Cell, ...]:
    gpu = catalog.gpu
    on = q.regex(gpu.host_label, "$" + VARIABLE)
    # DCGM numbers the GPUs of a host (`gpu`); nvidia_smi only has the UUID.
    index = "gpu" if "gpu" in catalog.get(gpu.utilization).labels else gpu.gpu_label
    keys = tuple(dict.fromkeys((gpu.host_label, index, gpu.gpu_label)))
    legend = "{{" + gpu.host_label + "}} GPU {{" + index + "}}"
    util, _, temp = _limits(spec)
    used = q.value(q.series(catalog, gpu.memory_used, on))
    return (
        timeseries(
            "GPU utilization",
            "Utilization of each GPU; dashed: the alert threshold.",
            [Query(q.max_by(q.gpu.utilization(catalog, on), *keys), legend)],
            max_value=1,
            steps=util,
        ),
        timeseries(
            "GPU memory used",
            "Framebuffer memory in use on each GPU.",
            [Query(q.max_by(used, *keys), legend)],
        ),
        timeseries(
            "GPU temperature",
            "Temperature of each GPU; dashed: the lowest alerting temperature of the GPU models.",
            [Query(q.max_by(q.gpu.temperature(catalog, on), *keys), legend)],
            width=8,
            steps=temp,
        ),
        timeseries(
            "GPU power draw",
            "Power drawn by each GPU.",
            [Query(q.max_by(q.gpu.power(catalog, on), *keys), legend)],
            width=8,
        ),
        timeseries(
            "XID errors by GPU",
            _xid_description(catalog),
            [Query(q.sum_by(q.gpu.xid_events(catalog, RATE, on), *keys), legend)],
            width=8,
            bars=True,
        ),
    )


def _xid_description(catalog: Catalog) -> str:
    if catalog.gpu.xid_kind == "counter":
        return "XID errors per interval (`increase` of the exporter's per-code counter). Any bar is worth a look."
    return (
        "New XID errors per interval: DCGM keeps only the last XID code in a gauge, so this counts its "
        "changes (`changes()`); a repeat of the same code is not seen. Any bar is worth a look."
    )
