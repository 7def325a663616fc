"""GPU rules from the exporter profile and the spec's inventory.

Recording rules give utilization, memory-used ratio and temperature per node and per GPU model,
and the GPUs reporting against the inventory (``gpus_expected`` records each node's count from the
spec, so dashboards can show both). Per-model series aggregate the model's nodes from the
inventory, which works for both exporters (nvidia_smi puts the model name on an info metric only).

Alerts: utilization, memory and XID errors per GPU across the cluster (their thresholds are
global); temperature per node, because the limit is its model's ``max_temperature_celsius`` minus
the margin; missing GPUs per node against the inventory.
"""

from __future__ import annotations

from decimal import Decimal

from guardiangen import promql as q
from guardiangen.catalog import Catalog, Scale
from guardiangen.generated_labels import LABEL_GPU_MODEL
from guardiangen.plan.cluster import cluster_of
from guardiangen.plan.links import dashboard_url
from guardiangen.plan.model import LABEL_COMPONENT, LABEL_TEAM, InputSeries
from guardiangen.plan.rules.core import (
    AlertDef,
    Domain,
    ExpectedRecord,
    Owner,
    RecordDef,
    RecordsFixture,
    Scenario,
    SeriesFn,
    around,
    chunk_mates,
    percent_text,
    sorted_labels,
    threshold_scenarios,
    value_template,
)
from guardiangen.plan.rules.inputs import counter, gauge, gauge_phases
from guardiangen.promql.meta import COUNT
from guardiangen.promql.text import regex_literal
from guardiangen.spec.models import ClusterSpec, GpuModel, GpuNode

NAME = "gpu"
MODEL = LABEL_GPU_MODEL  # static label naming the spec's GPU model on per-model series and alerts
XID_LOOKBACK = 10  # minutes an XID error stays visible to GpuXidErrors
XID_WINDOW = f"{XID_LOOKBACK}m"
XID_MAX_FOR_MINUTES = XID_LOOKBACK - 3
"""The longest `for:` under which one XID error still fires GpuXidErrors: the change (two samples, the
first on the window's open edge for Prometheus 3) must stay in the window until `for:` has passed."""
ONE = Decimal(1)
MIB_PER_GIB = 1024
BYTES_PER_GIB = 1024**3


def _memory_ratio(catalog: Catalog, by: tuple[str, ...], *matchers: q.Matcher) -> q.Expr:
    """Memory in use over memory present, each summed first (never an average of ratios)."""
    gpu = catalog.gpu
    used = q.value(q.series(catalog, gpu.memory_used, *matchers))
    if gpu.memory_total is not None:
        total = q.value(q.series(catalog, gpu.memory_total, *matchers))
    else:
        assert gpu.memory_free is not None
        total = q.add(used, q.value(q.series(catalog, gpu.memory_free, *matchers)))
    return q.ratio(q.sum_by(used, *by), q.sum_by(total, *by))


def _names(host: str) -> dict[str, str]:
    return {
        "utilization": f"{host}:gpu_utilization:ratio_avg",
        "memory": f"{host}:gpu_memory_used:ratio",
        "temperature": f"{host}:gpu_temperature_celsius:max",
        "reporting": f"{host}:gpus_reporting:count",
        "expected": f"{host}:gpus_expected:count",
        "model_utilization": f"{MODEL}:gpu_utilization:ratio_avg",
        "model_memory": f"{MODEL}:gpu_memory_used:ratio",
        "model_temperature": f"{MODEL}:gpu_temperature_celsius:max",
    }


def _nodes_of(spec: ClusterSpec, model: GpuModel) -> list[GpuNode]:
    return [n for n in spec.gpu_inventory.nodes if n.gpu_model == model.name]


