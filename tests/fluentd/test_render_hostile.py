"""Hostile values in every spec field that reaches fluentd.conf.

For each field and value, two questions:

1. Does the spec accept it? The dangerous ones must be rejected by validation (its patterns); any
   value validation accepts is rendered from the validated spec and must come out inert too.
2. If validation were loosened (the spec built with ``model_copy``, no validation), is the output
   still safe? The renderer must either refuse the value (:class:`UnsafeValueError`, and only where
   the field's contract says so) or write a config the strict oracle accepts, with no Ruby code but
   the credential ``#{ENV[...]}`` references, in which the value reads back exactly.

``test_each_refusal_comes_from_its_layer`` checks who refuses: the planner the values that cannot
make a pipeline (``PLANNER_CHECKED``), the renderer those Fluentd would read differently.
``test_every_field_is_covered`` keeps the table complete when the ``logging:`` section grows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from guardiangen.plan import logging as plan_logging
from guardiangen.plan.model import Plan
from guardiangen.render.fluentd import UnsafeValueError
from guardiangen.spec.models import ClusterSpec, Logging
from tests.conftest import REFERENCE_SPEC, plan_of

from .grammar import Config, parse, ruby_interpolations
from .test_render import (
    load_spec,
    oracle_errors,
    outputs,
    render_plan,
    render_text,
    ruby_regexp,
    sources,
    value,
)

Path_ = tuple[str | int, ...]

TEXT = [
    'a"b',
    "back\\slash",
    "end\\",
    "#{`id`}",
    "#{ENV['HOME']}",
    "${tag}",
    "${chunk_id}",
    "%Y%m%d",
    "line\nbreak",
    "cr\rlf",
    "tab\tand\0nul",
    "</match>",
    "</match>\n<match **>\n  @type stdout\n</match>",
    "@include /etc/passwd",
    "  padded  ",
    "a,b",
    "'single'",
    '["json"]',
    "ünïcödé ✓ 日本語 \u2028 \u202e",
    "\ud800",  # a lone surrogate: not text that can be written to a file
    "x" * 5000,
]
# Values with a meaning somewhere in a fluentd config; the spec must reject each of them.
DANGEROUS = re.compile(r"[\"\\#${}%\n\r\t\0<>@ ,'\[\]\ud800-\udfff]|[^\x00-\x7f]")
BENIGN_PATHS = ["/var/log/ok/*.log", "/" + "a" * 1000]
NOT_TEXT: list[object] = [None, 1, True, ["a"]]


def _is_name(v: object, pattern: str = r"[a-z0-9][a-z0-9_-]{0,29}") -> bool:
    return isinstance(v, str) and re.fullmatch(pattern, v) is not None


def _has(chars: str) -> Callable[[object], bool]:
    return lambda v: not isinstance(v, str) or any(c in chars for c in v)


def _surrogate(v: object) -> bool:
    return isinstance(v, str) and any("\ud800" <= c <= "\udfff" for c in v)


@dataclass(frozen=True)
class FieldCase:
    """How one field of ``logging:`` reaches the file."""

    path: Path_
    values: list[object]
    refused: Callable[[object], bool]  # when the renderer must refuse (a surrogate always is)
    read_back: Callable[[Config, ClusterSpec], list[tuple[object, object]]] | None  # (actual, expected)


def _datasets(spec: ClusterSpec) -> list[str]:
    assert spec.logging is not None
    return [c.name for c in spec.logging.components] + ["guardiangen.unrouted"]


def _es_param(key: str, expected: Callable[[ClusterSpec], str]) -> Callable[[Config, ClusterSpec], list[Any]]:
    return lambda config, spec: [(value(o, key).text, expected(spec)) for o in outputs(config)]


def _logging(spec: ClusterSpec) -> Logging:
    assert spec.logging is not None
    return spec.logging


def _buffer_paths(config: Config, spec: ClusterSpec) -> list[tuple[object, object]]:
    base = _logging(spec).buffer.path.rstrip("/")
    pairs: list[tuple[object, object]] = [
        (value(o.sections("buffer")[0], "path").text, f"{base}/{d}")
        for o, d in zip(outputs(config), _datasets(spec), strict=True)
    ]
    pairs += [
        (value(t, "pos_file").text, f"{base}/guardiangen.positions/{s.name}.pos")
        for t, s in zip(sources(config, "tail"), _logging(spec).sources, strict=True)
    ]
    return pairs


def _secondary_dirs(config: Config, spec: ClusterSpec) -> list[tuple[object, object]]:
    base = _logging(spec).buffer.secondary_path.rstrip("/")
    return [
        (value(o.sections("secondary")[0], "directory").text, f"{base}/{d}")
        for o, d in zip(outputs(config), _datasets(spec), strict=True)
    ]


def _tail_path(config: Config, spec: ClusterSpec) -> list[tuple[object, object]]:
    (tail,) = sources(config, "tail")
    return [(value(tail, "path").text, _logging(spec).sources[0].path)]


def _component_value(config: Config, spec: ClusterSpec) -> list[tuple[object, object]]:
    """The rule of the first component matches the value exactly, the catch-all excludes it."""
    v = _logging(spec).components[0].component_values[0]
    (router,) = [m for m in config.walk() if m.name == "match" and m.type == "rewrite_tag_filter"]
    first, *_, catch_all = router.sections("rule")
    own, known = ruby_regexp(value(first, "pattern").text), ruby_regexp(value(catch_all, "pattern").text)
    return [
        (bool(own.search(v)), True),
        (bool(known.search(v)), True),
        (bool(own.search(v + "x")), False),
        (bool(own.search(v + "\n")), False),
    ]


def _env(key: str, field: str) -> Callable[[Config, ClusterSpec], list[tuple[object, object]]]:
    def check(config: Config, spec: ClusterSpec) -> list[tuple[object, object]]:
        name = getattr(_logging(spec).elasticsearch, field)
        return [(value(o, key).text, "#{ENV['" + name + "']}") for o in outputs(config)]

    return check


ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
FIELDS = [
    FieldCase(
        ("elasticsearch", "hosts", 0),
        [*TEXT, "https://es:9200"],
        _has(",$%"),
        _es_param("hosts", lambda s: _logging(s).elasticsearch.hosts[0]),
    ),
    FieldCase(
        ("elasticsearch", "major_version"),
        [9, "8", True, 8.0, None],
        lambda v: type(v) is not int or v not in (7, 8),
        None,
    ),
    FieldCase(
        ("elasticsearch", "user"),
        TEXT,
        lambda v: False,
        _es_param("user", lambda s: str(_logging(s).elasticsearch.user)),
    ),
    FieldCase(
        ("elasticsearch", "password_env"),
        [*TEXT, "lower_case_ok"],
        lambda v: not (isinstance(v, str) and re.fullmatch(ENV_NAME, v)),
        _env("password", "password_env"),
    ),
    FieldCase(
        ("elasticsearch", "api_key_env"),
        [*TEXT, "ES_KEY"],
        lambda v: not (isinstance(v, str) and re.fullmatch(ENV_NAME, v)),
        _env("api_key", "api_key_env"),
    ),
    FieldCase(
        ("elasticsearch", "ca_file"),
        TEXT,
        lambda v: False,
        _es_param("ca_file", lambda s: str(_logging(s).elasticsearch.ca_file)),
    ),
    FieldCase(("elasticsearch", "verify_tls"), ["true", 1, None], lambda v: not isinstance(v, bool), None),
    FieldCase(("sources", 0, "name"), [*TEXT, "Upper", "a.b", "x" * 31], lambda v: not _is_name(v), None),
    FieldCase(
        ("sources", 0, "path"),
        [*TEXT, *BENIGN_PATHS],
        lambda v: _has(",%")(v) or (isinstance(v, str) and v != v.strip(" \t\n\v\f\r\0")),
        _tail_path,
    ),
    FieldCase(("sources", 0, "format"), ["CRI", "cri\n", "docker", *TEXT], lambda v: v not in ("cri", "json"), None),
    FieldCase(("components", 0, "name"), [*TEXT, "Upper", "a.b", "x" * 31], lambda v: not _is_name(v), None),
    FieldCase(
        ("components", 0, "component_values", 0), [*TEXT, "(.*)", "a|b", "^$"], lambda v: False, _component_value
    ),
    FieldCase(
        ("data_stream_namespace",),
        [*TEXT, "-x", "x" * 300],
        lambda v: not _is_name(v, r"[a-z0-9_]+") or len(str(v)) > 200,
        None,
    ),
    FieldCase(("buffer", "path"), [*TEXT, *BENIGN_PATHS], lambda v: False, _buffer_paths),
    FieldCase(("buffer", "chunk_limit_size"), [*TEXT, "8M", "0", 8], lambda v: True, None),
    FieldCase(("buffer", "total_limit_size"), [*TEXT, "1t", "-1", 8], lambda v: True, None),
    FieldCase(("buffer", "overflow_action"), [*TEXT, "BLOCK", "block\n"], lambda v: True, None),
    FieldCase(("buffer", "flush_interval"), [*TEXT, "0s", "5 s", 5], lambda v: True, None),
    FieldCase(("buffer", "retry_max_interval"), [*TEXT, "1.5s", "-1s"], lambda v: True, None),
    FieldCase(("buffer", "retry_timeout"), [*TEXT, "forever", "5m\n"], lambda v: True, None),
    FieldCase(("buffer", "secondary_path"), [*TEXT, *BENIGN_PATHS], _has("$%"), _secondary_dirs),
    FieldCase(("fluentd_metrics_port",), ["24231", True, 24231.0, "24231\n"], lambda v: True, None),
]
CASES = [(fc, v) for fc in FIELDS for v in fc.values]
# The fields whose values the planner refuses (guardiangen.plan.logging: names, choices, stream
# length, durations); the renderer refuses the others' (guardiangen.render.fluentd: Fluentd's grammar).
PLANNER_CHECKED = {
    ("elasticsearch", "major_version"),
    ("sources", 0, "name"),
    ("sources", 0, "format"),
    ("components", 0, "name"),
    ("data_stream_namespace",),
    ("buffer", "flush_interval"),
    ("buffer", "retry_max_interval"),
    ("buffer", "retry_timeout"),
}


def _set(obj: Any, path: Path_, new: object) -> Any:
    """``obj`` with the value at ``path`` replaced, without validation (model_copy)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(obj, list):
        assert isinstance(head, int)
        items = list(obj)
        items[head] = _set(obj[head], rest, new)
        return items
    assert isinstance(obj, BaseModel) and isinstance(head, str)
    return obj.model_copy(update={head: _set(getattr(obj, head), rest, new)})


