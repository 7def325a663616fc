"""Guardians: how much the guardians evaluate, how fast, what they find, and how much to trust them."""

from __future__ import annotations

from collections.abc import Callable

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.plan.model import Plan
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import GUARDIAN_LABEL, SPECIALIST_LABEL, any_of
from guardiangen.render.dashboards.panels import (
    RANGE,
    RATE,
    Cell,
    Query,
    heatmap,
    query_variable,
    stat,
    text,
    timeseries,
)
from guardiangen.spec.models import ClusterSpec

VARIABLE = "guardian"
BY = (GUARDIAN_LABEL,)
LEGEND = "{{" + GUARDIAN_LABEL + "}}"

SeriesFn = Callable[[str], q.Series]


def build(spec: ClusterSpec, catalog: Catalog, plan: Plan) -> DashboardDef:
    chosen = q.regex(GUARDIAN_LABEL, "$" + VARIABLE)

    def s(name: str) -> q.Series:
        return q.series(catalog, name, chosen)

    variable = query_variable(VARIABLE, "Guardian", q.series(catalog, "guardian_evaluations_total"), GUARDIAN_LABEL)
    return DashboardDef(
        kind="guardians",
        description="The guardian models that judge the specialists' answers: evaluation volume and latency, "
        "issues detected, and how far their verdicts can be trusted.",
        variables=(variable,),
        sections=(
            Section("Evaluations", _evaluations(s)),
            Section("Issues detected", _issues(s)),
            Section("Trust", (*_trust(s), _coverage(spec, catalog, chosen))),
            Section("Improvements", _improvements(s)),
        ),
    )


def _evaluations(s: SeriesFn) -> tuple[Cell, ...]:
    evaluations = q.rate(s("guardian_evaluations_total"), RATE)
    duration = s("guardian_evaluation_duration_seconds")
    quantiles = [Query(q.quantile(k, duration, RATE, BY), f"{LEGEND} p{k[2:]}") for k in ("0.50", "0.95", "0.99")]
    return (
        timeseries(
            "Evaluations by type",
            "Evaluations per second by guardian and `evaluation_type`.",
            [Query(q.sum_by(evaluations, *BY, "evaluation_type"), LEGEND + " {{evaluation_type}}")],
            stacked=True,
        ),
        timeseries(
            "Evaluations by specialist",
            "Evaluations per second by guardian and the specialist whose answer was judged (`specialist_id`).",
            [Query(q.sum_by(evaluations, *BY, "specialist_id"), LEGEND + " → {{specialist_id}}")],
            stacked=True,
        ),
        timeseries(
            "Evaluation latency p50 / p95 / p99",
            "Evaluation duration quantiles per guardian, from `sum by (le, guardian_type)` of the bucket rates.",
            quantiles,
        ),
        heatmap(
            "Evaluation latency distribution",
            "Evaluations per second in each duration bucket (`le`) of the chosen guardians.",
            q.bucket_rates(duration, RATE),
        ),
    )


def _issues(s: SeriesFn) -> tuple[Cell, ...]:
    issues = s("guardian_issues_detected_total")
    return (
        stat(
            "Issues in range by severity",
            "Issues the chosen guardians detected during the whole selected time range, by severity (one instant "
            "query at the end of the range).",
            [Query(q.sum_by(q.increase(issues, RANGE), "severity"), "{{severity}}", instant=True)],
            width=6,
            height=8,
            sparkline=False,
        ),
        timeseries(
            "Issues by type",
            "Issues detected per second by guardian and `issue_type`.",
            [Query(q.sum_by(q.rate(issues, RATE), *BY, "issue_type"), LEGEND + " {{issue_type}}")],
            width=9,
            bars=True,
            stacked=True,
        ),
        timeseries(
            "Issues by severity",
            "Issues detected per second by guardian and `severity`.",
            [Query(q.sum_by(q.rate(issues, RATE), *BY, "severity"), LEGEND + " {{severity}}")],
            width=9,
            bars=True,
            stacked=True,
        ),
    )


def _trust(s: SeriesFn) -> tuple[Cell, ...]:
    return (
        timeseries(
            "False-positive rate",
            "Share of detected issues that were false positives, as each guardian reports it (0-1), by "
            "`issue_type`; the highest value across a guardian's instances.",
            [
                Query(
                    q.max_by(q.value(s("guardian_false_positive_rate")), *BY, "issue_type"),
                    LEGEND + " {{issue_type}}",
                )
            ],
            width=8,
        ),
        timeseries(
            "Prediction accuracy",
            "Share of the guardian's predictions that were right, as each guardian reports it (0-1), by "
            "`prediction_type`; the lowest value across a guardian's instances.",
            [
                Query(
                    q.min_by(q.value(s("guardian_prediction_accuracy")), *BY, "prediction_type"),
                    LEGEND + " {{prediction_type}}",
                )
            ],
            width=8,
            max_value=1,
        ),
    )


def _coverage(spec: ClusterSpec, catalog: Catalog, chosen: q.Matcher) -> Cell:
    """Evaluations per request of the specialists each guardian watches (from the spec's `watches`)."""
    if not spec.guardians:
        return text(
            "Evaluation coverage",
            "Share of the watched specialists' requests that each guardian evaluated.",
            "No guardians are defined in the spec.",
            width=8,
            height=8,
        )
    label_values = {s.name: s.label_value for s in spec.specialists}
    queries = []
    for guardian in spec.guardians:
        evaluations = q.series(
            catalog, "guardian_evaluations_total", q.eq(GUARDIAN_LABEL, guardian.label_value), chosen
        )
        requests = q.series(
            catalog, "specialist_requests_total", any_of(SPECIALIST_LABEL, (label_values[w] for w in guardian.watches))
        )
        ratio = q.ratio(q.sum_by(q.rate(evaluations, RATE)), q.sum_by(q.rate(requests, RATE)))
        queries.append(Query(ratio, guardian.name))
    return timeseries(
        "Evaluation coverage",
        "Evaluations per request of the specialists each guardian watches (`watches` in the spec): 100 % "
        "means every request was evaluated once. A guardian running several evaluation types per request "
        "can exceed 100 %.",
        queries,
        width=8,
    )


def _improvements(s: SeriesFn) -> tuple[Cell, ...]:
    suggested = q.rate(s("guardian_improvements_suggested_total"), RATE)
    implemented = q.rate(s("guardian_improvements_implemented_total"), RATE)
    return (
        timeseries(
            "Improvements suggested and implemented",
            "Improvements per second the guardians suggested, and those implemented, by `improvement_type`.",
            [
                Query(q.sum_by(suggested, *BY, "improvement_type"), LEGEND + " suggested {{improvement_type}}"),
                Query(q.sum_by(implemented, *BY, "improvement_type"), LEGEND + " implemented {{improvement_type}}"),
            ],
            width=24,
            height=7,
        ),
    )
