"""A synthetic exporter: serves chosen series of catalog metrics in the Prometheus text format.

Counters grow at a fixed rate from an origin in the past (computed from wall time at each scrape,
so `rate()` over any window is that rate, whatever the scrape jitter); histograms grow at a fixed
observation rate with a fixed distribution of observed values; gauges hold a constant. The same
values before the first scrape come as OpenMetrics history, for backfilling Prometheus. Every
series is checked against the metric catalog first: a series the real exporter cannot produce
(unknown metric, wrong type, other label names) is a bug of the scenario, not something to serve.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from guardiangen.catalog import Catalog
from guardiangen.catalog.model import MetricDefinition, MetricType

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Counter:
    per_second: float


@dataclass(frozen=True)
class Gauge:
    value: float


@dataclass(frozen=True)
class Histogram:
    """``per_second`` observations, of which ``shares[v]`` (summing to 1) have the value ``v``."""

    per_second: float
    shares: Mapping[float, float]

    def __post_init__(self) -> None:
        if not math.isclose(sum(self.shares.values()), 1.0):
            raise ValueError(f"histogram shares must sum to 1: {dict(self.shares)}")


Value = Counter | Gauge | Histogram
_KIND: dict[type[Value], MetricType] = {
    Counter: MetricType.COUNTER,
    Gauge: MetricType.GAUGE,
    Histogram: MetricType.HISTOGRAM,
}


@dataclass(frozen=True)
class Series:
    metric: str
    labels: tuple[tuple[str, str], ...]
    value: Value


def series(metric: str, value: Value, **labels: str) -> Series:
    return Series(metric, tuple(sorted(labels.items())), value)


def check(catalog: Catalog, all_series: Iterable[Series]) -> list[str]:
    """Why each series could not come from a real exporter of ``catalog``'s metrics (empty: all fine)."""
    problems: list[str] = []
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for s in all_series:
        if s.metric not in catalog:
            problems.append(f"{s.metric}: not in the catalog")
            continue
        m = catalog.get(s.metric)
        if m.exporter == "prometheus":
            problems.append(f"{s.metric}: Prometheus makes this series itself")
        if _KIND[type(s.value)] is not m.type:
            problems.append(f"{s.metric}: served as {_KIND[type(s.value)].value}, the catalog says {m.type.value}")
        names = {k for k, _ in s.labels}
        if names != set(m.labels):
            problems.append(f"{s.metric}: labels {sorted(names)}, the catalog says {sorted(m.labels)}")
        if (s.metric, s.labels) in seen:
            problems.append(f"{s.metric}{dict(s.labels)}: served twice")
        seen.add((s.metric, s.labels))
    return problems


# ------------------------------------------------------------------------------ exposition text


def go_float(value: float) -> str:
    """A float the way the Python and Go clients print it (`le="10.0"`, `+Inf`)."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sample(name: str, labels: Iterable[tuple[str, str]], value: float) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return f"{name}{{{inner}}} {go_float(value)}" if inner else f"{name} {go_float(value)}"


def exposition(catalog: Catalog, all_series: Iterable[Series], elapsed: float) -> str:
    """The text format of every series, ``elapsed`` seconds after the counters started at zero."""
    by_metric: dict[str, list[Series]] = {}
    for s in all_series:
        by_metric.setdefault(s.metric, []).append(s)
    lines: list[str] = []
    for name, group in sorted(by_metric.items()):
        m = catalog.get(name)
        lines.append(f"# HELP {name} {m.help}")
        lines.append(f"# TYPE {name} {m.type.value}")
        for s in group:
            lines.extend(sample for _, sample in _samples(m, s, elapsed))
    return "\n".join(lines) + "\n"


def history(
    catalog: Catalog,
    all_series: Iterable[Series],
    origin: float,
    until: float,
    step: float,
    target_labels: Mapping[str, str],
) -> str:
    """The same series as OpenMetrics samples with timestamps, every ``step`` seconds from ``origin``
    (when the counters were zero) to before ``until``, for `promtool tsdb create-blocks-from openmetrics`.

    ``target_labels`` are the `job` and `instance` a scrape would attach: without them the past and
    the scraped present would be different series. No TYPE lines: the TSDB stores samples only.
    Each series' samples are contiguous and ascending.
    """
    extra = tuple(sorted(target_labels.items()))
    frozen = tuple(Series(s.metric, (*s.labels, *extra), s.value) for s in all_series)
    times = [origin + k * step for k in range(math.ceil((until - origin) / step))]
    per_series: dict[str, list[str]] = {}
    for t in times:
        for s in frozen:
            for series_id, sample in _samples(catalog.get(s.metric), s, t - origin):
                per_series.setdefault(series_id, []).append(f"{sample} {t:.3f}")
    return "\n".join(line for lines in per_series.values() for line in lines) + "\n# EOF\n"


def _samples(m: MetricDefinition, s: Series, elapsed: float) -> Iterator[tuple[str, str]]:
    """(series id, sample line) of each series ``s`` stands for: one, or a histogram's buckets, sum and count."""

    def sample(name: str, labels: tuple[tuple[str, str], ...], value: float) -> tuple[str, str]:
        line = _sample(name, labels, value)
        return line.rsplit(" ", 1)[0], line

    v = s.value
    if isinstance(v, Gauge):
        yield sample(m.name, s.labels, v.value)
    elif isinstance(v, Counter):
        yield sample(m.name, s.labels, v.per_second * elapsed)
    else:
        total = v.per_second * elapsed
        for le in (*m.buckets, math.inf):
            below = sum(share for value, share in v.shares.items() if value <= le)
            yield sample(f"{m.name}_bucket", (*s.labels, ("le", go_float(le))), total * below)
        yield sample(f"{m.name}_sum", s.labels, total * sum(value * share for value, share in v.shares.items()))
        yield sample(f"{m.name}_count", s.labels, total)


# ------------------------------------------------------------------------------------- server


@dataclass
class Exporter:
    """The running exporter: its address, the series it serves, and when its counters were zero."""

    server: ThreadingHTTPServer
    series: tuple[Series, ...]
    origin: float  # wall-clock seconds
    scrapes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host!s}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(
    catalog: Catalog, all_series: Iterable[Series], origin: float, rewrite: Callable[[str], str] | None = None
) -> Exporter:
    """Serve ``/metrics`` on a loopback port chosen by the OS (no race: it binds port 0).

    ``origin`` is the wall-clock time at which the counters were zero: an exporter that has already
    been running for a while, so its past can be backfilled (:func:`history`). ``rewrite``, if given,
    edits the exposition text of every scrape: how a test serves what no catalog-true exporter would
    (a renamed label value, a missing bucket, another declared type).
    """
    frozen = tuple(all_series)
    problems = check(catalog, frozen)
    if problems:
        raise ValueError("the scenario serves series no real exporter has:\n" + "\n".join(problems))
    holder: list[Exporter] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            exporter = holder[0]
            text = exposition(catalog, frozen, time.time() - exporter.origin)
            body = (rewrite(text) if rewrite else text).encode()
            with exporter.lock:
                exporter.scrapes += 1
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # one line per scrape would drown pytest output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Exporter(server, frozen, origin))
    threading.Thread(target=server.serve_forever, name="e2e-exporter", daemon=True).start()
    return holder[0]
