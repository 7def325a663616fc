"""Serving-engine alerts: KV-cache pressure, waiting queue, stalls, preemptions, token latencies, scrape.

One alert per specialist that names an engine, read straight from the engine's own series (no
recording rules: each engine release has its own metric names, so a shared record would have to
span engines). The series of a specialist's engine are those with its model label value (vLLM and
SGLang ``model_name``, Triton ``model``) and, when given, its ``job`` and ``namespace``; every
engine-internal label (vLLM's ``engine`` index, SGLang's ranks) is aggregated away: counts and rates
are summed over the engine's processes, usage takes the fullest one. Which metric stands for a
signal comes from the engine catalogue (:mod:`guardiangen.catalog.engines`), by version.
"""

from __future__ import annotations

from decimal import Decimal

from guardiangen import promql as q
from guardiangen.catalog import Catalog, Unit
from guardiangen.catalog import engines as eng
from guardiangen.catalog.engines import EngineRelease, Signal, SignalSource
from guardiangen.plan.cluster import cluster_of
from guardiangen.plan.links import dashboard_url
from guardiangen.plan.model import LABEL_COMPONENT, LABEL_SPECIALIST, LABEL_TEAM
from guardiangen.plan.model.engines import engine_series
from guardiangen.plan.rules.core import (
    AlertDef,
    Domain,
    Owner,
    Scenario,
    SeriesFn,
    around,
    minutes_of,
    p95_scenarios,
    percent_text,
    rate_window,
    seconds_text,
    threshold_scenarios,
    value_template,
)
from guardiangen.plan.rules.inputs import counter, gauge
from guardiangen.spec.models import ClusterSpec, Specialist

NAME = "engines"
ONE = Decimal(1)
COMPONENT = "engine"


def build(spec: ClusterSpec, catalog: Catalog) -> Domain:
    w = rate_window(spec)
    alerts = [a for s, r in engine_owners(spec) for a in _Alerts(spec, catalog, s, r, w).all()]
    return Domain(NAME, (), tuple(alerts))


def engine_owners(spec: ClusterSpec) -> tuple[tuple[Specialist, EngineRelease], ...]:
    """The specialists that own their engine series, with their engine release, in spec order.

    Specialists whose engine selectors are the same read the same series (the spec checks warn,
    GG217): one engine, so one set of engine alerts and SLOs, the first such specialist's. Alerts of
    the others would be the same expression under other names, all firing together."""
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    out = []
    for s in spec.specialists:
        if s.engine is None:
            continue
        r = eng.release(s.engine.name.value, s.engine.version)
        key = (r.engine, tuple(sorted(selector_labels(s, r).items())))
        if key not in seen:
            seen.add(key)
            out.append((s, r))
    return tuple(out)


def selector_labels(s: Specialist, r: EngineRelease) -> dict[str, str]:
    """The label values that select the series of ``s``'s engine."""
    assert s.engine is not None
    labels: dict[str, str] = {}
    if r.model_label is not None:
        labels[r.model_label] = s.engine.served_model_name or s.model
    if s.engine.job is not None:
        labels["job"] = s.engine.job
    if s.engine.namespace is not None:
        labels["namespace"] = s.engine.namespace
    return labels


class EngineSeries:
    """The series of one specialist's engine: typed selectors and test-input labels (alerts and SLIs)."""

    def __init__(self, s: Specialist, r: EngineRelease, catalog: Catalog) -> None:
        self.labels = selector_labels(s, r)
        self.catalog = catalog

    def series(self, source: SignalSource, part: str = "") -> q.Series:
        """``source``'s metric (or one of its histogram parts) with the specialist's selector."""
        return engine_series(self.catalog, self.labels, source, part)

    def input_labels(self, source: SignalSource, **extra: str) -> dict[str, str]:
        """Labels of a test input series: the selector plus a value for every other label the
        metric has (so the aggregation over them is exercised)."""
        out = {label: "0" for label in source.metric.labels}
        return {**out, **self.labels, **dict(source.matchers), **extra}


