"""SLIs from a serving engine's own metrics: availability, and the share of requests (or tokens)
under a latency bound for time to first token, inter-token latency, end-to-end and queue time.

**Availability.** Bad events are the engine's failed requests; all events are every finished
request: vLLM's ``vllm:request_success_total`` (every ``finished_reason``; failures are
``finished_reason="error"``, from 0.13.0), SGLang's ``sglang:num_requests_total`` (aborted ones in
``sglang:num_aborted_requests_total``), and for TGI and Triton, which count successes and failures
apart, their sum (``tgi_request_count`` counts an OpenAI-compatible request twice). A client
library creates a failure series on its first failure, so the failures read 0 until then.

**Latency.** Good events are the observations in the ``le`` bucket of the threshold (a bucket
boundary of that engine version: the spec checks refuse any other value), all events every
observation. Triton's first-response histogram counts milliseconds: the bound is converted.

The series are the specialist's engine series (:func:`guardiangen.plan.rules.engines.selector_labels`),
summed over the engine's processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.catalog import engines as eng
from guardiangen.catalog.engines import EngineRelease, Signal, SignalSource
from guardiangen.generated_labels import engine_slo_kind
from guardiangen.plan.rules.engines import EngineSeries, engine_owners
from guardiangen.plan.slo.sli import RATE, SloDef, TestCounter, events_rate, le_text, series_text, specialist_sli
from guardiangen.promql import Expr
from guardiangen.spec.engine_checks import LATENCY_SLO_SIGNALS
from guardiangen.spec.models import ClusterSpec, LatencySlo, SloCommon, Specialist

BAD_PHRASES: dict[str, str] = {
    "time_to_first_token": "of requests waited longer than {t} for their first token",
    "inter_token_latency": "of output tokens came more than {t} after the previous one",
    "end_to_end_latency": "of requests took longer than {t} in the engine",
    "queue_time": "of requests waited longer than {t} in the engine's queue",
}
"""How the annotations say what a bad event of each latency field of ``engine.slos`` is."""


def collect(spec: ClusterSpec, catalog: Catalog) -> Iterator[SloDef]:
    for s, r in engine_owners(spec):  # specialists sharing one engine's series share its SLOs too
        assert s.engine is not None
        slos = s.engine.slos
        if slos.availability is not None:
            yield _availability(s, r, slos.availability, catalog)
        for field, signal in LATENCY_SLO_SIGNALS.items():
            slo = getattr(slos, field)
            if slo is not None:
                source = r.signal(signal)
                assert source is not None, "the spec checks refuse an SLO the engine cannot provide"
                yield _latency(s, r, field, slo, source, BAD_PHRASES[field], catalog)


def _rate(sel: EngineSeries, source: SignalSource) -> Expr:
    return q.sum_by(q.rate(sel.series(source), RATE))


def _availability(s: Specialist, r: EngineRelease, common: SloCommon, catalog: Catalog) -> SloDef:
    sel = EngineSeries(s, r, catalog)
    failed = r.signal(Signal.REQUESTS_FAILED)
    finished, succeeded = r.signal(Signal.REQUESTS_FINISHED), r.signal(Signal.REQUESTS_SUCCEEDED)
    assert failed is not None and (finished or succeeded) is not None, "the spec checks refuse it"
    bad = events_rate(_rate(sel, failed))
    if finished is not None:
        total = events_rate(_rate(sel, finished))
        if finished.metric.name == failed.metric.name:  # vLLM: failures are one finished_reason of them
            good_labels = sel.input_labels(finished, **{label: "stop" for label, _ in failed.matchers})
            good = TestCounter(series_text(finished.metric.name, good_labels), "good")
        else:  # SGLang: a counter of all requests beside one of the aborted ones
            good = TestCounter(series_text(finished.metric.name, sel.input_labels(finished)), "total")
    else:
        assert succeeded is not None
        ok = _rate(sel, succeeded)
        total = events_rate(q.add(ok, q.binop("or", _rate(sel, failed), q.mul(ok, 0), on=())))
        good = TestCounter(series_text(succeeded.metric.name, sel.input_labels(succeeded)), "good")
    bad_input = TestCounter(series_text(failed.metric.name, sel.input_labels(failed)), "bad")

    def inputs(go_le: bool) -> tuple[TestCounter, ...]:
        return (good, bad_input)

    return specialist_sli(
        s,
        "engine-availability",
        common,
        bad,
        total,
        "of the engine's finished requests failed",
        inputs,
        field="engine.slos.availability",
    )


def _latency(
    s: Specialist,
    r: EngineRelease,
    field: str,
    common: LatencySlo,
    source: SignalSource,
    phrase: str,
    catalog: Catalog,
) -> SloDef:
    sel = EngineSeries(s, r, catalog)
    duration = sel.series(source)
    per = eng.SECONDS_PER_UNIT[source.metric.unit]
    bound = (common.threshold_seconds / per).normalize()
    total = events_rate(q.observation_rate(duration, RATE))
    slow = events_rate(q.sub(total, q.bucket_rate(duration, bound, RATE)))
    name = source.metric.name

    def inputs(go_le: bool) -> tuple[TestCounter, ...]:
        count = series_text(f"{name}_count", sel.input_labels(source))
        bucket = series_text(f"{name}_bucket", sel.input_labels(source, le=le_text(Decimal(bound), go_le)))
        return (TestCounter(count, "total"), TestCounter(bucket, "good"))

    text = phrase.format(t=f"{q.format_number(common.threshold_seconds)}s")
    return specialist_sli(s, engine_slo_kind(field), common, slow, total, text, inputs, field=f"engine.slos.{field}")
