"""Specialist rules: request rate, error and timeout ratios, latency quantiles, quality, tokens/s.

Recording rules aggregate ``by (specialist_type)`` over every specialist; alerts are generated one
per specialist with a fixed ``specialist_type`` matcher, so each carries that specialist's own
threshold, overrides and labels exactly (thresholds differ per specialist, and a shared rule
could not say whose they are).
"""

from __future__ import annotations

from decimal import Decimal

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.catalog.labels import COMPLEXITY, ERROR_SEVERITY, ERROR_TYPE, QUALITY_TIER, SPECIALIST_TYPE, STATUS
from guardiangen.plan.cluster import cluster_of
from guardiangen.plan.links import dashboard_url
from guardiangen.plan.model import LABEL_COMPONENT, LABEL_SPECIALIST, LABEL_TEAM, InputSeries
from guardiangen.plan.rules.core import (
    AlertDef,
    Domain,
    ExpectedRecord,
    Owner,
    RecordDef,
    RecordsFixture,
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
    counter_phases,
    exact_quantile_indexes,
    gauge,
    histogram,
    quantile_shape,
    quantile_value,
)
from guardiangen.spec.models import ClusterSpec, Specialist

NAME = "specialists"
BY = SPECIALIST_TYPE
DURATION = "specialist_request_duration_seconds"
QUANTILES = (Decimal("0.5"), Decimal("0.95"), Decimal("0.99"))
THROUGHPUT_WINDOW, THROUGHPUT_OFFSET = "1h", "1d"
TRAFFIC = Decimal(10)  # requests per second in alert fixtures
ONE = Decimal(1)
ERROR_LABELS = {ERROR_TYPE: "InferenceError", ERROR_SEVERITY: "high"}


def requests_rate(catalog: Catalog, window: str) -> tuple[str, q.Expr]:
    """Requests per second per specialist; the guardians' rules read it too."""
    expr = q.sum_by(q.rate(q.series(catalog, "specialist_requests_total"), window), BY)
    return f"{BY}:specialist_requests:rate{window}", expr


def quantile_record(quantile: Decimal, metric: str, level: str, window: str) -> str:
    return f"{level}:{metric}:p{q.format_number(quantile * 100)}_rate{window}"


def _names(w: str) -> dict[str, str]:
    return {
        "errors": f"{BY}:specialist_errors_per_requests:ratio_rate{w}",
        "timeouts": f"{BY}:specialist_timeouts_per_requests:ratio_rate{w}",
        "p95": quantile_record(Decimal("0.95"), DURATION, BY, w),
        "quality": f"{BY}:specialist_quality_score:mean{w}",
        "confidence": f"{BY}:specialist_confidence_score:mean{w}",
        "tokens": f"{BY}:specialist_tokens_per_second:avg{w}",
    }


def _records(catalog: Catalog, w: str) -> tuple[RecordDef, ...]:
    def s(name: str) -> q.Series:
        return q.series(catalog, name)

    names = _names(w)
    req_name, req = requests_rate(catalog, w)
    out = [RecordDef(req_name, req)]
    for short, metric in (("errors", "specialist_errors_total"), ("timeouts", "specialist_timeouts_total")):
        out.append(RecordDef(names[short], q.ratio(q.sum_by(q.rate(s(metric), w), BY), req)))
    for quantile in QUANTILES:
        expr = q.quantile(quantile, s(DURATION), w, (BY,), require_traffic=True)
        out.append(RecordDef(quantile_record(quantile, DURATION, BY, w), expr))
    for short, metric in (("quality", "specialist_quality_score"), ("confidence", "specialist_confidence_score")):
        out.append(RecordDef(names[short], q.histogram_mean(s(metric), w, (BY,))))
    tokens = q.avg_by(q.over_time("avg", s("specialist_tokens_per_second"), w), BY)
    out.append(RecordDef(names["tokens"], tokens))
    return tuple(out)


def build(spec: ClusterSpec, catalog: Catalog) -> Domain:
    w = rate_window(spec)
    records = _records(catalog, w)
    alerts = tuple(a for s in spec.specialists for a in _Alerts(spec, catalog, s, w, records).all())
    return Domain(NAME, records, alerts, _fixture(spec, catalog, w))


