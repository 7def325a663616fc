"""Fluentd: ``fluentd/fluentd.conf`` from the plan's log pipeline, rendered from Jinja templates.

The pipeline (details and delivery guarantees in the README's Fluentd section; the names, tags,
paths and streams are decided by :mod:`guardiangen.plan.logging`)::

    tail sources ──@JOIN_LINES── concat (rejoin lines the runtime split) ──relabel──▶
    @ENRICH ── parse the JSON in `log` ── Kubernetes metadata ── route by `component` ──▶
    @OUTPUT ── one Elasticsearch output per component, plus a catch-all for everything else

Safety of generated text: templates may print only :class:`Fluent` values, which only the
``fluentd_*`` filters below produce (the Jinja ``finalize`` hook refuses anything else), so a plan
value cannot reach the file unquoted. Free text is written as a double-quoted string in which every
character with a meaning to fluentd is escaped (``#`` included, so no ``#{...}`` Ruby code can
appear); names that must be written bare (tags, ``@id``) are checked against a strict pattern. Some
parameters give further characters a meaning *after* fluentd has read the string (``,`` separates
the hosts of the Elasticsearch output and the globs of in_tail, ``%`` and ``${...}`` are
placeholders in paths); their filters refuse such values with :class:`UnsafeValueError` rather
than let them silently change meaning.

These checks are here, not in the planner, because they are facts about Fluentd's grammar and its
plugins' parameters: they hold for every value printed in that place, whoever made the plan, and a
template that prints a parameter names its grammar in the filter it uses. Checks that the spec's
values can make a valid pipeline at all (names, uniqueness, choices, stream length, durations) are
the planner's. The spec's patterns already reject all of these values, so the checks only matter if
validation were loosened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from guardiangen.plan.model.logging import UnsafeValueError as UnsafeValueError  # raised by the filters too
from guardiangen.plan.model.logging import shown
from guardiangen.render.context import RenderContext, Target

if TYPE_CHECKING:
    import jinja2

CONFIG = "fluentd/fluentd.conf"
TEMPLATE = "fluentd/fluentd.conf.j2"


# ------------------------------------------------------------------------------------- quoting


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
        raise UnsafeValueError(f"{what} needs unquoted text, got {type(value).__name__}: {shown(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise UnsafeValueError(f"{what}: {shown(value)} is not valid Unicode text") from e
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
        raise UnsafeValueError(f"{shown(text)} cannot be a fluentd plugin id")
    return Fluent(text)


def tag(value: object) -> Fluent:
    """A bare tag or tag pattern: dot-separated names, ``*`` or ``**`` parts."""
    text = _text(value, "fluentd_tag")
    if not _TAG.fullmatch(text):
        raise UnsafeValueError(f"{shown(text)} cannot be a fluentd tag")
    return Fluent(text)


def integer(value: object) -> Fluent:
    _defined(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise UnsafeValueError(f"fluentd_int needs an integer, got {shown(value)}")
    return Fluent(str(value))


def boolean(value: object) -> Fluent:
    _defined(value)
    if not isinstance(value, bool):
        raise UnsafeValueError(f"fluentd_bool needs a boolean, got {shown(value)}")
    return Fluent("true" if value else "false")


def size(value: object) -> Fluent:
    text = _text(value, "fluentd_size")
    if not _SIZE.fullmatch(text):
        raise UnsafeValueError(f"{shown(text)} is not a size such as 8m")
    return Fluent(text)


def duration(value: object) -> Fluent:
    """Milliseconds (the plan parsed the spec's ``1h30m``) in fluentd's notation: one unit, or
    seconds with a fraction."""
    _defined(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise UnsafeValueError(f"fluentd_time needs a positive number of milliseconds, got {shown(value)}")
    for unit, unit_ms in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if value % unit_ms == 0:
            return Fluent(f"{value // unit_ms}{unit}")
    return Fluent(f"{value // 1000}.{value % 1000:03d}")


def choice(value: object, *allowed: str) -> Fluent:
    """One of the words the template lists (an enum of the spec, re-checked here)."""
    text = _text(value, "fluentd_choice")
    if text not in allowed:
        raise UnsafeValueError(f"{shown(text)} is not one of {', '.join(allowed)}")
    return Fluent(text)


def env_reference(value: object) -> Fluent:
    """``"#{ENV['NAME']}"``: the only Ruby code guardiangen writes, so secrets stay out of the file."""
    text = _text(value, "fluentd_env")
    if not _ENV_NAME.fullmatch(text):
        raise UnsafeValueError(f"{shown(text)} is not an environment variable name")
    return Fluent("\"#{ENV['" + text + "']}\"")


def tail_path(value: object) -> Fluent:
    """in_tail's ``path``: quoted, refused if in_tail would split it (``,``, blanks around it) or
    expand strftime ``%`` in it."""
    text = _text(value, "fluentd_tail_path")
    _refuse(text, ",%", "in_tail path", "in_tail path syntax")
    if text != text.strip(" \t\n\v\f\r\0"):
        raise UnsafeValueError(f"in_tail path {shown(text)}: in_tail strips surrounding blanks")
    return quote(text)


def es_hosts(values: object) -> Fluent:
    """The Elasticsearch output's ``hosts``: the URLs as one quoted comma-separated list; the plugin
    splits it at commas and expands ``${...}`` / ``%Y`` placeholders, so no URL may hold those."""
    _defined(values)
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise UnsafeValueError(f"fluentd_es_hosts needs a non-empty list of URLs, got {shown(values)}")
    for host in values:
        _refuse(_text(host, "fluentd_es_hosts"), ",$%", "Elasticsearch hosts entry", "the hosts list syntax")
    return quote(",".join(values))


def secondary_dir(value: object) -> Fluent:
    """secondary_file's ``directory``: quoted, refused if it holds ``%`` or ``$``, which the plugin
    expands as time and ``${...}`` chunk placeholders."""
    text = _text(value, "fluentd_secondary_dir")
    _refuse(text, "%$", "secondary_file directory", "placeholders in secondary_file paths")
    return quote(text)


def _refuse(text: str, chars: str, what: str, why: str) -> None:
    bad = sorted({c for c in text if c in chars})
    if bad:
        raise UnsafeValueError(f"{what} {shown(text)} contains {' '.join(bad)}, which fluentd reads as {why}")


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
        raise UnsafeValueError(f"fluentd_one_of needs a non-empty list of texts, got {shown(values)}")
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
    "fluentd_tail_path": tail_path,
    "fluentd_es_hosts": es_hosts,
    "fluentd_secondary_dir": secondary_dir,
}


def _printable(value: object) -> Fluent:
    """Jinja's ``finalize``: every ``{{ ... }}`` must end in a fluentd_* filter."""
    if isinstance(value, Fluent):
        return value
    raise UnsafeValueError(f"the template prints {shown(value)} without a fluentd_* filter")


# --------------------------------------------------------------------------------------- render


def environment(ctx: RenderContext) -> jinja2.Environment:
    """The shared template environment, plus the fluentd filters and the print guard."""
    from guardiangen.templates import environment as base

    env = base(ctx.templates).overlay(finalize=_printable)
    env.filters.update(FILTERS)
    return env


def render(ctx: RenderContext) -> dict[str, str]:
    """``fluentd.conf`` of the plan's log pipeline; nothing without one."""
    logging = ctx.plan.logging
    if logging is None:
        return {}
    return {CONFIG: environment(ctx).get_template(TEMPLATE).render(v=logging)}


TARGET = Target("fluentd", "Fluentd log pipeline to Elasticsearch", render)
