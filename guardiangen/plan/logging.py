"""The Fluentd log pipeline from the spec's ``logging:`` section: names, tags, paths and streams.

Tags: sources tag ``kube.<source>.<file path>``, the router re-tags ``component.<component>``.
Every @id, tag, buffer directory, position file and stream name is made here from the spec's
names, so the checks that those names can carry that meaning live here too. They are about the
spec's values, whatever syntax prints them, and quoting cannot catch them (``a/../b`` or ``a.b``
quote fine):

- names are lowercase words of at most 30 characters: a ``/`` would leave a buffer directory, a
  ``.`` would make a tag or stream that collides with the reserved catch-all names;
- source and component names are distinct, as fluentd's @ids and buffer paths must be;
- ``major_version`` and a source's ``format`` are one of the choices the pipeline is planned for
  (anything else would silently take the other branch);
- stream names fit Elasticsearch's limit (the spec does not bound the namespace that way);
- durations are re-parsed into milliseconds.

Each refusal is an :class:`~guardiangen.plan.model.logging.UnsafeValueError`. The spec's patterns
already reject all of these, so the checks only matter if validation were loosened. Checks of
Fluentd's own grammar (quoting, bare tags, commas and placeholders in plugin parameters) are the
renderer's (:mod:`guardiangen.render.fluentd`).
"""

from __future__ import annotations

import re
from typing import Any

from guardiangen.plan.model.logging import (
    Elasticsearch,
    LogBuffer,
    LoggingPlan,
    LogOutput,
    LogRoute,
    TailSource,
    UnsafeValueError,
    shown,
)
from guardiangen.spec.models import BufferPolicy, ClusterSpec, ElasticsearchTarget, Logging, LogSource
from guardiangen.spec.types import DurationError, parse_duration_ms

INPUT_TAG = "kube"
ROUTED_TAG = "component"
# Reserved names contain a dot, which a spec name (spec.types.Name) cannot: they never collide
# with a component's stream, @id or directory.
UNROUTED = "guardiangen.unrouted"
POSITIONS_DIR = "guardiangen.positions"

# Supersets of the spec's patterns (a valid spec always plans), narrow enough for tags and ids;
# spec names have at most 30 characters, and they become file names.
_SPEC_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,29}")
_NAMESPACE = re.compile(r"[a-z0-9_]+")
_ES_NAME_BYTES = 255
_ES7_DATE_SUFFIX = len("-YYYY.MM.DD")  # logstash_format appends the day to the prefix


def build(spec: ClusterSpec) -> LoggingPlan | None:
    """The log pipeline of ``spec``; None without a ``logging:`` section."""
    return None if spec.logging is None else _pipeline(spec.logging)


def _pipeline(logging: Logging) -> LoggingPlan:
    buf = logging.buffer
    namespace = _name(logging.data_stream_namespace, "logging.data_stream_namespace", _NAMESPACE)
    datasets = [*_unique([_name(c.name, "component name") for c in logging.components], "component"), UNROUTED]
    major = _one_of(logging.elasticsearch.major_version, (7, 8), "logging.elasticsearch.major_version")
    outputs = tuple(
        LogOutput(
            id=f"out_es_{d}",
            secondary_id=f"out_es_{d}.secondary",
            pattern=f"{ROUTED_TAG}.{d}",
            stream=_stream(d, namespace, major),
            buffer_path=_join(buf.path, d),
            secondary_dir=_join(buf.secondary_path, d),
        )
        for d in datasets
    )
    routes = tuple(
        LogRoute(tuple(c.component_values), f"{ROUTED_TAG}.{_name(c.name, 'component name')}")
        for c in logging.components
    )
    _unique([s.name for s in logging.sources], "log source")
    return LoggingPlan(
        input_pattern=f"{INPUT_TAG}.**",
        sources=tuple(_source(s, buf) for s in logging.sources),
        routes=routes,
        routed_values=tuple(v for r in routes for v in r.values),
        unrouted_tag=f"{ROUTED_TAG}.{UNROUTED}",
        outputs=outputs,
        es=_elasticsearch(logging.elasticsearch, major),
        buffer=_buffer(buf),
        metrics_port=logging.fluentd_metrics_port,
    )


