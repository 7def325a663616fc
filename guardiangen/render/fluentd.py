"""Fluentd: ``fluentd/fluentd.conf`` from the spec's ``logging:`` section, rendered from Jinja templates.

The pipeline (details and delivery guarantees in the README's Fluentd section)::

    tail sources ──@JOIN_LINES── concat (rejoin lines the runtime split) ──relabel──▶
    @ENRICH ── parse the JSON in `log` ── Kubernetes metadata ── route by `component` ──▶
    @OUTPUT ── one Elasticsearch output per component, plus a catch-all for everything else

Safety of generated text: templates may print only :class:`Fluent` values, which only the
``fluentd_*`` filters below produce (the Jinja ``finalize`` hook refuses anything else), so a spec
value cannot reach the file unquoted. Free text is written as a double-quoted string in which every
character with a meaning to fluentd is escaped (``#`` included, so no ``#{...}`` Ruby code can
appear); names that must be written bare (tags, ``@id``) are checked against a strict pattern. Some
parameters give further characters a meaning *after* fluentd has read the string (``,`` separates
the hosts of the Elasticsearch output, ``%`` and ``${...}`` are placeholders in paths); values with
those are refused with :class:`UnsafeValueError` rather than silently changing meaning. The spec's
patterns already reject all of these, so the checks only matter if validation were loosened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guardiangen.render import RenderContext, Target
from guardiangen.spec.models import BufferPolicy, ElasticsearchTarget, Logging, LogSource
from guardiangen.spec.types import DurationError, parse_duration_ms

if TYPE_CHECKING:
    import jinja2

CONFIG = "fluentd/fluentd.conf"
TEMPLATE = "fluentd/fluentd.conf.j2"

# Tags: sources tag `kube.<source>.<file path>`, the router re-tags `component.<component>`.
INPUT_TAG = "kube"
ROUTED_TAG = "component"
# Reserved names contain a dot, which a spec name (spec.types.Name) cannot: they never collide
# with a component's stream, @id or directory.
UNROUTED = "guardiangen.unrouted"
POSITIONS_DIR = "guardiangen.positions"


# ------------------------------------------------------------------------------------- quoting


class UnsafeValueError(ValueError):
    """A value fluentd would read differently from what the spec says; it is never written."""


class Fluent(str):
    """Text a ``fluentd_*`` filter made safe to print; the only type a template may print."""

    __slots__ = ()


# fluentd's double-quoted strings (LiteralParser#eval_escape_char) know \" \\ \n \r \t \f \b \0,
# read a backslash before any other symbol as that symbol (so \# is #), and run `#{...}` as Ruby.
# Escaping every `#`, not only one before `{`, keeps the proof trivial. Raw CR would also be
# rewritten to LF by the writer, so it must be escaped too.
_DOUBLE_QUOTED = str.maketrans(
    {
        "\\": "\\\\",
        '"': '\\"',
        "#": "\\#",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\f": "\\f",
        "\b": "\\b",
        "\0": "\\0",
    }
)
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_TAG_PART = r"(?:[a-z0-9][a-z0-9_-]*|\*\*?)"
_TAG = re.compile(rf"{_TAG_PART}(?:\.{_TAG_PART})*")
_SIZE = re.compile(r"[1-9][0-9]*[kmg]?")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Regexp metacharacters (plus `/`, `#` and `-`); after a backslash Ruby (Onigmo) and Python read
# each of them literally. Other characters are left alone: escaping a letter could create an escape.
_REGEXP_SYMBOLS = frozenset("\\^$.|?*+()[]{}/#-")


def _text(value: object, what: str) -> str:
    _defined(value)
    if not isinstance(value, str) or isinstance(value, Fluent):
        raise UnsafeValueError(f"{what} needs unquoted text, got {type(value).__name__}: {_show(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise UnsafeValueError(f"{what}: {_show(value)} is not valid Unicode text") from e
    return value


def _defined(value: object) -> None:
    """Let Jinja report an undefined name as such instead of as a type error."""
    import jinja2

    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises UndefinedError here


def quote(value: object) -> Fluent:
    """A double-quoted fluentd string that reads back as exactly ``value`` and never runs code."""
    return Fluent('"' + _text(value, "fluentd_str").translate(_DOUBLE_QUOTED) + '"')


def json_value(value: object) -> Fluent:
    """A JSON array or object; ``#`` is written ``\\u0023`` because ``#{`` in a JSON string is Ruby."""
    _defined(value)
    if not isinstance(value, list | dict):
        # A JSON scalar such as "text" would be read as a fluentd string with other escapes.
        raise UnsafeValueError(f"fluentd_json writes arrays and objects only, got {type(value).__name__}")
    try:
        text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(", ", ": "))
    except (TypeError, ValueError) as e:
        raise UnsafeValueError(f"fluentd_json: {e}") from e
    return Fluent(text.replace("#", "\\u0023"))  # '#' occurs only inside JSON strings


