"""Guardian rules: evaluation rate and latency, issues found, false positives, accuracy, coverage.

The join between guardians and specialists is by value: a guardian's series carry the watched
specialist's ``metric_label_value`` in ``specialist_id``, the specialist's own series carry it in
``specialist_type``. Coverage therefore filters both sides with the same values from the spec's
``watches`` list and sums each side to a single series, so no ``label_replace`` is needed and a
guardian's evaluations of specialists it does not watch never count.

There is no guardian error counter in the instrumentation, so "evaluation failures" are judged by
what the catalog does have: a watched specialist with traffic and no evaluations at all
(``GuardianEvaluationsMissing``), and coverage below the guardian's threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.catalog.labels import (
    ERROR_SEVERITY,
    EVALUATION_TYPE,
    GUARDIAN_TYPE,
    ISSUE_TYPE,
    PREDICTION_TYPE,
    QUALITY_TIER,
    SPECIALIST_ID,
    SPECIALIST_TYPE,
    STATUS,
)
from guardiangen.plan.cluster import cluster_of
from guardiangen.plan.links import dashboard_url
from guardiangen.plan.model import LABEL_COMPONENT, LABEL_GUARDIAN, LABEL_SPECIALIST, LABEL_TEAM, InputSeries
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
    minutes_of,
    p95_scenarios,
    percent_text,
    rate_window,
    seconds_text,
    sorted_labels,
    threshold_scenarios,
    value_template,
)
from guardiangen.plan.rules.inputs import (
    counter,
    exact_quantile_indexes,
    gauge,
    histogram,
    quantile_shape,
    quantile_value,
)
from guardiangen.plan.rules.specialists import (
    QUANTILES,
    TRAFFIC,
    fixture_rate,
    quantile_record,
    requests_fixture,
)
from guardiangen.promql.text import regex_literal
from guardiangen.spec.models import ClusterSpec, Guardian

NAME = "guardians"
G, SID = GUARDIAN_TYPE, SPECIALIST_ID
PAIR = f"{G}_{SID}"
DURATION = "guardian_evaluation_duration_seconds"
ONE = Decimal(1)
EVALUATION = {EVALUATION_TYPE: "full"}
ISSUE = {ISSUE_TYPE: "hallucination", ERROR_SEVERITY: "high"}
FP = {ISSUE_TYPE: "hallucination"}
PREDICTION = {PREDICTION_TYPE: "issue_detection"}


def _names(w: str) -> dict[str, str]:
    return {
        "pair": f"{PAIR}:guardian_evaluations:rate{w}",
        "evaluations": f"{G}:guardian_evaluations:rate{w}",
        "issues": f"{PAIR}:guardian_issues_detected:rate{w}",
        "p95": quantile_record(Decimal("0.95"), DURATION, G, w),
        "false_positive": f"{G}_{ISSUE_TYPE}:guardian_false_positive_rate:max",
        "accuracy": f"{G}_{PREDICTION_TYPE}:guardian_prediction_accuracy:min",
        "coverage": f"{G}:guardian_evaluation_coverage:ratio_rate{w}",
    }


def _label_values(spec: ClusterSpec) -> dict[str, str]:
    """Each specialist's metric label value, by name."""
    return {s.name: s.label_value for s in spec.specialists}


def _watched(values: Mapping[str, str], g: Guardian) -> list[str]:
    """Metric label values of the specialists ``g`` watches, in the spec's order (``values``: see
    :func:`_label_values`)."""
    return [values[name] for name in g.watches]


def _any_of(label: str, values: list[str]) -> q.Matcher:
    return q.eq(label, values[0]) if len(values) == 1 else q.regex(label, "|".join(map(regex_literal, values)))


def coverage(values: Mapping[str, str], catalog: Catalog, g: Guardian, w: str) -> q.Expr:
    """Share of the watched specialists' requests that ``g`` evaluated, labelled by guardian_type."""
    watched = _watched(values, g)
    evaluations = q.series(catalog, "guardian_evaluations_total", q.eq(G, g.label_value), _any_of(SID, watched))
    requests = q.series(catalog, "specialist_requests_total", _any_of(SPECIALIST_TYPE, watched))
    # One denominator series for the guardian's one numerator series: match on nothing, keep its label.
    return q.ratio(q.sum_by(q.rate(evaluations, w), G), q.sum_by(q.rate(requests, w)), on=(), group_left=())