def _source(s: LogSource, buf: BufferPolicy) -> TailSource:
    name = _name(s.name, "log source name")
    return TailSource(
        id=f"in_tail_{name}",
        join_id=f"join_lines_{name}",
        format=_one_of(s.format, ("cri", "json"), f'log source "{name}" format'),
        path=s.path,
        pos_file=_join(_join(buf.path, POSITIONS_DIR), f"{name}.pos"),
        tag=f"{INPUT_TAG}.{name}.*",
        pattern=f"{INPUT_TAG}.{name}.**",
    )


def _elasticsearch(es: ElasticsearchTarget, major: int) -> Elasticsearch:
    return Elasticsearch(
        major=major,
        hosts=tuple(es.hosts),
        tls=any(h.startswith("https://") for h in es.hosts),
        verify_tls=es.verify_tls,
        ca_file=es.ca_file,
        user=es.user,
        password_env=es.password_env,
        api_key_env=es.api_key_env,
    )


def _buffer(buf: BufferPolicy) -> LogBuffer:
    return LogBuffer(
        chunk_limit_size=buf.chunk_limit_size,
        total_limit_size=buf.total_limit_size,
        overflow_action=buf.overflow_action,
        flush_interval_ms=duration_ms(buf.flush_interval, "logging.buffer.flush_interval"),
        retry_max_interval_ms=duration_ms(buf.retry_max_interval, "logging.buffer.retry_max_interval"),
        retry_timeout_ms=duration_ms(buf.retry_timeout, "logging.buffer.retry_timeout"),
    )


def duration_ms(value: object, what: str) -> int:
    """Milliseconds of a spec duration such as ``1h30m``, longer than 0s (re-parsed: never trusted)."""
    if not isinstance(value, str) or not value.isascii() or not value.isalnum():
        # The parser's \d also reads non-ASCII digits ("٥m" is 5 minutes to it).
        raise UnsafeValueError(f"{what} {shown(value)} is not a duration")
    try:
        ms = parse_duration_ms(value)
    except DurationError as e:
        raise UnsafeValueError(f"{what}: {e}") from e
    if ms <= 0:
        raise UnsafeValueError(f"{what} {shown(value)}: a duration must be longer than 0s")
    return ms


def _name(value: str, what: str, pattern: re.Pattern[str] = _SPEC_NAME) -> str:
    """A spec name used in tags, ids, directories and stream names (re-checked: never trusted)."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise UnsafeValueError(f"{what} {shown(value)} is not a lowercase name")
    return value


def _stream(dataset: str, namespace: str, major: int) -> str:
    """ES 8: the data stream name. ES 7: the index prefix, outside `logs-*-*`, which Elasticsearch
    7.9+ reserves for data streams."""
    name = f"logs-{dataset}-{namespace}" if major == 8 else f"logs.{dataset}-{namespace}"
    limit = _ES_NAME_BYTES - (_ES7_DATE_SUFFIX if major == 7 else 0)
    if len(name.encode()) > limit:
        # The spec does not bound data_stream_namespace; Elasticsearch refuses longer names.
        raise UnsafeValueError(f"{shown(name)} is longer than Elasticsearch's limit of {limit} bytes")
    return name


def _one_of(value: Any, allowed: tuple[Any, ...], what: str) -> Any:
    if not any(type(value) is type(a) and value == a for a in allowed):  # 8.0 and True are not 8
        raise UnsafeValueError(f"{what} {shown(value)} is not one of {', '.join(map(str, allowed))}")
    return value


def _unique(names: list[str], what: str) -> list[str]:
    """Names become @ids, buffer paths and position files, which fluentd requires to be distinct."""
    seen = set()
    for n in names:
        if n in seen:
            raise UnsafeValueError(f"{what} name {shown(n)} is used twice")
        seen.add(n)
    return names


def _join(directory: str, name: str) -> str:
    return directory.rstrip("/") + "/" + name
