"""Serving engines (vLLM, SGLang, TGI, Triton, Triton TensorRT-LLM): metrics per version, and what each tells us.

The metric definitions live in ``data/<engine>.json``, one list per catalogued release, each metric
with its type, unit, scale, labels, buckets and provenance (repository, tag, file and line it was
read from). ``data/signals.json`` maps the signals guardiangen builds alerts, SLIs and panels from
(:class:`Signal`) to those metrics: per signal, candidates in order of preference, so a rename is a
second candidate, picked by the version. A spec names any version; :func:`release` takes the newest
catalogued release at or below it (metrics change in releases guardiangen has catalogued, and a
release in between exports what its predecessor did).

Everything here is data plus lookups; nothing knows PromQL.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from importlib import resources
from types import MappingProxyType
from typing import Any

from guardiangen.catalog.model import MetricDefinition, MetricType, Scale, SeriesUnit, Unit

__all__ = [
    "ENGINES",
    "SECONDS_PER_UNIT",
    "Deprecation",
    "EngineRelease",
    "EngineVersionError",
    "Signal",
    "SignalSource",
    "catalogued_versions",
    "deprecations",
    "parse_version",
    "release",
    "title",
]

ENGINES: tuple[str, ...] = ("sglang", "tgi", "triton", "triton-trtllm", "vllm")
"""Engine names a spec may give in ``specialists[].engine.name``."""

SECONDS_PER_UNIT: Mapping[Unit, Decimal] = MappingProxyType(
    {Unit.SECONDS: Decimal(1), Unit.MILLISECONDS: Decimal("0.001"), Unit.MICROSECONDS: Decimal("0.000001")}
)
"""Seconds per unit of a duration histogram's buckets (Triton's first-response histogram is in ms)."""

VERSION_PATTERN = r"^v?[0-9]+(\.[0-9]+){0,2}(\.post[0-9]+)?$"


class Signal(str, Enum):
    """What guardiangen reads from an engine; each engine release maps some of them to its metrics."""

    TIME_TO_FIRST_TOKEN = "time_to_first_token"  # histogram of seconds (or ms) to the first token
    INTER_TOKEN_LATENCY = "inter_token_latency"  # histogram of time between output tokens
    END_TO_END_LATENCY = "end_to_end_latency"  # histogram of request durations
    QUEUE_TIME = "queue_time"  # histogram of time requests wait before they run
    REQUESTS_RUNNING = "requests_running"  # gauge
    REQUESTS_WAITING = "requests_waiting"  # gauge
    KV_CACHE_USAGE = "kv_cache_usage"  # gauge, 0-1
    PREEMPTIONS = "preemptions"  # counter
    PROMPT_TOKENS = "prompt_tokens"  # counter
    GENERATION_TOKENS = "generation_tokens"  # counter
    PREFIX_CACHE_QUERIES = "prefix_cache_queries"  # counter (tokens looked up)
    PREFIX_CACHE_HITS = "prefix_cache_hits"  # counter (tokens found)
    PREFIX_CACHE_HIT_RATIO = "prefix_cache_hit_ratio"  # gauge, 0-1 (engines without the counters)
    REQUESTS_FINISHED = "requests_finished"  # counter of every finished request, failed ones included
    REQUESTS_SUCCEEDED = "requests_succeeded"  # counter of successful requests
    REQUESTS_FAILED = "requests_failed"  # counter of failed requests


_EXPECTED_TYPE: Mapping[Signal, MetricType] = {
    Signal.TIME_TO_FIRST_TOKEN: MetricType.HISTOGRAM,
    Signal.INTER_TOKEN_LATENCY: MetricType.HISTOGRAM,
    Signal.END_TO_END_LATENCY: MetricType.HISTOGRAM,
    Signal.QUEUE_TIME: MetricType.HISTOGRAM,
    Signal.REQUESTS_RUNNING: MetricType.GAUGE,
    Signal.REQUESTS_WAITING: MetricType.GAUGE,
    Signal.KV_CACHE_USAGE: MetricType.GAUGE,
    Signal.PREFIX_CACHE_HIT_RATIO: MetricType.GAUGE,
}
"""Signals whose metric must have this type; every other signal is a counter."""


def expected_type(signal: Signal) -> MetricType:
    return _EXPECTED_TYPE.get(signal, MetricType.COUNTER)


class EngineVersionError(ValueError):
    """An engine name or version guardiangen has no catalogue for; the message lists what it has."""


def parse_version(text: str) -> tuple[int, ...]:
    """``"0.10.2"`` -> ``(0, 10, 2, 0)``; ``"v2.48"`` -> ``(2, 48, 0, 0)``; ``.postN`` is the 4th part."""
    if not re.fullmatch(VERSION_PATTERN, text):
        raise EngineVersionError(f'"{text}" is not a version like 0.11.0')
    main, _, post = text.removeprefix("v").partition(".post")
    parts = [int(p) for p in main.split(".")]
    return (*parts, *([0] * (3 - len(parts))), int(post or 0))


@dataclass(frozen=True)
class SignalSource:
    """Where one signal comes from in one release: a metric and the label values that select it."""

    metric: MetricDefinition
    matchers: tuple[tuple[str, str], ...] = ()
    requires: str = ""  # an engine flag that must be on for the metric to exist, e.g. a --metrics-config
    part: str = ""  # a histogram's part that carries the signal: ``sum`` of token-length histograms is a counter


@dataclass(frozen=True)
class Deprecation:
    """A metric name an engine replaced: lint names the replacement and the version that brought it."""

    engine: str
    name: str
    replacement: str
    since: str


@dataclass(frozen=True, eq=False)
class EngineRelease:
    """One catalogued release of an engine: every metric it exports and the signals it provides."""

    engine: str
    version: str  # the catalogued release (the newest at or below the version the spec asked for)
    model_label: str | None  # the label naming the served model; None: the engine has none (TGI)
    metrics: tuple[MetricDefinition, ...]
    signals: Mapping[Signal, SignalSource]
    missing: Mapping[Signal, str] = field(default_factory=dict)  # why a signal has no source
    requires: str = ""  # what must be switched on for the engine to export metrics at all

    def __eq__(self, other: object) -> bool:  # a release is its engine and version: the rest follows from data
        return isinstance(other, EngineRelease) and (self.engine, self.version) == (other.engine, other.version)

    def __hash__(self) -> int:
        return hash((self.engine, self.version))

    def signal(self, signal: Signal) -> SignalSource | None:
        return self.signals.get(signal)

    def why_missing(self, signal: Signal) -> str:
        """Why this release provides no source for ``signal`` (a sentence for diagnostics)."""
        return self.missing.get(signal) or f"{title(self.engine)} {self.version} exports no {signal.value} metric"


def title(engine: str) -> str:
    """The engine's name as people write it: ``vllm`` -> ``vLLM``."""
    return str(_signals_data()["engines"][engine]["title"])


