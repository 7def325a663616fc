"""The cluster.yaml spec: models, validation into positioned diagnostics, JSON Schema."""

from __future__ import annotations

import json

from pydantic import ValidationError

from guardiangen.diagnostics import Diagnostic, has_errors
from guardiangen.load import LoadedDoc
from guardiangen.spec.models import API_VERSION, ClusterSpec, OutputProfile

__all__ = ["API_VERSION", "ClusterSpec", "json_schema", "parse_spec", "validate_document"]


def validate_document(
    doc: LoadedDoc, profile: OutputProfile | None = None
) -> tuple[ClusterSpec | None, list[Diagnostic]]:
    """The spec of a loaded document, or every problem in it: the model and cross-field checks, then
    routes no generated alert can take, and what the deployment ``profile`` (default: the spec's own
    ``output.profile``) cannot carry out. Warnings come with the spec; any error refuses it."""
    from guardiangen.spec import output_checks, route_checks
    from guardiangen.spec.catalog import catalog_findings
    from guardiangen.spec.findings import diagnostics

    spec, diags = parse_spec(doc)
    if spec is None:
        return None, diags
    found = catalog_findings(spec) or [*route_checks.findings(spec), *output_checks.findings(spec, profile)]
    diags += diagnostics(found, doc.path, doc.positions)
    return (None, diags) if has_errors(diags) else (spec, diags)


def parse_spec(doc: LoadedDoc) -> tuple[ClusterSpec | None, list[Diagnostic]]:
    """Validate a loaded document: the spec and its warnings, or every problem found in it."""
    from guardiangen.spec import checks, errors

    cross = checks.check(doc.data, doc.positions, doc.path)
    try:
        # JSON text keeps strictness for numbers and booleans while accepting enum values as strings.
        spec = ClusterSpec.model_validate_json(json.dumps(doc.data), strict=True)
    except ValidationError as exc:
        return None, errors.convert(exc.errors(), ClusterSpec, doc.data, doc.positions, doc.path) + cross
    return (None, cross) if has_errors(cross) else (spec, cross)


def json_schema() -> str:
    """The JSON Schema of cluster.yaml, deterministic text."""
    schema = ClusterSpec.model_json_schema(by_alias=True, mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://guardiangen.invalid/schemas/cluster-v1.json",
        "title": "guardiangen cluster spec (apiVersion guardiangen/v1)",
        **{k: v for k, v in schema.items() if k != "title"},
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