def _get(obj: Any, path: Path_) -> Any:
    for part in path:
        obj = obj[part] if isinstance(part, int) else getattr(obj, part)
    return obj


def _set_raw(data: Any, path: Path_, new: object) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = list(data) if isinstance(data, list) else dict(data)
    copy[head] = _set_raw(data[head], rest, new)  # type: ignore[index]
    return copy


@pytest.fixture(scope="module")
def reference() -> ClusterSpec:
    return load_spec(REFERENCE_SPEC)


@pytest.fixture(scope="module")
def reference_plan(reference: ClusterSpec) -> Plan:
    """The reference spec's whole plan; each case replaces its log pipeline (see render_text)."""
    return plan_of(reference)


def _case_id(case: tuple[FieldCase, object]) -> str:
    fc, v = case
    return ".".join(map(str, fc.path)) + "=" + repr(v)[:24]


def _validates(spec: ClusterSpec, fc: FieldCase, v: object) -> Logging | None:
    """The spec's own verdict, from JSON text as guardiangen.spec.parse_spec validates it."""
    raw = _set_raw(_logging(spec).model_dump(mode="json"), fc.path, v)
    try:
        text = json.dumps(raw)
    except (TypeError, ValueError):
        return None
    try:
        return Logging.model_validate_json(text, strict=True)
    except ValidationError:
        return None


