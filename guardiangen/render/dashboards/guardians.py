"""Guardians: how much the guardians evaluate, how fast, what they find, and how much to trust them."""

from __future__ import annotations

from guardiangen import promql as q
from guardiangen.catalog.labels import (
    ERROR_SEVERITY,
    EVALUATION_TYPE,
    GUARDIAN_TYPE,
    IMPROVEMENT_TYPE,
    ISSUE_TYPE,
    PREDICTION_TYPE,
    SPECIALIST_ID,
    SPECIALIST_TYPE,
)
from guardiangen.plan.model import Plan, WatchingGuardian
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import any_of, legend
from guardiangen.render.dashboards.panels import RANGE, RATE, Heatmap, Panel, Query, Stat, Text, Timeseries
from guardiangen.render.dashboards.picked import Picked

VARIABLE = "guardian"


def build(plan: Plan) -> DashboardDef:
    s = Picked(plan.catalog, GUARDIAN_TYPE, VARIABLE, "Guardian", listed_by="guardian_evaluations_total")
    trust = Section("Trust", (*_trust(s), _coverage(s, plan.dashboards.guardians)))
    return s.dashboard(
        "guardians",
        "The guardian models that judge the specialists' answers: evaluation volume and latency, "
        "issues detected, and how far their verdicts can be trusted.",
        (_evaluations(s), _issues(s), trust, _improvements(s)),
    )


def _evaluations(s: Picked) -> Section:
    evaluations = q.rate(s.series("guardian_evaluations_total"), RATE)
    duration = s.series("guardian_evaluation_duration_seconds")
    return Section(
        "Evaluations",
        (
            Timeseries(
                "Evaluations by type",
                f"Evaluations per second by guardian and `{EVALUATION_TYPE}`.",
                [s.split(evaluations, EVALUATION_TYPE)],
                stacked=True,
            ),
            Timeseries(
                "Evaluations by specialist",
                f"Evaluations per second by guardian and the specialist whose answer was judged (`{SPECIALIST_ID}`).",
                [Query(q.sum_by(evaluations, *s.by, SPECIALIST_ID), f"{s.legend} → {legend(SPECIALIST_ID)}")],
                stacked=True,
            ),
            Timeseries(
                "Evaluation latency p50 / p95 / p99",
                f"Evaluation duration quantiles per guardian, from `sum by (le, {GUARDIAN_TYPE})` of the bucket rates.",
                s.quantiles(duration),
            ),
            Heatmap(
                "Evaluation latency distribution",
                "Evaluations per second in each duration bucket (`le`) of the chosen guardians.",
                q.bucket_rates(duration, RATE),
            ),
        ),
    )


def _issues(s: Picked) -> Section:
    issues = s.series("guardian_issues_detected_total")
    in_range = Stat(
        "Issues in range by severity",
        "Issues the chosen guardians detected during the whole selected time range, by severity (one instant "
        "query at the end of the range).",
        [Query(q.sum_by(q.increase(issues, RANGE), ERROR_SEVERITY), legend(ERROR_SEVERITY), instant=True)],
        width=6,
        height=8,
        sparkline=False,
    )
    by_label = tuple(
        Timeseries(
            f"Issues by {what}",
            f"Issues detected per second by guardian and `{label}`.",
            [s.split(q.rate(issues, RATE), label)],
            width=9,
            bars=True,
            stacked=True,
        )
        for what, label in (("type", ISSUE_TYPE), ("severity", ERROR_SEVERITY))
    )
    return Section("Issues detected", (in_range, *by_label))


def _trust(s: Picked) -> tuple[Panel, ...]:
    false_positives = "detected issues that were false positives"
    right = "the guardian's predictions that were right"
    return (
        _reported(s, "False-positive rate", false_positives, "guardian_false_positive_rate", ISSUE_TYPE, "highest"),
        _reported(s, "Prediction accuracy", right, "guardian_prediction_accuracy", PREDICTION_TYPE, "lowest", 1),
    )


_WORST = {"highest": q.max_by, "lowest": q.min_by}


def _reported(
    s: Picked, title: str, share: str, metric: str, label: str, worst: str, max_value: int | None = None
) -> Panel:
    """A share (0-1) each guardian reports about itself, by ``label``; its worst instance counts."""
    return Timeseries(
        title,
        f"Share of {share}, as each guardian reports it (0-1), by `{label}`; the {worst} value across a "
        "guardian's instances.",
        [s.split(q.value(s.series(metric)), label, _WORST[worst])],
        width=8,
        max_value=max_value,
    )


def _coverage(s: Picked, guardians: tuple[WatchingGuardian, ...]) -> Panel:
    """Evaluations per request of the specialists each guardian watches (from the spec's `watches`)."""
    if not guardians:
        return Text(
            "Evaluation coverage",
            "Share of the watched specialists' requests that each guardian evaluated.",
            "No guardians are defined in the spec.",
            width=8,
            height=8,
        )
    queries = []
    for guardian in guardians:
        evaluations = q.series(
            s.catalog, "guardian_evaluations_total", q.eq(GUARDIAN_TYPE, guardian.label_value), s.matcher
        )
        requests = q.series(s.catalog, "specialist_requests_total", any_of(SPECIALIST_TYPE, guardian.watched))
        ratio = q.ratio(q.sum_by(q.rate(evaluations, RATE)), q.sum_by(q.rate(requests, RATE)))
        queries.append(Query(ratio, guardian.name))
    return Timeseries(
        "Evaluation coverage",
        "Evaluations per request of the specialists each guardian watches (`watches` in the spec): 100 % "
        "means every request was evaluated once. A guardian running several evaluation types per request "
        "can exceed 100 %.",
        queries,
        width=8,
    )


def _improvements(s: Picked) -> Section:
    counters = (
        ("suggested", "guardian_improvements_suggested_total"),
        ("implemented", "guardian_improvements_implemented_total"),
    )
    rates = [(what, q.rate(s.series(name), RATE)) for what, name in counters]
    return Section(
        "Improvements",
        (
            Timeseries(
                "Improvements suggested and implemented",
                f"Improvements per second the guardians suggested, and those implemented, by `{IMPROVEMENT_TYPE}`.",
                [
                    Query(q.sum_by(rate, *s.by, IMPROVEMENT_TYPE), f"{s.legend} {what} {legend(IMPROVEMENT_TYPE)}")
                    for what, rate in rates
                ],
                width=24,
                height=7,
            ),
        ),
    )