def _records(spec: ClusterSpec, catalog: Catalog, w: str) -> tuple[RecordDef, ...]:
    def s(name: str) -> q.Series:
        return q.series(catalog, name)

    names = _names(w)
    out = [
        RecordDef(names["pair"], q.sum_by(q.rate(s("guardian_evaluations_total"), w), G, SID)),
        RecordDef(names["evaluations"], q.sum_by(q.rate(s("guardian_evaluations_total"), w), G)),
        RecordDef(names["issues"], q.sum_by(q.rate(s("guardian_issues_detected_total"), w), G, SID)),
    ]
    out += [
        RecordDef(quantile_record(x, DURATION, G, w), q.quantile(x, s(DURATION), w, (G,), require_traffic=True))
        for x in QUANTILES
    ]
    out.append(RecordDef(names["false_positive"], q.max_by(q.value(s("guardian_false_positive_rate")), G, ISSUE_TYPE)))
    accuracy = q.min_by(q.value(s("guardian_prediction_accuracy")), G, PREDICTION_TYPE)
    out.append(RecordDef(names["accuracy"], accuracy))
    # The label repeats what the expression yields; as a rule label it also tells the rules apart.
    values = _label_values(spec)
    out += [RecordDef(names["coverage"], coverage(values, catalog, g, w), {G: g.label_value}) for g in spec.guardians]
    return tuple(out)


def build(spec: ClusterSpec, catalog: Catalog) -> Domain:
    w = rate_window(spec)
    records = _records(spec, catalog, w)
    fleet = _Fleet(spec, catalog, w, records)
    alerts = tuple(a for g in spec.guardians for a in _Alerts(fleet, g).all())
    return Domain(NAME, records, alerts, _fixture(spec, catalog, w))


class _Fleet:
    """What the alerts of every guardian look up: computed once, not once per guardian."""

    def __init__(self, spec: ClusterSpec, catalog: Catalog, w: str, records: tuple[RecordDef, ...]) -> None:
        self.spec, self.catalog, self.w = spec, catalog, w
        self.records = {r.name: r.expr for r in records}
        self.values = _label_values(spec)
        self.specialists = {s.name: s for s in spec.specialists}
        self.position = {s.name: i for i, s in enumerate(spec.specialists)}
        # The guardians watching each specialist, in spec order.
        self.watchers: dict[str, list[Guardian]] = {}
        for g in spec.guardians:
            for name in dict.fromkeys(g.watches):
                self.watchers.setdefault(name, []).append(g)


