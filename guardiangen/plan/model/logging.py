"""The Fluentd log pipeline: sources, routes and outputs, with their names, tags, paths and streams decided.

Values are still unquoted: the renderer (:mod:`guardiangen.render.fluentd`) writes them in Fluentd's
syntax. :class:`UnsafeValueError` lives here, below both, because both refuse values: the planner
those of the spec that cannot make a valid pipeline, the renderer those Fluentd would read
differently from what the plan says.
"""

from __future__ import annotations

from dataclasses import dataclass


class UnsafeValueError(ValueError):
    """A value that fluentd.conf cannot carry as the spec means it; it is never written."""


def shown(value: object) -> str:
    """A value for an :class:`UnsafeValueError` message: repr, shortened (hostile values can be very long)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class TailSource:
    """One ``sources:`` entry: its ``in_tail`` source and the ``concat`` filter that rejoins its lines."""

    id: str
    join_id: str  # the concat filter that rejoins this source's split lines
    format: str  # "cri" or "json"
    path: str  # the spec's glob, as given
    pos_file: str
    tag: str
    pattern: str  # the tag pattern of this source's events


@dataclass(frozen=True)
class LogRoute:
    """Records whose ``component`` field is one of ``values`` are re-tagged ``tag``."""

    values: tuple[str, ...]
    tag: str


@dataclass(frozen=True)
class LogOutput:
    """One Elasticsearch output: a component's, or the catch-all's."""

    id: str
    secondary_id: str
    pattern: str
    stream: str  # ES 8: data stream name; ES 7: index prefix
    buffer_path: str
    secondary_dir: str


@dataclass(frozen=True)
class Elasticsearch:
    """The connection every output shares."""

    major: int  # 7 or 8
    hosts: tuple[str, ...]  # URLs; the renderer writes them as the plugin's comma-separated list
    tls: bool  # an https:// host: scheme and certificate settings are written
    verify_tls: bool
    ca_file: str | None
    user: str | None
    password_env: str | None  # names of environment variables, never the secrets
    api_key_env: str | None


@dataclass(frozen=True)
class LogBuffer:
    """The file buffer and retry policy of every output (the spec's ``buffer:``, durations parsed)."""

    chunk_limit_size: str  # Fluentd's size notation, as the spec's pattern allows it: 8m
    total_limit_size: str
    overflow_action: str  # block, drop_oldest_chunk or throw_exception
    flush_interval_ms: int
    retry_max_interval_ms: int
    retry_timeout_ms: int


@dataclass(frozen=True)
class LoggingPlan:
    """Everything ``fluentd.conf`` prints."""

    input_pattern: str  # the tag pattern of every tailed event
    sources: tuple[TailSource, ...]
    routes: tuple[LogRoute, ...]
    routed_values: tuple[str, ...]  # every route's values: the catch-all takes the records with none of them
    unrouted_tag: str
    outputs: tuple[LogOutput, ...]  # one per component, then the catch-all
    es: Elasticsearch
    buffer: LogBuffer
    metrics_port: int | None  # None: Fluentd's own metrics are not exposed
