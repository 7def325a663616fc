"""The SLOs of a spec and their SLIs: which events are bad and which are all events.

Each SLI is two per-second rates over 5m, aggregated to one series (the rule labels it with the
SLO id): ``bad`` and ``total``. Every longer window is derived from these two recorded series.

**Which counter is "bad" for availability.** The reference instrumentation's ``request_timer``
counts every request once in ``specialist_requests_total`` with ``status="error"|"success"`` and,
on failure, also increments ``specialist_errors_total``. Bad events are
``specialist_requests_total{status="error"}``: exactly one per failed request, from the same call
that counts the request. ``specialist_errors_total`` counts *errors encountered* (labelled by
exception type); any other code path may increment it for errors that did not fail a request, so
errors / requests can overstate failures and even exceed 1.

**Which counter is "all requests".** Not ``specialist_requests_total``: the reference's
``record_quality_metrics`` increments it a second time (``status="success"`` with the real
quality tier) for every scored response, so summing it counts scored requests twice and would
halve the error ratio. ``specialist_request_duration_seconds_count`` is observed exactly once per
request, success or error, in the same ``finally`` block. Latency and coverage use the same
denominator, so all specialist SLOs agree on how many requests there were.

**Quality.** Bad = scores in the ``le=minimum_score`` bucket: a classic histogram's bucket includes
its bound, so a score exactly equal to ``minimum_score`` counts as bad (buckets cannot tell it
apart from lower scores).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from guardiangen import promql as q
from guardiangen.catalog import Catalog, Scale, Unit
from guardiangen.catalog.labels import (
    COMPLEXITY,
    EVALUATION_TYPE,
    GUARDIAN_TYPE,
    QUALITY_TIER,
    SPECIALIST_ID,
    SPECIALIST_TYPE,
    STATUS,
)
from guardiangen.generated_labels import slo_id
from guardiangen.plan.model import LABEL_GUARDIAN, LABEL_SPECIALIST
from guardiangen.promql import Expr, Meta
from guardiangen.promql.text import go_float, normalized_le, regex_literal
from guardiangen.spec.models import (
    AvailabilitySlo,
    ClusterSpec,
    Guardian,
    LatencySlo,
    QualitySlo,
    SloCommon,
    Specialist,
)

RATE = "5m"

InputRole = Literal["total", "bad", "good"]  # how a synthetic test counter grows with the SLI


@dataclass(frozen=True)
class TestCounter:
    """One input series of the generated promtool tests and how it grows with the SLI."""

    series: str  # 'metric{label="value",...}'
    role: InputRole


@dataclass(frozen=True)
class SloDef:
    """One SLO, everything the rules, the plan and the tests need."""

    id: str
    kind: str  # availability | latency | quality | coverage
    owner_kind: str  # specialist | guardian
    owner: str
    spec_path: str  # where the SLO is in the spec, e.g. "specialists[code].slos.latency"
    team: str
    common: SloCommon
    bad: Expr  # bad events per second over 5m, no labels
    total: Expr  # all events per second over 5m, no labels
    bad_phrase: str  # "of requests failed", for annotations
    counters: Callable[[bool], tuple[TestCounter, ...]]  # go_le -> synthetic test inputs
    owner_label: tuple[str, str]  # (LABEL_SPECIALIST|LABEL_GUARDIAN, owner)


def collect(spec: ClusterSpec, catalog: Catalog) -> tuple[SloDef, ...]:
    """Every SLO of the spec, sorted by id."""
    found = [*_specialist_slos(spec, catalog), *_guardian_slos(spec, catalog)]
    return tuple(sorted(found, key=lambda d: d.id))


def series_text(name: str, labels: Mapping[str, str]) -> str:
    inner = ",".join(f"{k}={q.quote(v)}" for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def events_rate(e: Expr) -> Expr:
    return replace(e, meta=Meta(Scale.ABSOLUTE, Unit.EVENTS, per_second=True))


def _specialist_slos(spec: ClusterSpec, catalog: Catalog) -> Iterator[SloDef]:
    for s in spec.specialists:
        if s.slos.availability is not None or s.slos.latency is not None:
            requests = _requests(s, catalog)  # both SLIs count all requests the same way
            if s.slos.availability is not None:
                yield _availability(s, s.slos.availability, catalog, requests)
            if s.slos.latency is not None:
                yield _latency(s, s.slos.latency, requests)
        if s.slos.quality is not None:
            yield _quality(s, s.slos.quality, catalog)


def _requests(s: Specialist, catalog: Catalog) -> tuple[q.Series, Expr, str]:
    """The request-duration histogram, requests per second, and its _count as a test input."""
    duration = q.series(catalog, "specialist_request_duration_seconds", q.eq(SPECIALIST_TYPE, s.label_value))
    count = series_text(
        "specialist_request_duration_seconds_count", {SPECIALIST_TYPE: s.label_value, COMPLEXITY: "medium"}
    )
    return duration, events_rate(q.observation_rate(duration, RATE)), count


def _availability(
    s: Specialist, common: AvailabilitySlo, catalog: Catalog, all_requests: tuple[q.Series, Expr, str]
) -> SloDef:
    v = s.label_value
    _, requests, count = all_requests
    failed = q.series(catalog, "specialist_requests_total", q.eq(SPECIALIST_TYPE, v), q.eq(STATUS, "error"))
    req = "specialist_requests_total"

    def inputs(go_le: bool) -> tuple[TestCounter, ...]:
        return (
            TestCounter(count, "total"),
            TestCounter(series_text(req, {SPECIALIST_TYPE: v, STATUS: "error", QUALITY_TIER: "unknown"}), "bad"),
            TestCounter(series_text(req, {SPECIALIST_TYPE: v, STATUS: "success", QUALITY_TIER: "unknown"}), "good"),
            # The reference counts scored responses a second time; the SLI must not see them.
            TestCounter(series_text(req, {SPECIALIST_TYPE: v, STATUS: "success", QUALITY_TIER: "high"}), "good"),
        )

    bad = events_rate(q.sum_by(q.rate(failed, RATE)))
    phrase = "of requests failed"
    return specialist_sli(s, "availability", common, bad, requests, phrase, inputs, field="slos.availability")


def _latency(s: Specialist, common: LatencySlo, all_requests: tuple[q.Series, Expr, str]) -> SloDef:
    duration, requests, count = all_requests
    bound = common.threshold_seconds
    slow = events_rate(q.sub(requests, q.bucket_rate(duration, bound, RATE)))
    bucket = "specialist_request_duration_seconds_bucket"

    def inputs(go_le: bool) -> tuple[TestCounter, ...]:
        le = le_text(bound, go_le)
        good = series_text(bucket, {SPECIALIST_TYPE: s.label_value, COMPLEXITY: "medium", "le": le})
        return (TestCounter(count, "total"), TestCounter(good, "good"))

    phrase = f"of requests took longer than {q.format_number(bound)}s"
    return specialist_sli(s, "latency", common, slow, requests, phrase, inputs, field="slos.latency")


def _quality(s: Specialist, common: QualitySlo, catalog: Catalog) -> SloDef:
    v = s.label_value
    score = q.series(catalog, "specialist_quality_score", q.eq(SPECIALIST_TYPE, v))
    minimum = common.minimum_score
    low = events_rate(q.bucket_rate(score, minimum, RATE))

    def inputs(go_le: bool) -> tuple[TestCounter, ...]:
        bucket = series_text("specialist_quality_score_bucket", {SPECIALIST_TYPE: v, "le": le_text(minimum, go_le)})
        return (
            TestCounter(series_text("specialist_quality_score_count", {SPECIALIST_TYPE: v}), "total"),
            TestCounter(bucket, "bad"),
        )

    phrase = f"of responses scored at or below {q.format_number(minimum)}"
    total = events_rate(q.observation_rate(score, RATE))
    return specialist_sli(s, "quality", common, low, total, phrase, inputs, field="slos.quality")


def le_text(bound: Decimal, go: bool) -> str:
    """The `le` spelling of a test input: Go clients' ``10`` or the Python client's ``10.0``."""
    return go_float(float(bound)) if go else normalized_le(float(bound))


def specialist_sli(
    s: Specialist,
    kind: str,
    common: SloCommon,
    bad: Expr,
    total: Expr,
    phrase: str,
    inputs: Callable[[bool], tuple[TestCounter, ...]],
    *,
    field: str,
) -> SloDef:
    """The SLO of specialist ``s`` set by its field ``field`` (e.g. ``slos.latency``)."""
    return SloDef(
        id=slo_id(s.name, kind),
        kind=kind,
        owner_kind="specialist",
        owner=s.name,
        spec_path=f"specialists[{s.name}].{field}",
        team=s.team,
        common=common,
        bad=bad,
        total=total,
        bad_phrase=phrase,
        counters=inputs,
        owner_label=(LABEL_SPECIALIST, s.name),
    )


def _guardian_slos(spec: ClusterSpec, catalog: Catalog) -> Iterator[SloDef]:
    by_name = {s.name: s for s in spec.specialists}
    for g in spec.guardians:
        if g.slos.coverage is None:
            continue
        values = tuple(sorted({by_name[w].label_value for w in g.watches}))
        yield _coverage(g, g.slos.coverage, values, catalog)


def _values_matcher(label: str, values: tuple[str, ...]) -> q.Matcher:
    if len(values) == 1:
        return q.eq(label, values[0])
    return q.regex(label, "|".join(regex_literal(v) for v in values))


def _coverage(g: Guardian, common: SloCommon, values: tuple[str, ...], catalog: Catalog) -> SloDef:
    """Requests of the watched specialists that this guardian did not evaluate.

    Per specialist: requests - evaluations, clamped at 0 (a guardian that evaluates some requests
    twice, e.g. once per evaluation type, must not hide the requests it missed of another
    specialist); a specialist with no evaluation series at all counts every request as bad.
    """
    duration = q.series(catalog, "specialist_request_duration_seconds", _values_matcher(SPECIALIST_TYPE, values))
    per_specialist = q.observation_rate(duration, RATE, (SPECIALIST_TYPE,))
    evaluations = q.series(
        catalog,
        "guardian_evaluations_total",
        q.eq(GUARDIAN_TYPE, g.label_value),
        _values_matcher(SPECIALIST_ID, values),
    )
    evaluated = q.sum_by(
        q.label_replace(q.rate(evaluations, RATE), SPECIALIST_TYPE, "$1", SPECIALIST_ID, "(.*)"),
        SPECIALIST_TYPE,
    )
    missed = q.or_(q.clamp(q.sub(per_specialist, evaluated), lower=0), per_specialist)
    bad = events_rate(q.sum_by(missed))
    total = events_rate(q.observation_rate(duration, RATE))

    def inputs(go_le: bool) -> tuple[TestCounter, ...]:
        out: list[TestCounter] = []
        for v in values:
            count = series_text("specialist_request_duration_seconds_count", {SPECIALIST_TYPE: v, COMPLEXITY: "medium"})
            ev = series_text(
                "guardian_evaluations_total",
                {GUARDIAN_TYPE: g.label_value, SPECIALIST_ID: v, EVALUATION_TYPE: "full"},
            )
            out += [TestCounter(count, "total"), TestCounter(ev, "good")]
        return tuple(out)

    return SloDef(
        id=slo_id(g.name, "coverage"),
        kind="coverage",
        owner_kind="guardian",
        owner=g.name,
        spec_path=f"guardians[{g.name}].slos.coverage",
        team=g.team,
        common=common,
        bad=bad,
        total=total,
        bad_phrase="of the watched specialists' requests went unevaluated",
        counters=inputs,
        owner_label=(LABEL_GUARDIAN, g.name),
    )
