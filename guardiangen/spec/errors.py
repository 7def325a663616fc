"""Turn pydantic validation errors into positioned, readable diagnostics."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from guardiangen.catalog.builtin import DCGM_EXPORTER_VERSION_PATTERN
from guardiangen.diagnostics import (
    GG101_UNKNOWN_KEY,
    GG102_WRONG_TYPE,
    GG103_MISSING_KEY,
    GG104_BAD_DURATION,
    GG105_OUT_OF_RANGE,
    GG106_BAD_NAME,
    GG107_INVALID_VALUE,
    GG108_BAD_API_VERSION,
    GG212_RESERVED_LABEL,
    GG301_INLINE_SECRET,
    Diagnostic,
    did_you_mean,
    error,
)
from guardiangen.generated_labels import ALERT_NAME_MAX
from guardiangen.load import PathKey, Positions
from guardiangen.spec.models import ALERT_PREFIX_MAX, ALERT_PREFIX_PATTERN, RESERVED_LABEL
from guardiangen.spec.types import LABEL_NAME_PATTERN, LABEL_VALUE_PATTERN, NAME_PATTERN

# Keys that would hold a secret value; the spec only takes references to them.
INLINE_SECRETS: dict[str, str] = {
    "api_url": "api_url_file",
    "routing_key": "routing_key_file",
    "service_key": "routing_key_file",
    "auth_password": "auth_password_file",
    "auth_secret": "auth_password_file",
    "password": "password_env",
    "api_key": "api_key_env",
    "token": "bearer_token_file",
    "bearer_token": "bearer_token_file",
    "secret": "a *_file reference",
}

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "none_required": "nothing",
}


def path_text(loc: PathKey) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "null" if value is None else type(value).__name__


def _model_at(root: type[BaseModel], loc: PathKey) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (for did-you-mean on unknown keys)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current, part)
        if current is None:
            return None
    model = _unwrap_model(current)
    return model


def _unwrap_model(tp: Any) -> type[BaseModel] | None:
    for candidate in _flatten(tp):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _flatten(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(tp) for t in _flatten(arg)]
    return [tp]


def _unwrap(tp: Any, part: str | int) -> Any:
    for candidate in _flatten(tp):
        origin = typing.get_origin(candidate)
        if isinstance(part, int) and origin in (list, tuple):
            return typing.get_args(candidate)[0]
        if isinstance(part, str) and origin is dict:
            return typing.get_args(candidate)[1]
        if isinstance(part, str) and isinstance(candidate, type) and issubclass(candidate, BaseModel):
            for name, info in candidate.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def convert(
    errors: Iterable[ErrorDetails], root: type[BaseModel], data: Any, positions: Positions, path: str
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, at the key or value it is about."""
    out: list[Diagnostic] = []
    cleaned = [(err, _clean_loc(err["loc"], data)) for err in errors]
    inline = {
        (loc[:-1], INLINE_SECRETS[str(loc[-1])])
        for err, loc in cleaned
        if err["type"] == "extra_forbidden" and loc and str(loc[-1]) in INLINE_SECRETS
    }
    for err, loc in cleaned:
        if err["type"] == "missing" and (loc[:-1], str(loc[-1] if loc else "")) in inline:
            continue  # the inline-secret diagnostic already says what to write instead
        out.append(_one(err, loc, root, positions, path))
    return out