def _check_inert(spec: ClusterSpec, fc: FieldCase, base: Plan) -> None:
    text = render_text(spec, base)
    assert oracle_errors(text) == []
    es = _logging(spec).elasticsearch
    allowed = {f"ENV['{n}']" for n in (es.password_env, es.api_key_env) if n}
    assert {code for _, code in ruby_interpolations(parse(text))} <= allowed
    if fc.read_back is not None:
        for actual, expected in fc.read_back(parse(text), spec):
            assert actual == expected


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_spec_rejects_dangerous_values(
    reference: ClusterSpec, reference_plan: Plan, case: tuple[FieldCase, object]
) -> None:
    fc, v = case
    accepted = _validates(reference, fc, v)
    if isinstance(v, str) and DANGEROUS.search(v) and accepted is not None:
        # Durations are parsed and stored in canonical form: accepted, but what reaches the renderer is
        # harmless. Anything else must be rejected.
        stored = _get(accepted, fc.path)
        assert stored != v and not DANGEROUS.search(str(stored)), f"the spec accepts {v!r} for {fc.path}"
    if accepted is not None:
        # Whatever validation lets through renders, and renders inert.
        spec = reference.model_copy(update={"logging": accepted})
        _check_inert(spec, fc, reference_plan)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_renderer_is_safe_even_without_validation(
    reference: ClusterSpec, reference_plan: Plan, case: tuple[FieldCase, object]
) -> None:
    fc, v = case
    spec = reference.model_copy(update={"logging": _set(_logging(reference), fc.path, v)})
    must_refuse = fc.refused(v) or _surrogate(v)
    if must_refuse:
        with pytest.raises(UnsafeValueError):
            render_text(spec, reference_plan)
    else:
        _check_inert(spec, fc, reference_plan)