def identifier(value: object) -> Fluent:
    """A bare ``@id`` (or other name) built from spec names: lowercase words, digits, ``_ . -``."""
    text = _text(value, "fluentd_id")
    if not _ID.fullmatch(text):
        raise UnsafeValueError(f"{_show(text)} cannot be a fluentd plugin id")
    return Fluent(text)


def tag(value: object) -> Fluent:
    """A bare tag or tag pattern: dot-separated names, ``*`` or ``**`` parts."""
    text = _text(value, "fluentd_tag")
    if not _TAG.fullmatch(text):
        raise UnsafeValueError(f"{_show(text)} cannot be a fluentd tag")
    return Fluent(text)


def integer(value: object) -> Fluent:
    _defined(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise UnsafeValueError(f"fluentd_int needs an integer, got {_show(value)}")
    return Fluent(str(value))


def boolean(value: object) -> Fluent:
    _defined(value)
    if not isinstance(value, bool):
        raise UnsafeValueError(f"fluentd_bool needs a boolean, got {_show(value)}")
    return Fluent("true" if value else "false")


def size(value: object) -> Fluent:
    text = _text(value, "fluentd_size")
    if not _SIZE.fullmatch(text):
        raise UnsafeValueError(f"{_show(text)} is not a size such as 8m")
    return Fluent(text)


def duration(value: object) -> Fluent:
    """A spec duration (``1h30m``) in fluentd's notation: one unit, or seconds with a fraction."""
    text = _text(value, "fluentd_time")
    try:
        if not text.isascii() or not text.isalnum():  # parse_duration_ms's `$` accepts "5m\n"
            raise DurationError(f"{_show(text)} is not a duration")
        ms = parse_duration_ms(text)
    except DurationError as e:
        raise UnsafeValueError(str(e)) from e
    if ms <= 0:
        raise UnsafeValueError(f"{_show(text)}: a duration must be longer than 0s")
    for unit, unit_ms in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % unit_ms == 0:
            return Fluent(f"{ms // unit_ms}{unit}")
    return Fluent(f"{ms // 1000}.{ms % 1000:03d}")


def choice(value: object, *allowed: str) -> Fluent:
    """One of the words the template lists (an enum of the spec, re-checked here)."""
    text = _text(value, "fluentd_choice")
    if text not in allowed:
        raise UnsafeValueError(f"{_show(text)} is not one of {', '.join(allowed)}")
    return Fluent(text)


def env_reference(value: object) -> Fluent:
    """``"#{ENV['NAME']}"``: the only Ruby code guardiangen writes, so secrets stay out of the file."""
    text = _text(value, "fluentd_env")
    if not _ENV_NAME.fullmatch(text):
        raise UnsafeValueError(f"{_show(text)} is not an environment variable name")
    return Fluent("\"#{ENV['" + text + "']}\"")


def regexp_literal(value: str) -> str:
    """``value`` as a regexp that matches exactly it, in syntax Ruby and Python read alike."""
    out = []
    for c in value:
        if c in _REGEXP_SYMBOLS:
            out.append("\\" + c)
        elif c < " " or c == "\x7f":
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)  # ASCII letters, digits, _ and non-ASCII text are literal
    return "".join(out)


