"""Validate dashboard JSON against the committed Grafana schema, with readable messages.

Test-only: the schema is generated from an npm package (see schema/PROVENANCE.md) and is not shipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).parent / "schema" / "dashboard.schema.json"


@cache
def _schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def load_schema() -> dict[str, Any]:
    """A fresh copy of the committed schema (callers may mutate it)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


def schema_errors(dashboard: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> list[str]:
    """Sorted ``"<json path>: <message>"`` lines; empty when the dashboard is valid."""
    schema = load_schema() if schema is None else schema
    validator = Draft7Validator(schema)
    lines = {_line(err) for err in _leaves(validator.iter_errors(dashboard), schema)}
    return sorted(lines)


def _leaves(errors: Iterable[ValidationError], schema: Mapping[str, Any]) -> Iterable[ValidationError]:
    # Panels are `anyOf [Panel, RowPanel]`; jsonschema reports a single "not valid under any" error
    # that hides the reason. Descend into the branch the panel meant to be (row or not) instead.
    for err in errors:
        if err.validator == "anyOf" and err.context:
            yield from _leaves(_branch_errors(err, schema), schema)
        else:
            yield err


def _branch_errors(err: ValidationError, schema: Mapping[str, Any]) -> list[ValidationError]:
    branches: dict[int, list[ValidationError]] = {}
    for sub in err.context or []:
        branches.setdefault(int(sub.schema_path[0]), []).append(sub)
    options = err.validator_value if isinstance(err.validator_value, list) else []
    instance_type = err.instance.get("type") if isinstance(err.instance, Mapping) else None
    # A branch whose "type" const equals the instance's type (RowPanel for a row) is the one meant;
    # failing that, drop branches whose const differs and take the one with the fewest complaints.
    consts = {index: _const_type(options[index], schema) for index in branches if index < len(options)}
    exact = [index for index, const in consts.items() if const is not None and const == instance_type]
    if exact:
        return branches[exact[0]]
    candidates = [errors for index, errors in branches.items() if consts.get(index) is None]
    return min(candidates or list(branches.values()), key=len) if branches else [err]


def _const_type(option: Any, schema: Mapping[str, Any]) -> Any:
    if isinstance(option, Mapping) and isinstance(option.get("$ref"), str):
        name = option["$ref"].rsplit("/", 1)[-1]
        option = schema.get("definitions", {}).get(name, {})
    if not isinstance(option, Mapping):
        return None
    return option.get("properties", {}).get("type", {}).get("const")


def _line(err: ValidationError) -> str:
    where = "/".join(str(part) for part in err.absolute_path) or "(root)"
    message = err.message if len(err.message) <= 200 else err.message[:197] + "..."
    return f"{where}: {message}"
