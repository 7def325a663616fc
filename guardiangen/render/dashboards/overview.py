"""Cluster overview: is the cluster healthy right now, and which specialist or node is not."""

from __future__ import annotations

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.plan.links import dashboard_url
from guardiangen.plan.model import LABEL_SEVERITY, Plan
from guardiangen.render.dashboards.assemble import DashboardDef, Section, cluster_of
from guardiangen.render.dashboards.common import SPECIALIST_LABEL
from guardiangen.render.dashboards.panels import RANGE, RATE, Cell, Query, stat, timeseries
from guardiangen.spec.models import ClusterSpec

NODE_LABEL = "instance"  # node_exporter's host is its scrape target


def build(spec: ClusterSpec, catalog: Catalog, plan: Plan) -> DashboardDef:
    return DashboardDef(
        kind="overview",
        description=f"Health of the {spec.metadata.name} LLM Guardian cluster: traffic, errors, latency, "
        "quality, resources and firing alerts.",
        sections=(
            Section("Cluster now", _headline(catalog)),
            Section("Specialists", _specialists(spec, catalog)),
            Section("Resources", _resources(spec, catalog)),
            Section("Alerts", (_alerts_by_name(catalog),)),
        ),
    )


def _headline(catalog: Catalog) -> tuple[Cell, ...]:
    req = q.series(catalog, "specialist_requests_total")
    err = q.series(catalog, "specialist_errors_total")
    duration = q.series(catalog, "specialist_request_duration_seconds")
    quality = q.series(catalog, "specialist_quality_score")
    firing = q.count_by(q.value(q.series(catalog, "ALERTS", q.eq("alertstate", "firing"))), LABEL_SEVERITY)
    w = 4
    return (
        stat(
            "Request rate",
            "Requests per second over all specialists (`specialist_requests_total`).",
            [Query(q.sum_by(q.rate(req, RATE)))],
            width=w,
        ),
        stat(
            "Error ratio",
            "Share of all requests that ended in an error: errors / requests over all specialists.",
            [Query(q.ratio(q.sum_by(q.rate(err, RATE)), q.sum_by(q.rate(req, RATE))))],
            width=w,
        ),
        stat(
            "Mean quality",
            "Mean quality score (0-1) of all responses, from the histogram's `_sum` / `_count`.",
            [Query(q.histogram_mean(quality, RATE))],
            width=w,
            decimals=2,
        ),
        stat(
            "p95 latency",
            "95th percentile request duration over all specialists, from summed `le` buckets.",
            [Query(q.quantile("0.95", duration, RATE))],
            width=w,
        ),
        stat(
            "Requests in range",
            "Requests handled during the whole selected time range (one instant query at its end).",
            [Query(q.sum_by(q.increase(req, RANGE)), instant=True)],
            width=w,
            sparkline=False,
        ),
        stat(
            "Firing alerts",
            'Alerts firing now in this Prometheus, by severity (`ALERTS{alertstate="firing"}`). 0 when nothing fires.',
            [Query(firing, "{{" + LABEL_SEVERITY + "}}")],
            width=w,
            steps=(("green", None), ("red", 1)),
            no_value="0",
            sparkline=False,
        ),
    )