class _Alerts:
    """The alerts of one guardian."""

    def __init__(self, fleet: _Fleet, g: Guardian) -> None:
        self.fleet, self.g = fleet, g
        self.spec, self.catalog, self.w = fleet.spec, fleet.catalog, fleet.w
        self.label = g.label_value
        self.records = fleet.records
        self.names = _names(self.w)
        self.lookback = minutes_of(self.w)
        self.owner = Owner(
            {LABEL_GUARDIAN: g.name, LABEL_TEAM: g.team, LABEL_COMPONENT: "guardian"},
            dashboard_url(cluster_of(self.spec), "guardians", {"guardian": self.label}),
            tuple(g.alert_overrides),
        )

    def rec(self, short: str, *matchers: q.Matcher) -> q.Expr:
        name = self.names[short]
        return q.recorded(name, self.records[name], q.eq(G, self.label), *matchers)

    def all(self) -> list[AlertDef]:
        watched = sorted(set(self.g.watches), key=self.fleet.position.__getitem__)  # in spec order
        out = [a for name in watched for a in self.missing(name, self.fleet.specialists[name].label_value)]
        return [*out, *self.latency(), *self.false_positives(), *self.accuracy(), *self.coverage()]

    def missing(self, name: str, specialist: str) -> list[AlertDef]:
        # Raw rates rather than the specialists' recorded series: this group then depends on no
        # other group's evaluation, in Prometheus and in its tests.
        requests_of = q.series(self.catalog, "specialist_requests_total", q.eq(SPECIALIST_TYPE, specialist))
        judged = q.series(self.catalog, "guardian_evaluations_total", q.eq(G, self.label), q.eq(SID, specialist))
        traffic = q.gt(q.sum_by(q.rate(requests_of, self.w)), 0)
        expr = q.unless(traffic, q.gt(q.sum_by(q.rate(judged, self.w)), 0))
        requests = {SPECIALIST_TYPE: specialist, STATUS: "success", QUALITY_TIER: "standard"}
        pair = {G: self.label, SID: specialist, **EVALUATION}

        def inputs(evaluations: Decimal | None, stalled: bool = False) -> SeriesFn:
            def make(m: int) -> tuple[InputSeries, ...]:
                out = [counter("specialist_requests_total", requests, TRAFFIC, m)]
                if stalled:  # the counter exists but stopped growing
                    out.append(gauge("guardian_evaluations_total", pair, Decimal(500), m))
                elif evaluations is not None:
                    out.append(counter("guardian_evaluations_total", pair, evaluations, m))
                return tuple(out)

            return make

        result = sorted_labels({})
        scenarios = (
            Scenario("fires when there are no evaluations", inputs(None), TRAFFIC, result),
            Scenario("fires when evaluations stop", inputs(None, stalled=True), TRAFFIC, result),
            Scenario("stays silent", inputs(Decimal("0.25")), None),
        )
        text = (
            f"Guardian {self.g.name} evaluated none of the {value_template(expr.meta)} requests to specialist "
            f"{name} over the last {self.w}."
        )
        # The other guardians watching this specialist keep evaluating it.
        others = [x.label_value for x in self.fleet.watchers[name] if x.name != self.g.name]

        def background(m: int) -> tuple[InputSeries, ...]:
            return tuple(
                counter("guardian_evaluations_total", {G: x, SID: specialist, **EVALUATION}, Decimal("0.25"), m)
                for x in others
            )

        # A guardian that silently stopped judging leaves its specialist unprotected: page.
        return self.owner.alert(
            "GuardianEvaluationsMissing",
            expr,
            text,
            scenarios,
            for_="10m",
            lookback=self.lookback,
            severity="critical",
            labels={LABEL_SPECIALIST: name},
            background=background if others else None,
        )

    def latency(self) -> list[AlertDef]:
        t = self.g.thresholds.evaluation_latency_p95_max_seconds
        metric = self.catalog.get(DURATION)
        op, scenarios = p95_scenarios(metric, t, {G: self.label, **EVALUATION}, sorted_labels({G: self.label}))
        rec = self.rec("p95")
        expr = q.ge(rec, t) if op == ">=" else q.gt(rec, t)
        text = (
            f"The 95th percentile evaluation time of guardian {self.g.name} is {value_template(expr.meta)} over "
            f"the last {self.w} (threshold {seconds_text(t)})."
        )
        return self.owner.alert(
            "GuardianEvaluationLatencyHigh", expr, text, scenarios, for_="10m", lookback=self.lookback
        )

    def false_positives(self) -> list[AlertDef]:
        t = self.g.thresholds.false_positive_rate_max
        labels = {G: self.label, **FP}

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (gauge("guardian_false_positive_rate", labels, v, m),)

        expr = q.gt(self.rec("false_positive"), t)
        text = (
            f"Guardian {self.g.name} reports a false-positive rate of {value_template(expr.meta)} for issue type "
            f"{{{{ $labels.issue_type }}}} (threshold {percent_text(t)})."
        )
        scenarios = threshold_scenarios(around(t, ">", upper=ONE), inputs, sorted_labels(labels))
        # The rate is the guardian's own estimate over many decisions: it moves slowly.
        return self.owner.alert("GuardianFalsePositiveRateHigh", expr, text, scenarios, for_="30m", lookback=1)

    def accuracy(self) -> list[AlertDef]:
        t = self.g.thresholds.prediction_accuracy_min
        labels = {G: self.label, **PREDICTION}

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (gauge("guardian_prediction_accuracy", labels, v, m),)

        expr = q.lt(self.rec("accuracy"), t)
        text = (
            f"Guardian {self.g.name} reports a prediction accuracy of {value_template(expr.meta)} for "
            f"{{{{ $labels.prediction_type }}}} predictions (threshold {percent_text(t)})."
        )
        scenarios = threshold_scenarios(around(t, "<", upper=ONE), inputs, sorted_labels(labels))
        return self.owner.alert("GuardianAccuracyLow", expr, text, scenarios, for_="30m", lookback=1)

    def coverage(self) -> list[AlertDef]:
        t = self.g.thresholds.evaluation_coverage_min_percent / 100
        watched = _watched(self.fleet.values, self.g)

        def inputs(v: Decimal) -> SeriesFn:
            def make(m: int) -> tuple[InputSeries, ...]:
                out: list[InputSeries] = []
                for specialist in watched:
                    req = {SPECIALIST_TYPE: specialist, STATUS: "success", QUALITY_TIER: "standard"}
                    out.append(counter("specialist_requests_total", req, TRAFFIC, m))
                    pair = {G: self.label, SID: specialist, **EVALUATION}
                    out.append(counter("guardian_evaluations_total", pair, v * TRAFFIC, m))
                return tuple(out)

            return make

        expr = q.lt(self.rec("coverage"), t)
        text = (
            f"Guardian {self.g.name} evaluated {value_template(expr.meta)} of the requests to the specialists "
            f"it watches ({', '.join(self.g.watches)}) over the last {self.w} (threshold {percent_text(t)})."
        )
        scenarios = threshold_scenarios(around(t, "<", upper=ONE), inputs, sorted_labels({G: self.label}))
        return self.owner.alert("GuardianCoverageLow", expr, text, scenarios, for_="15m", lookback=self.lookback)