REFUSED = [(fc, v) for fc, v in CASES if fc.refused(v) or _surrogate(v)]


@pytest.mark.parametrize("case", REFUSED, ids=_case_id)
def test_each_refusal_comes_from_its_layer(
    reference: ClusterSpec, reference_plan: Plan, case: tuple[FieldCase, object]
) -> None:
    """The planner refuses the fields of PLANNER_CHECKED; it passes every other value on as it is,
    and the renderer refuses it from the plan."""
    fc, v = case
    spec = reference.model_copy(update={"logging": _set(_logging(reference), fc.path, v)})
    if fc.path in PLANNER_CHECKED:
        with pytest.raises(UnsafeValueError):
            plan_logging.build(spec)
    else:
        logging = plan_logging.build(spec)
        with pytest.raises(UnsafeValueError):
            render_plan(replace(reference_plan, logging=logging))


def test_planner_checked_fields_are_fields() -> None:
    assert {fc.path for fc in FIELDS} >= PLANNER_CHECKED


def test_every_field_is_covered() -> None:
    from guardiangen.spec.models import BufferPolicy, ElasticsearchTarget, LogComponent, LogSource

    expected = {("data_stream_namespace",), ("fluentd_metrics_port",)}
    expected |= {("elasticsearch", n) for n in ElasticsearchTarget.model_fields}
    expected |= {("sources", n) for n in LogSource.model_fields}
    expected |= {("components", n) for n in LogComponent.model_fields}
    expected |= {("buffer", n) for n in BufferPolicy.model_fields}
    covered = {tuple(p for p in fc.path if isinstance(p, str)) for fc in FIELDS}
    assert set(Logging.model_fields) == {
        "elasticsearch",
        "sources",
        "components",
        "data_stream_namespace",
        "buffer",
        "fluentd_metrics_port",
    }
    assert covered == expected