class _Alerts:
    """The engine alerts of one specialist."""

    def __init__(self, spec: ClusterSpec, catalog: Catalog, s: Specialist, r: EngineRelease, w: str) -> None:
        assert s.engine is not None
        self.catalog, self.s, self.r, self.w = catalog, s, r, w
        self.t = s.engine.thresholds
        engine_series = EngineSeries(s, r, catalog)
        self.series, self.input_labels = engine_series.series, engine_series.input_labels
        self.lookback = minutes_of(w)
        self.title = eng.title(r.engine)
        self.owner = Owner(
            {LABEL_SPECIALIST: s.name, LABEL_TEAM: s.team, LABEL_COMPONENT: COMPONENT},
            dashboard_url(cluster_of(spec), "specialist", {"specialist": s.label_value}),
            tuple(s.alert_overrides),
        )

    def all(self) -> list[AlertDef]:
        return [
            *self.kv_cache(),
            *self.waiting(),
            *self.stalled(),
            *self.preemptions(),
            *self.p95("EngineFirstTokenP95High", Signal.TIME_TO_FIRST_TOKEN, "time to the first token"),
            *self.p95("EngineInterTokenP95High", Signal.INTER_TOKEN_LATENCY, "time between output tokens"),
            *self.target_down(),
        ]

    # --------------------------------------------------------------------------------- helpers

    def where(self) -> str:
        return f"{self.title} serving specialist {self.s.name}"

    # ---------------------------------------------------------------------------------- alerts

    def kv_cache(self) -> list[AlertDef]:
        source = self.r.signal(Signal.KV_CACHE_USAGE)
        if self.t.kv_cache_usage_max_percent is None or source is None:
            return []
        t = self.t.kv_cache_usage_max_percent / 100
        expr = q.gt(q.max_by(q.value(self.series(source))), t)
        name = source.metric.name

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (gauge(name, self.input_labels(source), v, m),)

        text = (
            f"The KV cache of {self.where()} is {value_template(expr.meta)} full (threshold "
            f"{percent_text(t)}); new requests will wait or preempt running ones."
        )
        scenarios = threshold_scenarios(around(t, ">", upper=ONE), inputs, ())
        return self.owner.alert("EngineKvCacheHigh", expr, text, scenarios, for_="10m", lookback=0)

    def waiting(self) -> list[AlertDef]:
        source = self.r.signal(Signal.REQUESTS_WAITING)
        limit = self.t.waiting_requests_max
        if limit is None or source is None:
            return []
        expr = q.gt(q.sum_by(q.value(self.series(source))), limit)
        name = source.metric.name

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (gauge(name, self.input_labels(source), v, m),)

        text = f"{value_template(expr.meta)} requests wait in the queue of {self.where()} (threshold {limit})."
        values = (Decimal(limit) + max(ONE, Decimal(limit) / 10), Decimal(limit))
        scenarios = threshold_scenarios(values, inputs, ())
        return self.owner.alert("EngineRequestsWaitingHigh", expr, text, scenarios, for_="10m", lookback=0)

    def stalled(self) -> list[AlertDef]:
        waiting, running = self.r.signal(Signal.REQUESTS_WAITING), self.r.signal(Signal.REQUESTS_RUNNING)
        if waiting is None or running is None:
            return []
        queued = q.gt(q.sum_by(q.value(self.series(waiting))), 0)
        idle = q.compare("==", q.sum_by(q.value(self.series(running))), 0)
        expr = q.and_(queued, idle)

        def inputs(w: Decimal, r: Decimal) -> SeriesFn:
            return lambda m: (
                gauge(waiting.metric.name, self.input_labels(waiting), w, m),
                gauge(running.metric.name, self.input_labels(running), r, m),
            )

        scenarios = (
            Scenario("fires", inputs(Decimal(3), Decimal(0)), Decimal(3), (), exact=True),
            Scenario("stays silent", inputs(Decimal(3), Decimal(2)), None),
        )
        text = (
            f"{value_template(expr.meta)} requests wait in {self.where()} while it runs none: the engine has "
            "stopped scheduling (hung worker, lost GPU or deadlock)."
        )
        return self.owner.alert("EngineStalled", expr, text, scenarios, for_="5m", lookback=0, severity="critical")

    def preemptions(self) -> list[AlertDef]:
        source = self.r.signal(Signal.PREEMPTIONS)
        t = self.t.preemptions_per_second_max
        if t is None or source is None:
            return []
        expr = q.gt(q.sum_by(q.rate(self.series(source), self.w)), t)
        name = source.metric.name

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (counter(name, self.input_labels(source), v, m),)

        text = (
            f"{self.where()} preempts {value_template(expr.meta)} requests over the last {self.w} (threshold "
            f"{q.format_number(t)}/s): its KV cache is too small for the load."
        )
        scenarios = threshold_scenarios(around(t, ">"), inputs, ())
        return self.owner.alert("EnginePreemptionsHigh", expr, text, scenarios, for_="10m", lookback=self.lookback)

    def p95(self, alert: str, signal: Signal, what: str) -> list[AlertDef]:
        source = self.r.signal(signal)
        field = {
            Signal.TIME_TO_FIRST_TOKEN: self.t.time_to_first_token_p95_max_seconds,
            Signal.INTER_TOKEN_LATENCY: self.t.inter_token_latency_p95_max_seconds,
        }[signal]
        if field is None or source is None:
            return []
        metric = source.metric
        per = eng.SECONDS_PER_UNIT[metric.unit]
        t = field / per  # the threshold in the histogram's own unit
        op, scenarios = p95_scenarios(metric, t, self.input_labels(source), ())
        p95 = q.quantile(Decimal("0.95"), self.series(source), self.w, require_traffic=True)
        expr = q.ge(p95, t) if op == ">=" else q.gt(p95, t)
        unit = "" if metric.unit is Unit.SECONDS else " ms"
        text = (
            f"The 95th percentile {what} of {self.where()} is {value_template(expr.meta)}{unit} over the last "
            f"{self.w} (threshold {seconds_text(field)})."
        )
        return self.owner.alert(alert, expr, text, scenarios, for_="10m", lookback=self.lookback)

    def target_down(self) -> list[AlertDef]:
        assert self.s.engine is not None
        job = self.s.engine.job
        if job is None:
            return []
        expr = q.compare("==", q.value(q.series(self.catalog, "up", q.eq("job", job))), 0)

        def inputs(v: Decimal) -> SeriesFn:
            return lambda m: (gauge("up", {"job": job, "instance": "engine-0:8000"}, v, m),)

        scenarios = (
            Scenario(
                "fires", inputs(Decimal(0)), Decimal(0), (("instance", "engine-0:8000"), ("job", job)), exact=True
            ),
            Scenario("stays silent", inputs(ONE), None),
        )
        text = (
            f"Prometheus cannot scrape {{{{ $labels.instance }}}} (job {job}), the metrics endpoint of "
            f"{self.where()}: its alerts and SLOs are blind."
        )
        return self.owner.alert("EngineTargetDown", expr, text, scenarios, for_="5m", lookback=0, severity="critical")
