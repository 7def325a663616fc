"""Specialist detail: one specialist (or a few) in depth, chosen with the ``$specialist`` variable."""

from __future__ import annotations

from guardiangen import promql as q
from guardiangen.catalog.labels import ERROR_SEVERITY, ERROR_TYPE, GPU_ID, MEMORY_TYPE, SPECIALIST_TYPE, STATUS
from guardiangen.plan.model import Plan
from guardiangen.render.dashboards import engines
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import legend
from guardiangen.render.dashboards.panels import RATE, Heatmap, Query, Timeseries
from guardiangen.render.dashboards.picked import Picked

VARIABLE = "specialist"


PAGE_ENGINES = 24
"""At most this many engine rows per dashboard page: page 1 has the specialist sections (driven by
the ``specialist`` variable, they don't grow with the fleet) and the first engine rows; later pages
only engine rows, so a fleet of engines never makes one dashboard too big for Grafana to load."""


def build(plan: Plan) -> DashboardDef | tuple[DashboardDef, ...]:
    s = Picked(plan.catalog, SPECIALIST_TYPE, VARIABLE, "Specialist", listed_by="specialist_requests_total")
    description = (
        "One specialist in depth: traffic, errors, latency and quality distributions, token "
        "throughput and resources. Pick it with the Specialist variable. Specialists served by an inference "
        "engine have a collapsed row each with the engine's own view (not filtered by the variable)."
    )
    rows = engines.sections(plan)
    parts = [rows[i : i + PAGE_ENGINES] for i in range(0, len(rows), PAGE_ENGINES)] or [()]
    first = s.dashboard(
        "specialist",
        description,
        (_traffic(s), _latency(s), _quality(s), _errors(s), _resources(s), *parts[0]),
    )
    if len(parts) == 1:
        return first
    return (first, *(s.dashboard("specialist", description, part) for part in parts[1:]))


def _traffic(s: Picked) -> Section:
    req = s.series("specialist_requests_total")
    err, timeouts = s.series("specialist_errors_total"), s.series("specialist_timeouts_total")
    requests = q.sum_by(q.rate(req, RATE), *s.by)
    return Section(
        "Traffic",
        (
            Timeseries(
                "Requests by status",
                f"Requests per second by outcome (`{STATUS}`), stacked per specialist.",
                [s.split(q.rate(req, RATE), STATUS)],
                width=8,
                stacked=True,
            ),
            Timeseries(
                "Error and timeout ratio",
                "Share of requests that ended in an error, and share that timed out (each / all requests).",
                [
                    Query(q.ratio(q.sum_by(q.rate(err, RATE), *s.by), requests), s.legend + " errors"),
                    Query(q.ratio(q.sum_by(q.rate(timeouts, RATE), *s.by), requests), s.legend + " timeouts"),
                ],
                width=8,
            ),
            Timeseries(
                "Tokens per second",
                "Token throughput reported by the specialist's instances, summed per specialist.",
                [Query(q.sum_by(q.value(s.series("specialist_tokens_per_second")), *s.by), s.legend)],
                width=8,
            ),
        ),
    )


def _latency(s: Picked) -> Section:
    duration = s.series("specialist_request_duration_seconds")
    return Section(
        "Latency",
        (
            Timeseries(
                "Latency p50 / p95 / p99",
                f"Request duration quantiles: `histogram_quantile` over `sum by (le, {SPECIALIST_TYPE})` of the bucket "
                "rates, one value per specialist.",
                s.quantiles(duration),
            ),
            Heatmap(
                "Latency distribution",
                "Requests per second in each duration bucket (`le`) of all chosen specialists; darker cells hold "
                "more requests.",
                q.bucket_rates(duration, RATE),
            ),
        ),
    )


def _quality(s: Picked) -> Section:
    quality, confidence = s.series("specialist_quality_score"), s.series("specialist_confidence_score")
    return Section(
        "Quality",
        (
            Heatmap(
                "Quality score distribution",
                "Responses per second in each quality-score bucket (0-1). A shift towards low buckets means worse "
                "answers even when the mean looks stable.",
                q.bucket_rates(quality, RATE),
                width=8,
            ),
            Heatmap(
                "Confidence distribution",
                "Responses per second in each confidence-score bucket (0-1).",
                q.bucket_rates(confidence, RATE),
                width=8,
            ),
            Timeseries(
                "Mean quality and confidence",
                "Mean quality and confidence scores (0-1) per specialist, from each histogram's `_sum` / `_count`.",
                [
                    Query(q.histogram_mean(quality, RATE, s.by), s.legend + " quality"),
                    Query(q.histogram_mean(confidence, RATE, s.by), s.legend + " confidence"),
                ],
                width=8,
            ),
        ),
    )


def _errors(s: Picked) -> Section:
    errors = q.rate(s.series("specialist_errors_total"), RATE)
    return Section(
        "Errors",
        tuple(
            Timeseries(
                f"Errors by {what}",
                f"Errors per second by `{label}`.",
                [s.split(errors, label)],
                bars=True,
                stacked=True,
            )
            for what, label in (("type", ERROR_TYPE), ("severity", ERROR_SEVERITY))
        ),
    )


def _resources(s: Picked) -> Section:
    utilization = q.value(s.series("specialist_gpu_utilization_percent"))
    return Section(
        "Resources",
        (
            Timeseries(
                "GPU memory",
                f"Memory the specialist reports using, by `{MEMORY_TYPE}` (GPU memory and the others it reports), "
                "summed over its instances.",
                [s.split(q.value(s.series("specialist_memory_usage_bytes")), MEMORY_TYPE)],
            ),
            Timeseries(
                "GPU utilization",
                f"Utilization of each GPU the specialist uses (`{GPU_ID}`), as the specialist reports it (0-100 %).",
                [Query(q.avg_by(utilization, *s.by, GPU_ID), f"{s.legend} GPU {legend(GPU_ID)}")],
                max_value=100,
            ),
        ),
    )
