"""Specialist detail: one specialist (or a few) in depth, chosen with the ``$specialist`` variable."""

from __future__ import annotations

from collections.abc import Callable

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.plan.model import Plan
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import SPECIALIST_LABEL
from guardiangen.render.dashboards.panels import RATE, Cell, Query, heatmap, query_variable, timeseries
from guardiangen.spec.models import ClusterSpec

VARIABLE = "specialist"
BY = (SPECIALIST_LABEL,)
LEGEND = "{{" + SPECIALIST_LABEL + "}}"

SeriesFn = Callable[[str], q.Series]
"""A catalog series restricted to the chosen specialists."""


def build(spec: ClusterSpec, catalog: Catalog, plan: Plan) -> DashboardDef:
    chosen = q.regex(SPECIALIST_LABEL, "$" + VARIABLE)

    def s(name: str) -> q.Series:
        return q.series(catalog, name, chosen)

    variable = query_variable(VARIABLE, "Specialist", q.series(catalog, "specialist_requests_total"), SPECIALIST_LABEL)
    return DashboardDef(
        kind="specialist",
        description="One specialist in depth: traffic, errors, latency and quality distributions, token "
        "throughput and resources. Pick it with the Specialist variable.",
        variables=(variable,),
        sections=(
            Section("Traffic", _traffic(s)),
            Section("Latency", _latency(s)),
            Section("Quality", _quality(s)),
            Section("Errors", _errors(s)),
            Section("Resources", _resources(s)),
        ),
    )


def _traffic(s: SeriesFn) -> tuple[Cell, ...]:
    req, err, timeouts = s("specialist_requests_total"), s("specialist_errors_total"), s("specialist_timeouts_total")
    requests = q.sum_by(q.rate(req, RATE), *BY)
    tokens = s("specialist_tokens_per_second")
    return (
        timeseries(
            "Requests by status",
            "Requests per second by outcome (`status`), stacked per specialist.",
            [Query(q.sum_by(q.rate(req, RATE), *BY, "status"), LEGEND + " {{status}}")],
            width=8,
            stacked=True,
        ),
        timeseries(
            "Error and timeout ratio",
            "Share of requests that ended in an error, and share that timed out (each / all requests).",
            [
                Query(q.ratio(q.sum_by(q.rate(err, RATE), *BY), requests), LEGEND + " errors"),
                Query(q.ratio(q.sum_by(q.rate(timeouts, RATE), *BY), requests), LEGEND + " timeouts"),
            ],
            width=8,
        ),
        timeseries(
            "Tokens per second",
            "Token throughput reported by the specialist's instances, summed per specialist.",
            [Query(q.sum_by(q.value(tokens), *BY), LEGEND)],
            width=8,
        ),
    )


def _latency(s: SeriesFn) -> tuple[Cell, ...]:
    duration = s("specialist_request_duration_seconds")
    quantiles = [Query(q.quantile(k, duration, RATE, BY), f"{LEGEND} p{k[2:]}") for k in ("0.50", "0.95", "0.99")]
    return (
        timeseries(
            "Latency p50 / p95 / p99",
            "Request duration quantiles: `histogram_quantile` over `sum by (le, specialist_type)` of the bucket "
            "rates, one value per specialist.",
            quantiles,
        ),
        heatmap(
            "Latency distribution",
            "Requests per second in each duration bucket (`le`) of all chosen specialists; darker cells hold "
            "more requests.",
            q.bucket_rates(duration, RATE),
        ),
    )


def _quality(s: SeriesFn) -> tuple[Cell, ...]:
    quality, confidence = s("specialist_quality_score"), s("specialist_confidence_score")
    return (
        heatmap(
            "Quality score distribution",
            "Responses per second in each quality-score bucket (0-1). A shift towards low buckets means worse "
            "answers even when the mean looks stable.",
            q.bucket_rates(quality, RATE),
            width=8,
        ),
        heatmap(
            "Confidence distribution",
            "Responses per second in each confidence-score bucket (0-1).",
            q.bucket_rates(confidence, RATE),
            width=8,
        ),
        timeseries(
            "Mean quality and confidence",
            "Mean quality and confidence scores (0-1) per specialist, from each histogram's `_sum` / `_count`.",
            [
                Query(q.histogram_mean(quality, RATE, BY), LEGEND + " quality"),
                Query(q.histogram_mean(confidence, RATE, BY), LEGEND + " confidence"),
            ],
            width=8,
        ),
    )


def _errors(s: SeriesFn) -> tuple[Cell, ...]:
    errors = q.rate(s("specialist_errors_total"), RATE)
    return (
        timeseries(
            "Errors by type",
            "Errors per second by `error_type`.",
            [Query(q.sum_by(errors, *BY, "error_type"), LEGEND + " {{error_type}}")],
            bars=True,
            stacked=True,
        ),
        timeseries(
            "Errors by severity",
            "Errors per second by `severity`.",
            [Query(q.sum_by(errors, *BY, "severity"), LEGEND + " {{severity}}")],
            bars=True,
            stacked=True,
        ),
    )


def _resources(s: SeriesFn) -> tuple[Cell, ...]:
    return (
        timeseries(
            "GPU memory",
            "Memory the specialist reports using, by `memory_type` (GPU memory and the others it reports), "
            "summed over its instances.",
            [
                Query(
                    q.sum_by(q.value(s("specialist_memory_usage_bytes")), *BY, "memory_type"),
                    LEGEND + " {{memory_type}}",
                )
            ],
        ),
        timeseries(
            "GPU utilization",
            "Utilization of each GPU the specialist uses (`gpu_id`), as the specialist reports it (0-100 %).",
            [
                Query(
                    q.avg_by(q.value(s("specialist_gpu_utilization_percent")), *BY, "gpu_id"),
                    LEGEND + " GPU {{gpu_id}}",
                )
            ],
            max_value=100,
        ),
    )