class _Alerts:
    """The alerts of one specialist."""

    def __init__(
        self, spec: ClusterSpec, catalog: Catalog, s: Specialist, w: str, records: tuple[RecordDef, ...]
    ) -> None:
        self.catalog, self.s, self.w = catalog, s, w
        self.label = s.label_value
        self.match = q.eq(BY, self.label)
        self.result = sorted_labels({BY: self.label})
        self.records = {r.name: r.expr for r in records}
        self.names = _names(w)
        self.lookback = minutes_of(w)
        self.requests = {BY: self.label, STATUS: "success", QUALITY_TIER: "standard"}
        self.owner = Owner(
            {LABEL_SPECIALIST: s.name, LABEL_TEAM: s.team, LABEL_COMPONENT: "specialist"},
            dashboard_url(cluster_of(spec), "specialist", {"specialist": self.label}),
            tuple(s.alert_overrides),
        )

    def rec(self, short: str) -> q.Expr:
        name = self.names[short]
        return q.recorded(name, self.records[name], self.match)

    def all(self) -> list[AlertDef]:
        return [
            *self.ratio("SpecialistErrorRatioHigh", "errors", self.s.thresholds.error_ratio_max_percent, "failed"),
            *self.latency(),
            *self.quality(),
            *self.ratio("SpecialistTimeoutsHigh", "timeouts", self.s.thresholds.timeout_ratio_max_percent, "timed out"),
            *self.throughput(),
            *self.tokens(),
        ]

    def ratio(self, name: str, short: str, max_percent: Decimal, verb: str) -> list[AlertDef]:
        t = max_percent / 100
        metric, extra = "specialist_errors_total", ERROR_LABELS
        if short == "timeouts":
            metric, extra = "specialist_timeouts_total", {}

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (
                counter("specialist_requests_total", self.requests, TRAFFIC, m),
                counter(metric, {BY: self.label, **extra}, v * TRAFFIC, m),
            )

        expr = q.gt(self.rec(short), t)
        text = (
            f"{value_template(expr.meta)} of the requests to specialist {self.s.name} {verb} over the last "
            f"{self.w} (threshold {percent_text(t)})."
        )
        scenarios = threshold_scenarios(around(t, ">", upper=ONE), inputs, self.result)
        return self.owner.alert(name, expr, text, scenarios, for_="5m", lookback=self.lookback)

    def latency(self) -> list[AlertDef]:
        t = self.s.thresholds.latency_p95_max_seconds
        if t is None:
            return []
        metric = self.catalog.get(DURATION)
        op, scenarios = p95_scenarios(metric, t, {BY: self.label, COMPLEXITY: "medium"}, self.result)
        rec = self.rec("p95")
        expr = q.ge(rec, t) if op == ">=" else q.gt(rec, t)
        text = (
            f"The 95th percentile duration of requests to specialist {self.s.name} is {value_template(expr.meta)} "
            f"over the last {self.w} (threshold {seconds_text(t)})."
        )
        return self.owner.alert("SpecialistLatencyP95High", expr, text, scenarios, for_="10m", lookback=self.lookback)

    def quality(self) -> list[AlertDef]:
        t = self.s.thresholds.quality_mean_min
        if t is None:
            return []

        def inputs(v: Decimal) -> SeriesFn:
            base = {BY: self.label}
            return lambda m: (
                counter("specialist_quality_score_count", base, ONE, m),
                counter("specialist_quality_score_sum", base, v, m),
            )

        expr = q.lt(self.rec("quality"), t)
        text = (
            f"The mean quality score of specialist {self.s.name} is {value_template(expr.meta)} over the last "
            f"{self.w} (threshold {q.format_number(t)})."
        )
        scenarios = threshold_scenarios(around(t, "<", upper=ONE), inputs, self.result)
        return self.owner.alert("SpecialistQualityLow", expr, text, scenarios, for_="15m", lookback=self.lookback)

    def throughput(self) -> list[AlertDef]:
        drop = self.s.thresholds.throughput_drop_percent
        if drop is None:
            return []
        keep = 1 - drop / 100
        requests = q.series(self.catalog, "specialist_requests_total", self.match)
        today = q.sum_by(q.rate(requests, THROUGHPUT_WINDOW), BY)
        yesterday = q.sum_by(q.rate(requests, THROUGHPUT_WINDOW, offset=THROUGHPUT_OFFSET), BY)
        expr = q.lt(q.ratio(today, yesterday), keep)
        day = minutes_of(THROUGHPUT_OFFSET)

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (
                counter_phases("specialist_requests_total", self.requests, ((TRAFFIC, day), (v * TRAFFIC, m - day))),
            )

        text = (
            f"Specialist {self.s.name} serves {value_template(expr.meta)} of the requests it served at this "
            f"time yesterday ({THROUGHPUT_WINDOW} averages; alert below {percent_text(keep)})."
        )
        scenarios = threshold_scenarios(around(keep, "<", upper=ONE), inputs, self.result)
        # Traffic recovers gradually: keep it firing a little so a brief bump does not resolve it.
        return self.owner.alert(
            "SpecialistThroughputDropped",
            expr,
            text,
            scenarios,
            for_="15m",
            lookback=minutes_of(THROUGHPUT_WINDOW) + day,
            keep_firing_for="10m",
        )

    def tokens(self) -> list[AlertDef]:
        t = self.s.thresholds.tokens_per_second_min
        if t is None:
            return []

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (gauge("specialist_tokens_per_second", {BY: self.label}, v, m),)

        expr = q.lt(self.rec("tokens"), t)
        text = (
            f"Specialist {self.s.name} processes {value_template(expr.meta)} tokens per second on average over "
            f"the last {self.w} (threshold {q.format_number(t)})."
        )
        scenarios = threshold_scenarios(around(t, "<"), inputs, self.result)
        return self.owner.alert(
            "SpecialistTokensPerSecondLow", expr, text, scenarios, for_="15m", lookback=self.lookback
        )


