"""Serving-engine rows of the specialist dashboard: what the engine itself reports about the specialist.

One row per specialist that owns engine series (``plan.dashboards.engines``): its engine's own
token latencies, queue, KV cache, prefix cache, token throughput and preemptions, read with the
same selectors as its engine alerts. Each engine release names these signals differently (the
plan's :class:`~guardiangen.plan.model.EngineView` says which metric stands for which); a panel
whose signals the release does not export is left out, never drawn from another metric. The rows
are collapsed: they cost no query until opened, and a fleet of engines stays one readable page.
"""

from __future__ import annotations

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.catalog.engines import Signal
from guardiangen.plan.model import EngineView, Plan
from guardiangen.render.dashboards.assemble import Section
from guardiangen.render.dashboards.common import quantiles
from guardiangen.render.dashboards.panels import RATE, Panel, Query, Timeseries

LATENCIES = (
    (Signal.TIME_TO_FIRST_TOKEN, "Time to first token", "from the request's arrival to its first output token"),
    (Signal.INTER_TOKEN_LATENCY, "Inter-token latency", "between two output tokens of one request"),
    (Signal.END_TO_END_LATENCY, "End-to-end latency", "from the request's arrival to its last token"),
    (Signal.QUEUE_TIME, "Queue time", "a request waits before the engine schedules it"),
)


def sections(plan: Plan) -> tuple[Section, ...]:
    """One collapsed row per engine-serving specialist, in spec order; none without engines."""
    return tuple(_Row(plan.catalog, e).section() for e in plan.dashboards.engines)


class _Row:
    def __init__(self, catalog: Catalog, engine: EngineView) -> None:
        self.catalog, self.e = catalog, engine
        self.version = engine.requested_version
        if engine.release.version != engine.requested_version:
            self.version += f", catalogued as {engine.release.version}"

    def section(self) -> Section:
        panels = [
            *self.latencies(),
            *self.outcomes(),
            *self.queue(),
            *self.kv_cache(),
            *self.prefix_cache(),
            *self.tokens(),
        ]
        panels += self.preemptions()
        return Section(f"Engine: {self.e.specialist} ({self.e.title} {self.version})", tuple(panels), collapsed=True)

    def series(self, signal: Signal, part: str = "") -> q.Series | None:
        source = self.e.source(signal)
        return None if source is None else self.e.series(self.catalog, source, part)

    def metric(self, signal: Signal) -> str:
        source = self.e.source(signal)
        assert source is not None
        return f"`{source.metric.name}`"

    def latencies(self) -> list[Panel]:
        out: list[Panel] = []
        for signal, title, what in LATENCIES:
            h = self.series(signal)
            if h is not None:
                out.append(
                    Timeseries(
                        f"{self.e.title} {title[0].lower()}{title[1:]} p50 / p95 / p99",
                        f"Time {what}, as {self.e.title} measures it ({self.metric(signal)}): quantiles of the "
                        "bucket rates summed over the engine's processes. Exact only at bucket boundaries.",
                        quantiles(h, (), self.e.specialist),
                        width=6,
                    )
                )
        return out

    def outcomes(self) -> list[Panel]:
        return self.summed(
            "requests per second by outcome",
            "Requests the engine finished per second, and those among them it reports as failed (the "
            "availability SLO's bad events), summed over its processes.",
            (
                (Signal.REQUESTS_FINISHED, "finished"),
                (Signal.REQUESTS_SUCCEEDED, "succeeded"),
                (Signal.REQUESTS_FAILED, "failed"),
            ),
            rated=True,
        )

    def queue(self) -> list[Panel]:
        return self.summed(
            "requests running and waiting",
            "Requests the engine is running and requests waiting in its queue, summed over its processes. "
            "Requests waiting while none run means the engine has stopped scheduling.",
            ((Signal.REQUESTS_RUNNING, "running"), (Signal.REQUESTS_WAITING, "waiting")),
            rated=False,
        )

    def summed(self, what: str, description: str, lines: tuple[tuple[Signal, str], ...], *, rated: bool) -> list[Panel]:
        """One panel of the given signals the release exports, each summed over the engine's processes
        (as a per-second rate when ``rated``); none when it exports none of them."""
        queries = [
            Query(q.sum_by(q.rate(s, RATE) if rated else q.value(s)), legend)
            for signal, legend in lines
            if (s := self.series(signal)) is not None
        ]
        return [Timeseries(f"{self.e.title} {what}", description, queries, width=6)] if queries else []

    def kv_cache(self) -> list[Panel]:
        kv = self.series(Signal.KV_CACHE_USAGE)
        if kv is None:
            return []
        return [
            Timeseries(
                f"{self.e.title} KV-cache usage",
                f"Share of the KV cache in use ({self.metric(Signal.KV_CACHE_USAGE)}), the fullest of the engine's "
                "processes. Near full, new requests wait or preempt running ones.",
                [Query(q.max_by(q.value(kv)), "KV cache used")],
                width=6,
            )
        ]

    def prefix_cache(self) -> list[Panel]:
        hits, queries = self.series(Signal.PREFIX_CACHE_HITS), self.series(Signal.PREFIX_CACHE_QUERIES)
        if hits is not None and queries is not None:
            expr = q.ratio(q.sum_by(q.rate(hits, RATE)), q.sum_by(q.rate(queries, RATE)))
            how = "prompt tokens found in the prefix cache / tokens looked up"
        elif (gauge := self.series(Signal.PREFIX_CACHE_HIT_RATIO)) is not None:
            expr = q.avg_by(q.value(gauge))
            how = f"the engine's own hit rate ({self.metric(Signal.PREFIX_CACHE_HIT_RATIO)}), averaged over processes"
        else:
            return []
        return [
            Timeseries(
                f"{self.e.title} prefix-cache hit rate",
                f"Share of prompt work served from the cache: {how}.",
                [Query(expr, "hit rate")],
                width=6,
            )
        ]

    def tokens(self) -> list[Panel]:
        return self.summed(
            "tokens per second",
            "Prompt tokens the engine processed and tokens it generated, per second, summed over its processes.",
            ((Signal.PROMPT_TOKENS, "prompt"), (Signal.GENERATION_TOKENS, "generated")),
            rated=True,
        )

    def preemptions(self) -> list[Panel]:
        p = self.series(Signal.PREEMPTIONS)
        if p is None:
            return []
        return [
            Timeseries(
                f"{self.e.title} preemptions per second",
                f"Running requests the engine preempted ({self.metric(Signal.PREEMPTIONS)}) to free KV cache; they "
                "are recomputed later, so every one costs latency.",
                [Query(q.sum_by(q.rate(p, RATE)), "preemptions")],
                width=6,
            )
        ]