def _clean_loc(loc: tuple[int | str, ...], data: Any) -> PathKey:
    """Drop pydantic's union-branch and function markers so the path follows the YAML."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            if isinstance(node, list) and 0 <= part < len(node):
                out.append(part)
                node = node[part]
            continue
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and not _looks_like_marker(part):
            # a missing key or an extra one still names a real place under this mapping
            out.append(part)
            node = None
    return tuple(out)


_MARKERS = {"function-after", "function-before", "function-plain", "function-wrap", "tagged-union"}


def _looks_like_marker(part: str) -> bool:
    return part in _MARKERS or "[" in part or part.startswith(("function-", "json-or-python"))


def _one(err: ErrorDetails, loc: PathKey, root: type[BaseModel], positions: Positions, path: str) -> Diagnostic:
    kind = err["type"]
    where = path_text(loc)
    key = loc[-1] if loc else ""
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        line, col = positions.of_key(loc)
        if isinstance(key, str) and key in INLINE_SECRETS:
            return error(
                path,
                line,
                col,
                GG301_INLINE_SECRET,
                f'"{key}" would put a secret in the spec; give `{INLINE_SECRETS[key]}` instead ({where})',
            )
        model = _model_at(root, loc[:-1])
        hint = did_you_mean(str(key), _field_names(model)) if model else ""
        return error(path, line, col, GG101_UNKNOWN_KEY, f'unknown key "{key}" in {path_text(loc[:-1])}{hint}')
    if kind == "missing":
        line, col = positions.of_key(loc[:-1]) if loc[:-1] else (1, 1)
        return error(path, line, col, GG103_MISSING_KEY, f'{path_text(loc[:-1])}: required key "{key}" is missing')
    if kind == RESERVED_LABEL:  # a label name: point at it, the mapping key, when it is one
        line, col = positions.of_key(loc) if err["loc"][-1:] == ("[key]",) else positions.of_value(loc)
        return error(path, line, col, GG212_RESERVED_LABEL, f"{where}: {_msg(err)}")
    line, col = positions.of_value(loc)
    if loc and loc[0] in ("apiVersion", "kind") and len(loc) == 1 and kind == "literal_error":
        return error(path, line, col, GG108_BAD_API_VERSION, f"{where} must be {ctx.get('expected', '')}")
    if kind in _TYPE_NAMES:
        got = _describe(err.get("input"))
        return error(path, line, col, GG102_WRONG_TYPE, f"{where}: expected {_TYPE_NAMES[kind]}, got {got}")
    if kind == "string_pattern_mismatch":
        return _pattern(path, line, col, where, err, key)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return error(path, line, col, GG105_OUT_OF_RANGE, f"{where}: {_msg(err)}")
    if kind in ("literal_error", "enum"):
        return error(
            path,
            line,
            col,
            GG107_INVALID_VALUE,
            f"{where}: must be {ctx.get('expected', '')}, got {err.get('input')!r}",
        )
    if kind == "value_error":
        message = str(ctx.get("error", _msg(err)))
        code = GG107_INVALID_VALUE
        if "duration" in message:
            code = GG104_BAD_DURATION
        elif " must be " in message:
            code = GG105_OUT_OF_RANGE
        return error(path, line, col, code, f"{where}: {message}")
    return error(path, line, col, GG107_INVALID_VALUE, f"{where}: {_msg(err)}")


def _pattern(path: str, line: int, col: int, where: str, err: ErrorDetails, key: str | int) -> Diagnostic:
    value = err.get("input")
    if (err.get("ctx") or {}).get("pattern") == NAME_PATTERN:
        return error(
            path,
            line,
            col,
            GG106_BAD_NAME,
            f"{where}: {value!r} is not a valid name: use lowercase letters, digits and single - or _ "
            "between them, starting with a letter (it becomes a Prometheus label value, a Grafana uid "
            "and a Fluentd tag)",
        )
    pattern = str((err.get("ctx") or {}).get("pattern", ""))
    hint = _PATTERN_HINTS.get(pattern) or f"does not match {pattern}"
    return error(path, line, col, GG106_BAD_NAME, f"{where}: {value!r} {hint}")


_PATTERN_HINTS = {
    ALERT_PREFIX_PATTERN: f"is not a CamelCase prefix of letters and digits of at most {ALERT_PREFIX_MAX} characters "
    f"(with the longest generated alert name, {ALERT_NAME_MAX} characters in all)",
    LABEL_VALUE_PATTERN: "is not a safe label value: letters, digits and _ . : / - only, starting with a "
    "letter or digit",
    LABEL_NAME_PATTERN: "is not a valid Prometheus label name",
    DCGM_EXPORTER_VERSION_PATTERN: "is not a dcgm-exporter release: write it as tagged, e.g. 4.5.3-4.8.2, or "
    "the exporter part alone, e.g. 4.8.2",
    r"^/[^\x00-\x1f\x7f]*$": "must be an absolute file path",
    r"^https?://[^\s\"'\\{}]*\{alert\}[^\s\"'\\{}]*$": "must be an http(s) URL containing the placeholder {alert}",
}


def _msg(err: ErrorDetails) -> str:
    msg = err["msg"]
    return msg[0].lower() + msg[1:] if msg else msg
