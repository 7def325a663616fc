"""Cluster overview: is the cluster healthy right now, and which specialist or node is not."""

from __future__ import annotations

from decimal import Decimal

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.catalog.labels import SPECIALIST_TYPE
from guardiangen.plan.links import dashboard_url
from guardiangen.plan.model import LABEL_SEVERITY, Plan
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import legend, quantiles
from guardiangen.render.dashboards.panels import RANGE, RATE, Panel, Query, Stat, Timeseries, alert_line

NODE_LABEL = "instance"  # node_exporter's host is its scrape target


def build(plan: Plan) -> DashboardDef:
    catalog = plan.catalog
    return DashboardDef(
        kind="overview",
        description=f"Health of the {plan.cluster.name} LLM Guardian cluster: traffic, errors, latency, "
        "quality, resources and firing alerts.",
        sections=(
            Section("Cluster now", _headline(catalog)),
            Section("Specialists", _specialists(plan)),
            Section("Resources", _resources(plan)),
            Section("Alerts", (_alerts_by_name(catalog),)),
        ),
    )


def _headline(catalog: Catalog) -> tuple[Panel, ...]:
    req = q.series(catalog, "specialist_requests_total")
    err = q.series(catalog, "specialist_errors_total")
    duration = q.series(catalog, "specialist_request_duration_seconds")
    quality = q.series(catalog, "specialist_quality_score")
    firing = q.count_by(q.value(q.series(catalog, "ALERTS", q.eq("alertstate", "firing"))), LABEL_SEVERITY)
    w = 4
    return (
        Stat(
            "Request rate",
            "Requests per second over all specialists (`specialist_requests_total`).",
            [Query(q.sum_by(q.rate(req, RATE)))],
            width=w,
        ),
        Stat(
            "Error ratio",
            "Share of all requests that ended in an error: errors / requests over all specialists.",
            [Query(q.ratio(q.sum_by(q.rate(err, RATE)), q.sum_by(q.rate(req, RATE))))],
            width=w,
        ),
        Stat(
            "Mean quality",
            "Mean quality score (0-1) of all responses, from the histogram's `_sum` / `_count`.",
            [Query(q.histogram_mean(quality, RATE))],
            width=w,
            decimals=2,
        ),
        Stat(
            "p95 latency",
            "95th percentile request duration over all specialists, from summed `le` buckets.",
            [Query(q.quantile("0.95", duration, RATE))],
            width=w,
        ),
        Stat(
            "Requests in range",
            "Requests handled during the whole selected time range (one instant query at its end).",
            [Query(q.sum_by(q.increase(req, RANGE)), instant=True)],
            width=w,
            sparkline=False,
        ),
        Stat(
            "Firing alerts",
            'Alerts firing now in this Prometheus, by severity (`ALERTS{alertstate="firing"}`). 0 when nothing fires.',
            [Query(firing, "{{" + LABEL_SEVERITY + "}}")],
            width=w,
            steps=(("green", None), ("red", 1)),
            no_value="0",
            sparkline=False,
        ),
    )


def _specialists(plan: Plan) -> tuple[Panel, ...]:
    catalog = plan.catalog
    by = (SPECIALIST_TYPE,)
    req = q.series(catalog, "specialist_requests_total")
    err = q.series(catalog, "specialist_errors_total")
    duration = q.series(catalog, "specialist_request_duration_seconds")
    quality = q.series(catalog, "specialist_quality_score")
    each = legend(SPECIALIST_TYPE)
    # Clicking a series opens that specialist's detail dashboard over the same time range.
    detail = (
        "Specialist detail",
        dashboard_url(plan.cluster, "specialist")
        + "?var-specialist=${__field.labels."
        + SPECIALIST_TYPE
        + "}&var-datasource=${datasource}&${__url_time_range}",
    )
    return (
        Timeseries(
            "Request rate by specialist",
            "Requests per second of each specialist. Click a series for the specialist's detail dashboard.",
            [Query(q.sum_by(q.rate(req, RATE), *by), each)],
            links=[detail],
        ),
        Timeseries(
            "Error ratio by specialist",
            "Share of each specialist's requests that ended in an error (errors / requests).",
            [Query(q.ratio(q.sum_by(q.rate(err, RATE), *by), q.sum_by(q.rate(req, RATE), *by)), each)],
            links=[detail],
        ),
        Timeseries(
            "Latency p50 / p95 / p99 by specialist",
            "Request duration quantiles per specialist: `histogram_quantile` over "
            f"`sum by (le, {SPECIALIST_TYPE})` of the bucket rates, so one value per specialist, not per pod.",
            quantiles(duration, by, each),
            links=[detail],
        ),
        Timeseries(
            "Mean quality by specialist",
            "Mean quality score (0-1) per specialist, from the histogram's `_sum` / `_count`.",
            [Query(q.histogram_mean(quality, RATE, by), each)],
            links=[detail],
        ),
    )


def _resources(plan: Plan) -> tuple[Panel, ...]:
    """Per-node utilization against its alert threshold: GPUs (GPU exporter), CPU and memory (node_exporter)."""
    catalog = plan.catalog
    host, limits = catalog.gpu.host_label, plan.dashboards.thresholds
    idle = q.rate(q.series(catalog, "node_cpu_seconds_total", q.eq("mode", "idle")), RATE)
    available = q.value(q.series(catalog, "node_memory_MemAvailable_bytes"))
    total = q.value(q.series(catalog, "node_memory_MemTotal_bytes"))
    panels: tuple[tuple[str, str, Query, Decimal], ...] = (
        (
            "GPU utilization by node",
            "Mean utilization of the GPUs of each node",
            Query(q.avg_by(q.gpu.utilization(catalog), host), legend(host)),
            limits.gpu_utilization_percent,
        ),
        (
            "GPU memory used by node",
            "Highest framebuffer memory use among the GPUs of each node",
            Query(q.max_by(q.gpu.memory_used_ratio(catalog), host), legend(host)),
            limits.gpu_memory_percent,
        ),
        (
            "CPU utilization by node",
            "Share of CPU time not idle, averaged over each node's CPUs (node_exporter)",
            Query(q.sub(1, q.avg_by(idle, NODE_LABEL)), legend(NODE_LABEL)),
            limits.node_cpu_percent,
        ),
        (
            "Memory utilization by node",
            "Share of memory not available for new workloads (1 - MemAvailable / MemTotal)",
            Query(q.sub(1, q.ratio(available, total)), legend(NODE_LABEL)),
            limits.node_memory_percent,
        ),
    )
    return tuple(
        Timeseries(
            title,
            f"{shows}; the dashed line is the alert threshold ({percent} %).",
            [query],
            width=6,
            max_value=1,
            steps=alert_line(percent / 100),
        )
        for title, shows, query, percent in panels
    )


def _alerts_by_name(catalog: Catalog) -> Panel:
    firing = q.value(q.series(catalog, "ALERTS", q.eq("alertstate", "firing")))
    return Timeseries(
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
