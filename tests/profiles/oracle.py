"""Validation oracles for the profile envelopes: the real PrometheusRule CRD schema and a minimal core/v1 schema.

The CRD schema is the prometheus-operator's own (crds/PROVENANCE.md), *closed* the way the API
server's strict field validation treats it: an object schema that lists its properties and does not
preserve unknown fields refuses any other field (a CRD alone would prune it silently, which is how
a misspelt field gets lost).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

HERE = Path(__file__).resolve().parent
CRD_SCHEMA = HERE / "crds" / "prometheusrule-v1.schema.json"
CORE_SCHEMA = HERE / "schemas" / "core-v1-minimal.schema.json"
DATA_LIMIT_BYTES = 1024 * 1024  # core/v1 MaxSecretSize: ConfigMap and Secret data
ANNOTATIONS_LIMIT_BYTES = 256 * 1024  # apimachinery TotalAnnotationSizeLimitB


def _python_pattern(pattern: str) -> str:
    """Go's RE2 accepts ``^(?i)...``; Python wants inline flags first, where they mean the same here."""
    if pattern.startswith("^(?i)"):
        return "(?i)^" + pattern[len("^(?i)") :]
    return pattern


def _closed(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _closed(v) for k, v in node.items()}
        if isinstance(out.get("pattern"), str):
            out["pattern"] = _python_pattern(out["pattern"])
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


@cache
def core_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(CORE_SCHEMA.read_text(encoding="utf-8"))
    return schema


@cache
def prometheusrule_validator() -> jsonschema.Draft202012Validator:
    schema = _closed(json.loads(CRD_SCHEMA.read_text(encoding="utf-8")))
    # The CRD leaves metadata to the API server's ObjectMeta validation; use ours for it.
    schema["properties"]["metadata"] = {"$ref": "#/$defs/objectMeta"}
    schema["properties"]["apiVersion"] = {"const": "monitoring.coreos.com/v1"}
    schema["properties"]["kind"] = {"const": "PrometheusRule"}
    schema["required"] = ["apiVersion", "kind", "metadata", "spec"]
    schema["$defs"] = core_schema()["$defs"]
    return jsonschema.Draft202012Validator(schema)


@cache
def core_validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = {**core_schema(), "$ref": f"#/$defs/{kind}"}
    return jsonschema.Draft202012Validator(schema)


def problems(obj: dict[str, Any]) -> list[str]:
    """Every reason the API server would refuse ``obj`` (that these schemas and limits can tell)."""
    kind = obj.get("kind")
    if kind == "PrometheusRule":
        validator = prometheusrule_validator()
    elif kind in ("ConfigMap", "Secret"):
        validator = core_validator(str(kind))
    else:
        return [f"unexpected kind {kind!r}"]
    out = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]
    out += _limits(obj)
    return out


def _limits(obj: dict[str, Any]) -> list[str]:
    out = []
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items()) > ANNOTATIONS_LIMIT_BYTES:
        out.append("annotations exceed 256 KiB")
    for field in ("data", "stringData", "binaryData"):
        data = obj.get(field) or {}
        if sum(len(v.encode()) for v in data.values()) > DATA_LIMIT_BYTES:
            out.append(f"{field} exceeds 1 MiB")
    if obj.get("kind") == "PrometheusRule":
        # x-kubernetes-list-type: map keyed by name: the API server refuses duplicate group names.
        names = [g.get("name") for g in obj.get("spec", {}).get("groups", [])]
        if len(names) != len(set(names)):
            out.append("spec.groups has duplicate names")
    return out
