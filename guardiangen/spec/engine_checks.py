"""Checks of ``specialists[].engine``: a catalogued version, a selector that can find the series,
and only thresholds and SLOs the engine's metrics can carry.

Like :mod:`.checks` they read the raw document, so a threshold left at its default is told apart
from one the user wrote: a default KV-cache threshold on an engine without a KV-cache metric just
generates no alert, a written one is an error that says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from guardiangen.catalog import MetricDefinition
from guardiangen.catalog import engines as eng
from guardiangen.catalog.engines import EngineRelease, EngineVersionError, Signal
from guardiangen.diagnostics import GG207_NOT_A_BUCKET, GG215_ENGINE_VERSION, GG216_ENGINE_CANNOT, GG217_ENGINE_SHARED
from guardiangen.load import PathKey
from guardiangen.spec.findings import Finding, warning

THRESHOLD_SIGNALS: dict[str, tuple[Signal, ...]] = {
    "kv_cache_usage_max_percent": (Signal.KV_CACHE_USAGE,),
    "waiting_requests_max": (Signal.REQUESTS_WAITING,),
    "preemptions_per_second_max": (Signal.PREEMPTIONS,),
    "time_to_first_token_p95_max_seconds": (Signal.TIME_TO_FIRST_TOKEN,),
    "inter_token_latency_p95_max_seconds": (Signal.INTER_TOKEN_LATENCY,),
}
"""Which signals each ``engine.thresholds`` field reads."""

LATENCY_SLO_SIGNALS: dict[str, Signal] = {
    "time_to_first_token": Signal.TIME_TO_FIRST_TOKEN,
    "inter_token_latency": Signal.INTER_TOKEN_LATENCY,
    "end_to_end_latency": Signal.END_TO_END_LATENCY,
    "queue_time": Signal.QUEUE_TIME,
}
"""The histogram each latency SLO of ``engine.slos`` is computed from."""


def availability_missing(r: EngineRelease) -> str | None:
    """Why ``r`` cannot give an availability SLI (failed over all finished requests), or None."""
    if r.signal(Signal.REQUESTS_FAILED) is None:
        return r.why_missing(Signal.REQUESTS_FAILED)
    if r.signal(Signal.REQUESTS_FINISHED) is None and r.signal(Signal.REQUESTS_SUCCEEDED) is None:
        return r.why_missing(Signal.REQUESTS_FINISHED)
    return None


def bucket_seconds(metric: MetricDefinition) -> tuple[Decimal, ...]:
    """A duration histogram's bucket bounds in seconds, exact (from their shortest decimal text)."""
    per = eng.SECONDS_PER_UNIT[metric.unit]
    return tuple((Decimal(repr(b)) * per).normalize() for b in metric.buckets)


def findings(data: Any) -> Iterator[Finding]:
    """Every problem of the spec's engine blocks."""
    specialists = data.get("specialists") if isinstance(data, dict) else None
    if not isinstance(specialists, list):
        return
    sharing: dict[tuple[str, ...], list[tuple[int, Any]]] = {}
    for i, s in enumerate(specialists):
        engine = s.get("engine") if isinstance(s, dict) else None
        if not isinstance(engine, dict):
            continue
        base: PathKey = ("specialists", i, "engine")
        r = _release(engine, base)
        if isinstance(r, Finding):
            yield r
            continue
        if r is None:
            continue  # malformed name or version: the model says so
        yield from _selector(r, s, engine, base)
        yield from _thresholds(r, engine, base)
        yield from _slos(r, engine, base)
        sharing.setdefault(_selector_key(r, s, engine), []).append((i, s.get("name")))
    for key, members in sharing.items():
        if len(members) > 1:
            yield _shared(key, members)


def _shared(key: tuple[str, ...], members: list[tuple[int, Any]]) -> Finding:
    """One warning per group of specialists that read the same engine series, at the second one."""
    names = [str(name) for _, name in members]
    shown = ", ".join(names[:-1]) + f" and {names[-1]}"
    if len(names) > 3:
        shown = ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return warning(
        ("specialists", members[1][0], "engine"),
        GG217_ENGINE_SHARED,
        f"specialists {shown} select the same {eng.title(key[0])} series (same served model, job and "
        f"namespace): one engine, so its alerts and SLOs are generated once, for {names[0]}; if they run on "
        "different engine instances, tell them apart with `served_model_name`, `job` or `namespace`",
    )