# ------------------------------------------------------------------------ recording fixture


def fixture_rate(index: int) -> Decimal:
    """Requests per second of the ``index``-th specialist in recording fixtures: powers of two,
    so every ratio over them is exact in binary floating point."""
    return Decimal(2 ** (index % 8))


def requests_fixture(spec: ClusterSpec, minutes: int) -> tuple[InputSeries, ...]:
    """Request counters of every specialist at :func:`fixture_rate` (shared with guardians)."""
    return tuple(
        counter(
            "specialist_requests_total",
            {BY: s.label_value, STATUS: "success", QUALITY_TIER: "standard"},
            fixture_rate(i),
            minutes,
        )
        for i, s in enumerate(spec.specialists)
    )


def _fixture(spec: ClusterSpec, catalog: Catalog, w: str) -> RecordsFixture:
    names = _names(w)
    duration = catalog.get(DURATION)
    exact = exact_quantile_indexes(duration.buckets)
    marks = dict(zip(QUANTILES, exact[-len(QUANTILES) :], strict=True))
    shape = quantile_shape(duration.buckets, marks)
    quality, confidence, errors, timeouts = Decimal("0.75"), Decimal("0.5"), Decimal("0.25"), Decimal("0.125")

    def inputs(m: int) -> tuple[InputSeries, ...]:
        out = list(requests_fixture(spec, m))
        for i, s in enumerate(spec.specialists):
            base = {BY: s.label_value}
            out += [
                counter("specialist_errors_total", {**base, **ERROR_LABELS}, errors, m),
                counter("specialist_timeouts_total", base, timeouts, m),
                *histogram(duration, {**base, COMPLEXITY: "medium"}, shape, m),
                counter("specialist_quality_score_count", base, ONE, m),
                counter("specialist_quality_score_sum", base, quality, m),
                counter("specialist_confidence_score_count", base, ONE, m),
                counter("specialist_confidence_score_sum", base, confidence, m),
                gauge("specialist_tokens_per_second", base, Decimal(32 + i), m),
            ]
        return tuple(out)

    expected: list[ExpectedRecord] = []
    for i, s in enumerate(spec.specialists):
        base = {BY: s.label_value}
        rate = fixture_rate(i)
        expected += [
            ExpectedRecord(requests_rate(catalog, w)[0], base, rate),
            ExpectedRecord(names["errors"], base, errors / rate),
            ExpectedRecord(names["timeouts"], base, timeouts / rate),
            *(
                ExpectedRecord(quantile_record(qq, DURATION, BY, w), base, quantile_value(duration.buckets, idx))
                for qq, idx in marks.items()
            ),
            ExpectedRecord(names["quality"], base, quality),
            ExpectedRecord(names["confidence"], base, confidence),
            ExpectedRecord(names["tokens"], base, Decimal(32 + i)),
        ]
    return RecordsFixture(inputs, tuple(expected), minutes_of(w))