def _specialists(spec: ClusterSpec, catalog: Catalog) -> tuple[Cell, ...]:
    by = (SPECIALIST_LABEL,)
    req = q.series(catalog, "specialist_requests_total")
    err = q.series(catalog, "specialist_errors_total")
    duration = q.series(catalog, "specialist_request_duration_seconds")
    quality = q.series(catalog, "specialist_quality_score")
    legend = "{{" + SPECIALIST_LABEL + "}}"
    # Clicking a series opens that specialist's detail dashboard over the same time range.
    detail = (
        "Specialist detail",
        dashboard_url(cluster_of(spec), "specialist")
        + "?var-specialist=${__field.labels."
        + SPECIALIST_LABEL
        + "}&var-datasource=${datasource}&${__url_time_range}",
    )
    quantiles = [Query(q.quantile(k, duration, RATE, by), f"{legend} p{k[2:]}") for k in ("0.50", "0.95", "0.99")]
    return (
        timeseries(
            "Request rate by specialist",
            "Requests per second of each specialist. Click a series for the specialist's detail dashboard.",
            [Query(q.sum_by(q.rate(req, RATE), *by), legend)],
            links=[detail],
        ),
        timeseries(
            "Error ratio by specialist",
            "Share of each specialist's requests that ended in an error (errors / requests).",
            [Query(q.ratio(q.sum_by(q.rate(err, RATE), *by), q.sum_by(q.rate(req, RATE), *by)), legend)],
            links=[detail],
        ),
        timeseries(
            "Latency p50 / p95 / p99 by specialist",
            "Request duration quantiles per specialist: `histogram_quantile` over "
            "`sum by (le, specialist_type)` of the bucket rates, so one value per specialist, not per pod.",
            quantiles,
            links=[detail],
        ),
        timeseries(
            "Mean quality by specialist",
            "Mean quality score (0-1) per specialist, from the histogram's `_sum` / `_count`.",
            [Query(q.histogram_mean(quality, RATE, by), legend)],
            links=[detail],
        ),
    )


def _resources(spec: ClusterSpec, catalog: Catalog) -> tuple[Cell, ...]:
    gpu = catalog.gpu
    host = "{{" + gpu.host_label + "}}"
    node = "{{" + NODE_LABEL + "}}"
    limits = spec.gpu_inventory.thresholds
    node_limits = spec.node_thresholds
    idle = q.rate(q.series(catalog, "node_cpu_seconds_total", q.eq("mode", "idle")), RATE)
    available = q.value(q.series(catalog, "node_memory_MemAvailable_bytes"))
    total = q.value(q.series(catalog, "node_memory_MemTotal_bytes"))
    return (
        timeseries(
            "GPU utilization by node",
            "Mean utilization of the GPUs of each node; the dashed line is the alert threshold "
            f"({limits.utilization_high_percent} %).",
            [Query(q.avg_by(q.gpu.utilization(catalog), gpu.host_label), host)],
            width=6,
            max_value=1,
            steps=(("green", None), ("red", limits.utilization_high_percent / 100)),
        ),
        timeseries(
            "GPU memory used by node",
            "Highest framebuffer memory use among the GPUs of each node; the dashed line is the alert "
            f"threshold ({limits.memory_used_high_percent} %).",
            [Query(q.max_by(q.gpu.memory_used_ratio(catalog), gpu.host_label), host)],
            width=6,
            max_value=1,
            steps=(("green", None), ("red", limits.memory_used_high_percent / 100)),
        ),
        timeseries(
            "CPU utilization by node",
            "Share of CPU time not idle, averaged over each node's CPUs (node_exporter); the dashed line is "
            f"the alert threshold ({node_limits.cpu_utilization_max_percent} %).",
            [Query(q.sub(1, q.avg_by(idle, NODE_LABEL)), node)],
            width=6,
            max_value=1,
            steps=(("green", None), ("red", node_limits.cpu_utilization_max_percent / 100)),
        ),
        timeseries(
            "Memory utilization by node",
            "Share of memory not available for new workloads (1 - MemAvailable / MemTotal); the dashed line "
            f"is the alert threshold ({node_limits.memory_utilization_max_percent} %).",
            [Query(q.sub(1, q.ratio(available, total)), node)],
            width=6,
            max_value=1,
            steps=(("green", None), ("red", node_limits.memory_utilization_max_percent / 100)),
        ),
    )


def _alerts_by_name(catalog: Catalog) -> Cell:
    firing = q.value(q.series(catalog, "ALERTS", q.eq("alertstate", "firing")))
    return timeseries(
        "Firing alerts by name",
        'How many instances of each alert fire over time (`ALERTS{alertstate="firing"}`), by alert and '
        "severity. Silenced or inhibited alerts still count: Prometheus does not know about Alertmanager's "
        "silences.",
        [Query(q.count_by(firing, "alertname", LABEL_SEVERITY), "{{alertname}} ({{" + LABEL_SEVERITY + "}})")],
        width=24,
        height=7,
        bars=True,
        stacked=True,
    )