def _release(engine: dict[str, Any], base: PathKey) -> EngineRelease | Finding | None:
    name, version = engine.get("name"), engine.get("version")
    if name not in eng.ENGINES or not isinstance(version, str):
        return None
    try:
        return eng.release(name, version)
    except EngineVersionError as exc:
        if "is not a version" in str(exc):
            return None
        return Finding((*base, "version"), GG215_ENGINE_VERSION, str(exc))


def _selector_key(r: EngineRelease, s: dict[str, Any], engine: dict[str, Any]) -> tuple[str, ...]:
    model = engine.get("served_model_name", s.get("model")) if r.model_label is not None else None
    return (r.engine, str(model), str(engine.get("job")), str(engine.get("namespace")))


def _selector(r: EngineRelease, s: dict[str, Any], engine: dict[str, Any], base: PathKey) -> Iterator[Finding]:
    if r.model_label is not None:
        return
    if "served_model_name" in engine:
        yield Finding(
            (*base, "served_model_name"),
            GG216_ENGINE_CANNOT,
            f"{eng.title(r.engine)} puts no model label on its series, so there is nothing to match "
            "`served_model_name` against; select the specialist's engine by `job` or `namespace`",
        )
    if engine.get("job") is None and engine.get("namespace") is None:
        yield Finding(
            base,
            GG216_ENGINE_CANNOT,
            f"{eng.title(r.engine)} puts no model label on its series: give `job` or `namespace` so that "
            "this specialist's engine series can be told from every other engine's",
        )


def _thresholds(r: EngineRelease, engine: dict[str, Any], base: PathKey) -> Iterator[Finding]:
    thresholds = engine.get("thresholds")
    if not isinstance(thresholds, dict):
        return
    for field, signals in THRESHOLD_SIGNALS.items():
        if thresholds.get(field) is None:
            continue  # absent (the default) or switched off
        for signal in signals:
            if r.signal(signal) is None:
                yield Finding(
                    (*base, "thresholds", field),
                    GG216_ENGINE_CANNOT,
                    f"no alert can read this: {r.why_missing(signal)} (catalogued release {r.version}); "
                    "remove the threshold or set it to null",
                )


def _slos(r: EngineRelease, engine: dict[str, Any], base: PathKey) -> Iterator[Finding]:
    slos = engine.get("slos")
    if not isinstance(slos, dict):
        return
    if isinstance(slos.get("availability"), dict) and (why := availability_missing(r)) is not None:
        yield Finding(
            (*base, "slos", "availability"),
            GG216_ENGINE_CANNOT,
            f"no availability SLI can be computed: {why} (catalogued release {r.version})",
        )
    for kind, signal in LATENCY_SLO_SIGNALS.items():
        slo = slos.get(kind)
        if not isinstance(slo, dict):
            continue
        source = r.signal(signal)
        if source is None:
            yield Finding(
                (*base, "slos", kind),
                GG216_ENGINE_CANNOT,
                f"no {kind} SLI can be computed: {r.why_missing(signal)} (catalogued release {r.version})",
            )
            continue
        yield from _boundary(r, source.metric, slo.get("threshold_seconds"), (*base, "slos", kind, "threshold_seconds"))


def _boundary(r: EngineRelease, metric: MetricDefinition, value: Any, where: PathKey) -> Iterator[Finding]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if metric.buckets_at_run_time:
        yield Finding(
            where,
            GG216_ENGINE_CANNOT,
            f"{metric.name} gets its bucket bounds when {eng.title(r.engine)} starts, so no threshold can be "
            "checked to be one of them",
        )
        return
    wanted = Decimal(repr(value)).normalize()
    bounds = bucket_seconds(metric)
    if wanted not in bounds:
        listed = ", ".join(format(b, "f") for b in bounds)
        yield Finding(
            where,
            GG207_NOT_A_BUCKET,
            f"{format(wanted, 'f')} s is not a bucket boundary of {metric.name} in {eng.title(r.engine)} "
            f"{r.version}, so the share of requests under it cannot be counted exactly; choose one of "
            f"(seconds): {listed}",
        )