def _records(spec: ClusterSpec, catalog: Catalog) -> tuple[RecordDef, ...]:
    gpu = catalog.gpu
    h = gpu.host_label
    names = _names(h)
    out = [
        RecordDef(names["utilization"], q.avg_by(q.gpu.utilization(catalog), h)),
        RecordDef(names["memory"], _memory_ratio(catalog, (h,))),
        RecordDef(names["temperature"], q.max_by(q.gpu.temperature(catalog), h)),
        RecordDef(names["reporting"], q.count_by(q.value(q.series(catalog, gpu.utilization)), h)),
    ]
    # The inventory as series: one constant per node, for "reporting vs expected" on dashboards.
    out += [RecordDef(names["expected"], q.number(n.gpu_count), {h: n.host}) for n in spec.gpu_inventory.nodes]
    for model in spec.gpu_inventory.models:
        nodes = _nodes_of(spec, model)
        if not nodes:
            continue
        hosts = (
            q.eq(h, nodes[0].host) if len(nodes) == 1 else q.regex(h, "|".join(regex_literal(n.host) for n in nodes))
        )
        labels = {MODEL: model.name}
        out += [
            RecordDef(names["model_utilization"], q.avg_by(q.gpu.utilization(catalog, hosts)), labels),
            RecordDef(names["model_memory"], _memory_ratio(catalog, (), hosts), labels),
            RecordDef(names["model_temperature"], q.max_by(q.gpu.temperature(catalog, hosts)), labels),
        ]
    return tuple(out)


def build(spec: ClusterSpec, catalog: Catalog) -> Domain:
    return Domain(NAME, _records(spec, catalog), tuple(_Alerts(spec, catalog).all()), _fixture(spec, catalog))