# ------------------------------------------------------------------------ recording fixture


COVERAGE_FIXTURES = (Decimal("0.5"), Decimal("0.75"), Decimal("0.625"), Decimal("0.5625"))


def coverage_fixture(index: int) -> Decimal:
    """Coverage of the ``index``-th guardian in the recording fixture. Times a power-of-two
    request rate these stay exact through rate()'s multiplication by a rounded 1/range."""
    return COVERAGE_FIXTURES[index % len(COVERAGE_FIXTURES)]


def _fixture(spec: ClusterSpec, catalog: Catalog, w: str) -> RecordsFixture:
    names = _names(w)
    duration = catalog.get(DURATION)
    marks = dict(zip(QUANTILES, exact_quantile_indexes(duration.buckets)[-len(QUANTILES) :], strict=True))
    shape = quantile_shape(duration.buckets, marks)
    rates = {s.label_value: fixture_rate(i) for i, s in enumerate(spec.specialists)}
    values = _label_values(spec)
    issues, false_positive, accuracy = Decimal("0.25"), Decimal("0.0625"), Decimal("0.875")

    def inputs(m: int) -> tuple[InputSeries, ...]:
        out = list(requests_fixture(spec, m))
        for j, g in enumerate(spec.guardians):
            c = coverage_fixture(j)
            for specialist in _watched(values, g):
                pair = {G: g.label_value, SID: specialist}
                out.append(counter("guardian_evaluations_total", {**pair, **EVALUATION}, rates[specialist] * c, m))
                out.append(counter("guardian_issues_detected_total", {**pair, **ISSUE}, issues, m))
            out += histogram(duration, {G: g.label_value, **EVALUATION}, shape, m)
            out.append(gauge("guardian_false_positive_rate", {G: g.label_value, **FP}, false_positive, m))
            out.append(gauge("guardian_prediction_accuracy", {G: g.label_value, **PREDICTION}, accuracy, m))
        return tuple(out)

    expected: list[ExpectedRecord] = []
    for j, g in enumerate(spec.guardians):
        c, base = coverage_fixture(j), {G: g.label_value}
        watched = _watched(values, g)
        for specialist in watched:
            pair = {**base, SID: specialist}
            expected += [
                ExpectedRecord(names["pair"], pair, rates[specialist] * c),
                ExpectedRecord(names["issues"], pair, issues),
            ]
        expected += [
            ExpectedRecord(names["evaluations"], base, sum((rates[x] * c for x in watched), Decimal(0))),
            *(
                ExpectedRecord(quantile_record(x, DURATION, G, w), base, quantile_value(duration.buckets, i))
                for x, i in marks.items()
            ),
            ExpectedRecord(names["false_positive"], {**base, **FP}, false_positive),
            ExpectedRecord(names["accuracy"], {**base, **PREDICTION}, accuracy),
            ExpectedRecord(names["coverage"], base, c),
        ]
    return RecordsFixture(inputs, tuple(expected), minutes_of(w))