def catalogued_versions(engine: str) -> tuple[str, ...]:
    """The releases of ``engine`` guardiangen has catalogued, oldest first."""
    if engine not in ENGINES:
        raise EngineVersionError(f'unknown engine "{engine}" (choose one of {", ".join(ENGINES)})')
    return tuple(sorted(_metrics_data(engine), key=parse_version))


def release(engine: str, version: str) -> EngineRelease:
    """The catalogued release ``version`` of ``engine`` stands for: the newest at or below it.

    Raises :class:`EngineVersionError` for an unknown engine, a malformed version or one older than
    the oldest catalogued release (the message lists the catalogued ones)."""
    wanted = parse_version(version)
    known = catalogued_versions(engine)
    usable = [v for v in known if parse_version(v) <= wanted]
    if not usable:
        raise EngineVersionError(
            f"{title(engine)} {version} is older than every release guardiangen has catalogued ({', '.join(known)})"
        )
    return _release(engine, usable[-1])


@functools.lru_cache(maxsize=64)
def _release(engine: str, version: str) -> EngineRelease:
    info = _signals_data()["engines"][engine]
    rows = _metrics_data(engine)[version]
    exported = {m.name: m for m, enabled in rows if _exported(enabled)}
    signals: dict[Signal, SignalSource] = {}
    for key, candidates in info["signals"].items():
        signal = Signal(key)
        for c in candidates:
            metric = exported.get(c["metric"])
            if metric is None or parse_version(version) < parse_version(c.get("since", "0")):
                continue
            signals[signal] = SignalSource(
                metric,
                tuple(sorted(c.get("matchers", {}).items())),
                c.get("requires", ""),
                c.get("part", ""),
            )
            break
    missing = {Signal(k): v for k, v in info.get("missing", {}).items() if Signal(k) not in signals}
    return EngineRelease(
        engine=engine,
        version=version,
        model_label=info["model_label"],
        metrics=tuple(sorted((m for m, _ in rows), key=lambda m: m.name)),
        signals=MappingProxyType(dict(sorted(signals.items(), key=lambda kv: kv[0].value))),
        missing=MappingProxyType(missing),
        requires=info.get("requires", ""),
    )


def _exported(enabled: str) -> bool:
    """Whether a metric is exported without extra switches beyond the engine's own metrics flag:
    vLLM's hidden (deprecated) metrics and its metrics of optional features are not counted."""
    return not enabled.startswith(("hidden", "conditional"))


@functools.cache
def deprecations() -> tuple[Deprecation, ...]:
    """Every metric name a later catalogued release replaced by another candidate of its signal."""
    found: dict[str, Deprecation] = {}
    for engine in ENGINES:
        info = _signals_data()["engines"][engine]
        versions = catalogued_versions(engine)
        for candidates in info["signals"].values():
            names = [c["metric"] for c in candidates]
            for newer, older in itertools.pairwise(names):
                since = next((v for v in versions if newer in {m.name for m, _ in _metrics_data(engine)[v]}), None)
                if since is not None and newer != older and older not in found:
                    found[older] = Deprecation(engine, older, newer, since)
    return tuple(sorted(found.values(), key=lambda d: d.name))


@functools.cache
def _signals_data() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("data/signals.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@functools.cache
def _metrics_data(engine: str) -> dict[str, tuple[tuple[MetricDefinition, str], ...]]:
    """``{version: ((metric, how it is enabled), ...)}`` of one engine's data file."""
    raw = json.loads(resources.files(__package__).joinpath(f"data/{engine}.json").read_text(encoding="utf-8"))
    exporter = engine
    out: dict[str, tuple[tuple[MetricDefinition, str], ...]] = {}
    for version, rows in raw["versions"].items():
        out[version] = tuple(
            (
                MetricDefinition(
                    name=r["name"],
                    type=MetricType(r["type"]),
                    help=r["help"][:500],
                    unit=Unit(r["unit"]),
                    scale=Scale(r["scale"]),
                    labels=tuple(dict.fromkeys(r["labels"])),
                    buckets=tuple(float(b) for b in r["buckets"]),
                    buckets_at_run_time=r["type"] == "histogram" and not r["buckets"],
                    series_units=tuple(
                        SeriesUnit(label=u["label"], value=u["value"], unit=Unit(u["unit"]), scale=Scale(u["scale"]))
                        for u in r.get("series_units", ())
                    ),
                    exporter=exporter,
                ),
                str(r["enabled"]),
            )
            for r in rows
        )
    return out