class _Alerts:
    def __init__(self, spec: ClusterSpec, catalog: Catalog) -> None:
        self.spec, self.catalog, self.gpu = spec, catalog, catalog.gpu
        self.h, self.u = self.gpu.host_label, self.gpu.gpu_label
        self.th = spec.gpu_inventory.thresholds
        self.models = {m.name: m for m in spec.gpu_inventory.models}
        inv = spec.gpu_inventory
        self.team = {LABEL_TEAM: inv.team} if inv.team else {}
        self.overrides = tuple(inv.alert_overrides)
        self.owner = Owner(
            {LABEL_COMPONENT: "gpu", **self.team}, dashboard_url(cluster_of(spec), "gpu"), self.overrides
        )
        self.records = _records_by_name(spec, catalog)  # once: it spans every node
        first = spec.gpu_inventory.nodes[0]
        self.example = {self.h: first.host, self.u: f"GPU-{first.name}-0"}

    def all(self) -> list[AlertDef]:
        nodes = self.spec.gpu_inventory.nodes
        return [
            *self.utilization(),
            *self.memory(),
            *self.xid(),
            *(a for node in nodes for a in self.temperature(node)),
            *(a for i, node in enumerate(nodes) for a in self.missing(node, i)),
        ]

    def per_gpu(self, e: q.Expr) -> q.Expr:
        return q.max_by(e, self.h, self.u)

    def where(self) -> str:
        return f"GPU {{{{ $labels.{self.u} }}}} on {{{{ $labels.{self.h} }}}}"

    def utilization(self) -> list[AlertDef]:
        t = self.th.utilization_high_percent / 100
        percent = self.gpu.utilization_scale is Scale.PERCENT

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (gauge(self.gpu.utilization, self.example, v * 100 if percent else v, m),)

        expr = q.gt(self.per_gpu(q.gpu.utilization(self.catalog)), t)
        text = f"{self.where()} is {value_template(expr.meta)} busy (threshold {percent_text(t)})."
        scenarios = threshold_scenarios(around(t, ">", upper=ONE), inputs, sorted_labels(self.example))
        # Busy GPUs are what they are paid for: this is capacity information, not an outage.
        return self.owner.alert("GpuUtilizationHigh", expr, text, scenarios, for_="30m", lookback=1, severity="info")

    def memory(self) -> list[AlertDef]:
        t = self.th.memory_used_high_percent / 100
        gpu = self.gpu

        def inputs(v: Decimal) -> SeriesFn:
            if (total_metric := gpu.memory_total) is not None:
                total = Decimal(80 * BYTES_PER_GIB)
                return lambda m: (
                    gauge(gpu.memory_used, self.example, v * total, m),
                    gauge(total_metric, self.example, total, m),
                )
            assert gpu.memory_free is not None
            free, total = gpu.memory_free, Decimal(80 * MIB_PER_GIB)
            return lambda m: (
                gauge(gpu.memory_used, self.example, v * total, m),
                gauge(free, self.example, (1 - v) * total, m),
            )

        expr = q.gt(self.per_gpu(q.gpu.memory_used_ratio(self.catalog)), t)
        text = f"{self.where()} uses {value_template(expr.meta)} of its memory (threshold {percent_text(t)})."
        scenarios = threshold_scenarios(around(t, ">", upper=ONE), inputs, sorted_labels(self.example))
        return self.owner.alert("GpuMemoryUsedHigh", expr, text, scenarios, for_="15m", lookback=1)

    def xid(self) -> list[AlertDef]:
        counter_kind = self.gpu.xid_kind == "counter"
        labels = {**self.example, "xid": "79"} if counter_kind else self.example

        def new_error(m: int) -> tuple[InputSeries, ...]:
            if counter_kind:  # one XID 79 a minute: 10 in the window
                return (counter(self.gpu.xid, labels, Decimal(1) / 60, m),)
            # One new code (first seen at `changed + 1`), 4 minutes before the evaluation or 2 minutes
            # after the window first fills if that is earlier: the test is judged `for:` + 3 minutes
            # after the window fills (testgen.eval_minutes), so the alert has been pending a minute
            # longer than `for:`, and both samples of the change are still in the window as long as
            # `for:` is at most XID_MAX_FOR_MINUTES.
            changed = min(m - 5, XID_LOOKBACK + 1)
            return (gauge_phases(self.gpu.xid, labels, ((Decimal(0), changed), (Decimal(79), m - changed))),)

        def old_error(m: int) -> tuple[InputSeries, ...]:
            return (gauge(self.gpu.xid, labels, Decimal(0 if counter_kind else 79), m),)

        value = Decimal(10 if counter_kind else 1)
        expr = q.gt(self.per_gpu(q.gpu.xid_events(self.catalog, XID_WINDOW)), 0)
        text = f"{self.where()} reported {value_template(expr.meta)} new XID error(s) in the last {XID_WINDOW}."
        scenarios = (
            Scenario("fires", new_error, value, sorted_labels(self.example), exact=True),
            Scenario("stays silent on an old error", old_error, None),
        )
        # An XID is an event: the window keeps it visible for 10 minutes, no `for:` needed.
        return self.owner.alert("GpuXidErrors", expr, text, scenarios, for_=None, lookback=XID_LOOKBACK)

    def temperature(self, node: GpuNode) -> list[AlertDef]:
        model = self.models[node.gpu_model]
        t = Decimal(model.max_temperature_celsius - self.th.temperature_margin_celsius)
        labels = {self.h: node.host, self.u: f"GPU-{node.name}-0"}

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (gauge(self.gpu.temperature, labels, v, m),)

        expr = q.gt(self.per_gpu(q.gpu.temperature(self.catalog, q.eq(self.h, node.host))), t)
        text = (
            f"GPU {{{{ $labels.{self.u} }}}} on node {node.name} is at {value_template(expr.meta)} °C; "
            f"{model.name} GPUs throttle at {model.max_temperature_celsius} °C (alert above {t} °C)."
        )
        # One degree either side: temperatures are whole degrees and the margin already is the buffer.
        scenarios = threshold_scenarios((t + 1, t), inputs, sorted_labels(labels))
        return self.owner.alert(
            "GpuTemperatureHigh",
            expr,
            text,
            scenarios,
            for_="5m",
            lookback=1,
            labels={self.h: node.host, MODEL: model.name},
        )

    def missing(self, node: GpuNode, index: int) -> list[AlertDef]:
        """The alert of ``node``, the ``index``-th node of the inventory."""
        model = self.models[node.gpu_model]
        count = node.gpu_count
        reporting = self.records[_names(self.h)["reporting"]]
        host = q.eq(self.h, node.host)
        fewer = q.gt(q.sub(count, q.recorded(_names(self.h)["reporting"], reporting, host)), 0)
        # count() of nothing is nothing: a node with no GPU series at all needs absent().
        none = q.mul(q.absent(q.series(self.catalog, self.gpu.utilization, host)), count)
        expr = q.binop("or", fewer, none, meta=COUNT)

        def gpus(n: int, nodes: list[GpuNode] | None = None) -> SeriesFn:
            def make(m: int) -> tuple[InputSeries, ...]:
                return tuple(
                    gauge(self.gpu.utilization, {self.h: x.host, self.u: f"GPU-{x.name}-{i}"}, Decimal(50), m)
                    for x in nodes or [node]
                    for i in range(n if nodes is None else x.gpu_count)
                )

            return make

        # Only the nodes whose alerts share this test file's rules (other chunks are not loaded).
        others = chunk_mates(self.spec.gpu_inventory.nodes, index)

        result = sorted_labels({self.h: node.host})
        scenarios = (
            Scenario("fires when a GPU is missing", gpus(count - 1), ONE, result, exact=True),
            Scenario("fires when the node reports no GPU", gpus(0), Decimal(count), result, exact=True),
            Scenario("stays silent", gpus(count), None),
        )
        text = (
            f"{value_template(expr.meta)} of the {count} GPUs of node {node.name} ({model.name}) report no "
            "metrics to the GPU exporter."
        )
        # Exporter restarts make GPUs blink out for a scrape or two: hold it a little once firing.
        return Owner(
            {LABEL_COMPONENT: "gpu", self.h: node.host, MODEL: model.name, **self.team},
            dashboard_url(cluster_of(self.spec), "gpu", {"node": node.host}),
            self.overrides,
        ).alert(
            "GpusMissing",
            expr,
            text,
            scenarios,
            for_="10m",
            lookback=1,
            keep_firing_for="5m",
            background=gpus(0, others) if others else None,
        )