def one_of_regexp(values: object) -> Fluent:
    """A quoted ``/\\A(?:a|b)\\z/`` matching exactly the given texts (``^``/``$`` would match per line)."""
    _defined(values)
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise UnsafeValueError(f"fluentd_one_of needs a non-empty list of texts, got {_show(values)}")
    body = "|".join(regexp_literal(_text(v, "fluentd_one_of")) for v in values)
    return quote("/\\A(?:" + body + ")\\z/")


FILTERS: dict[str, Callable[..., Fluent]] = {
    "fluentd_str": quote,
    "fluentd_json": json_value,
    "fluentd_id": identifier,
    "fluentd_tag": tag,
    "fluentd_int": integer,
    "fluentd_bool": boolean,
    "fluentd_size": size,
    "fluentd_time": duration,
    "fluentd_choice": choice,
    "fluentd_env": env_reference,
    "fluentd_one_of": one_of_regexp,
}


def _printable(value: object) -> Fluent:
    """Jinja's ``finalize``: every ``{{ ... }}`` must end in a fluentd_* filter."""
    if isinstance(value, Fluent):
        return value
    raise UnsafeValueError(f"the template prints {_show(value)} without a fluentd_* filter")


# ---------------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class Source:
    id: str
    join_id: str  # the concat filter that rejoins this source's split lines
    format: str  # "cri" or "json"
    path: str
    pos_file: str
    tag: str
    pattern: str  # the tag pattern of this source's events


@dataclass(frozen=True)
class Route:
    values: tuple[str, ...]  # `component` field values
    tag: str


@dataclass(frozen=True)
class Output:
    id: str
    secondary_id: str
    pattern: str
    stream: str  # ES 8: data stream name; ES 7: index prefix
    buffer_path: str
    secondary_dir: str


@dataclass(frozen=True)
class Elasticsearch:
    major: int
    hosts: str
    tls: bool
    verify_tls: bool
    ca_file: str | None
    user: str | None
    password_env: str | None
    api_key_env: str | None


@dataclass(frozen=True)
class View:
    """Everything the template needs, derived from the spec; values are still unquoted."""

    input_pattern: str
    sources: tuple[Source, ...]
    routes: tuple[Route, ...]
    routed_values: tuple[str, ...]
    unrouted_tag: str
    outputs: tuple[Output, ...]  # one per component, then the catch-all
    es: Elasticsearch
    buffer: BufferPolicy
    metrics_port: int | None


def build_view(logging: Logging) -> View:
    """Names, tags, paths and streams of the pipeline; refuses values that would change meaning."""
    buf = logging.buffer
    _refuse(buf.secondary_path, "%$", "logging.buffer.secondary_path", "placeholders in secondary_file paths")
    namespace = _name(logging.data_stream_namespace, "logging.data_stream_namespace", _NAMESPACE)
    datasets = [*_unique([_name(c.name, "component name") for c in logging.components], "component"), UNROUTED]
    major = _one_of(logging.elasticsearch.major_version, (7, 8), "logging.elasticsearch.major_version")
    outputs = tuple(
        Output(
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
        Route(tuple(c.component_values), f"{ROUTED_TAG}.{_name(c.name, 'component name')}") for c in logging.components
    )
    _unique([s.name for s in logging.sources], "log source")
    return View(
        input_pattern=f"{INPUT_TAG}.**",
        sources=tuple(_source(s, buf) for s in logging.sources),
        routes=routes,
        routed_values=tuple(v for r in routes for v in r.values),
        unrouted_tag=f"{ROUTED_TAG}.{UNROUTED}",
        outputs=outputs,
        es=_elasticsearch(logging.elasticsearch, major),
        buffer=buf,
        metrics_port=logging.fluentd_metrics_port,
    )


def _source(s: LogSource, buf: BufferPolicy) -> Source:
    name = _name(s.name, "log source name")
    # in_tail splits `path` at commas, strips blanks around each part and expands strftime `%`.
    _refuse(s.path, ",%", f'log source "{name}" path', "in_tail path syntax")
    if s.path != s.path.strip(" \t\n\v\f\r\0"):
        raise UnsafeValueError(f'log source "{name}" path {_show(s.path)}: in_tail strips surrounding blanks')
    return Source(
        id=f"in_tail_{name}",
        join_id=f"join_lines_{name}",
        format=_one_of(s.format, ("cri", "json"), f'log source "{name}" format'),
        path=s.path,
        pos_file=_join(_join(buf.path, POSITIONS_DIR), f"{name}.pos"),
        tag=f"{INPUT_TAG}.{name}.*",
        pattern=f"{INPUT_TAG}.{name}.**",
    )


def _elasticsearch(es: ElasticsearchTarget, major: int) -> Elasticsearch:
    for host in es.hosts:
        # The plugin splits `hosts` at commas and expands ${...} / %Y placeholders in it.
        _refuse(host, ",$%", "logging.elasticsearch.hosts entry", "the Elasticsearch hosts list syntax")
    return Elasticsearch(
        major=major,
        hosts=",".join(es.hosts),
        tls=any(h.startswith("https://") for h in es.hosts),
        verify_tls=es.verify_tls,
        ca_file=es.ca_file,
        user=es.user,
        password_env=es.password_env,
        api_key_env=es.api_key_env,
    )


# Supersets of the spec's patterns (a valid spec always renders), narrow enough for tags and ids;
# spec names have at most 30 characters, and they become file names.
_SPEC_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,29}")
_NAMESPACE = re.compile(r"[a-z0-9_]+")
_ES_NAME_BYTES = 255
_ES7_DATE_SUFFIX = len("-YYYY.MM.DD")  # logstash_format appends the day to the prefix