def _records_by_name(spec: ClusterSpec, catalog: Catalog) -> dict[str, q.Expr]:
    return {r.name: r.expr for r in _records(spec, catalog)}


# ------------------------------------------------------------------------ recording fixture


def _fixture(spec: ClusterSpec, catalog: Catalog) -> RecordsFixture:
    gpu = catalog.gpu
    h, u = gpu.host_label, gpu.gpu_label
    names = _names(h)
    percent = gpu.utilization_scale is Scale.PERCENT
    # Exact binary fractions: each model's GPUs share one utilization, so averages are exact.
    busy = {m.name: Decimal("0.5") + Decimal("0.25") * (i % 2) for i, m in enumerate(spec.gpu_inventory.models)}
    used = Decimal("0.25")
    temperature = {n.name: Decimal(60 + i) for i, n in enumerate(spec.gpu_inventory.nodes)}

    def inputs(m: int) -> tuple[InputSeries, ...]:
        out: list[InputSeries] = []
        for node in spec.gpu_inventory.nodes:
            for i in range(node.gpu_count):
                labels = {h: node.host, u: f"GPU-{node.name}-{i}"}
                ratio = busy[node.gpu_model]
                out.append(gauge(gpu.utilization, labels, ratio * 100 if percent else ratio, m))
                out.append(gauge(gpu.temperature, labels, temperature[node.name], m))
                if gpu.memory_total is not None:
                    total = Decimal(80 * BYTES_PER_GIB)
                    out += [gauge(gpu.memory_used, labels, used * total, m), gauge(gpu.memory_total, labels, total, m)]
                else:
                    assert gpu.memory_free is not None
                    total = Decimal(80 * MIB_PER_GIB)
                    out += [
                        gauge(gpu.memory_used, labels, used * total, m),
                        gauge(gpu.memory_free, labels, (1 - used) * total, m),
                    ]
        return tuple(out)

    expected: list[ExpectedRecord] = []
    for node in spec.gpu_inventory.nodes:
        base = {h: node.host}
        expected += [
            ExpectedRecord(names["utilization"], base, busy[node.gpu_model]),
            ExpectedRecord(names["memory"], base, used),
            ExpectedRecord(names["temperature"], base, temperature[node.name]),
            ExpectedRecord(names["reporting"], base, Decimal(node.gpu_count)),
            ExpectedRecord(names["expected"], base, Decimal(node.gpu_count)),
        ]
    for model in spec.gpu_inventory.models:
        nodes = _nodes_of(spec, model)
        if nodes:
            base = {MODEL: model.name}
            expected += [
                ExpectedRecord(names["model_utilization"], base, busy[model.name]),
                ExpectedRecord(names["model_memory"], base, used),
                ExpectedRecord(names["model_temperature"], base, max(temperature[n.name] for n in nodes)),
            ]
    return RecordsFixture(inputs, tuple(expected), 1)