def _name(value: str, what: str, pattern: re.Pattern[str] = _SPEC_NAME) -> str:
    """A spec name used in tags, ids, directories and stream names (re-checked: never trusted)."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise UnsafeValueError(f"{what} {_show(value)} is not a lowercase name")
    return value


def _stream(dataset: str, namespace: str, major: int) -> str:
    """ES 8: the data stream name. ES 7: the index prefix, outside `logs-*-*`, which Elasticsearch
    7.9+ reserves for data streams."""
    name = f"logs-{dataset}-{namespace}" if major == 8 else f"logs.{dataset}-{namespace}"
    limit = _ES_NAME_BYTES - (_ES7_DATE_SUFFIX if major == 7 else 0)
    if len(name.encode()) > limit:
        # The spec does not bound data_stream_namespace; Elasticsearch refuses longer names.
        raise UnsafeValueError(f"{_show(name)} is longer than Elasticsearch's limit of {limit} bytes")
    return name


def _one_of(value: Any, allowed: tuple[Any, ...], what: str) -> Any:
    if not any(type(value) is type(a) and value == a for a in allowed):  # 8.0 and True are not 8
        raise UnsafeValueError(f"{what} {_show(value)} is not one of {', '.join(map(str, allowed))}")
    return value


def _refuse(value: str, chars: str, what: str, why: str) -> None:
    bad = sorted({c for c in _text(value, what) if c in chars})
    if bad:
        raise UnsafeValueError(f"{what} {_show(value)} contains {' '.join(bad)}, which fluentd reads as {why}")


def _unique(names: list[str], what: str) -> list[str]:
    """Names become @ids, buffer paths and position files, which fluentd requires to be distinct."""
    seen = set()
    for n in names:
        if n in seen:
            raise UnsafeValueError(f"{what} name {_show(n)} is used twice")
        seen.add(n)
    return names


def _show(value: object) -> str:
    """A value for an error message: repr, shortened (hostile values can be very long)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _join(directory: str, name: str) -> str:
    return directory.rstrip("/") + "/" + name


# --------------------------------------------------------------------------------------- render


def environment(ctx: RenderContext) -> jinja2.Environment:
    """The shared template environment, plus the fluentd filters and the print guard."""
    from guardiangen.templates import environment as base

    env = base(ctx.templates).overlay(finalize=_printable)
    env.filters.update(FILTERS)
    return env


def render(ctx: RenderContext) -> dict[str, str]:
    logging = ctx.spec.logging
    if logging is None:
        return {}
    view = build_view(logging)
    text = environment(ctx).get_template(TEMPLATE).render(v=view)
    return {CONFIG: text}


TARGET = Target("fluentd", "Fluentd log pipeline to Elasticsearch", render)
