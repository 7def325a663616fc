"""The one pipeline: load -> spec -> catalog/plan -> render -> canonical files.

Each CLI command is a thin wrapper around one of these functions. Only :func:`validate` runs on the
start-up path of ``guardiangen validate``; it must not import the rendering stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from guardiangen.diagnostics import Diagnostic
from guardiangen.load import load_file
from guardiangen.spec.models import ClusterSpec


@dataclass
class Validated:
    spec: ClusterSpec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def validate(spec_path: str) -> Validated:
    """Load and validate a spec file; every problem as a diagnostic."""
    from guardiangen.spec import parse_spec

    doc, diags = load_file(spec_path)
    if doc is None:
        return Validated(None, diags)
    spec, diags = parse_spec(doc)
    return Validated(spec, diags)


def render(spec: ClusterSpec, spec_name: str, templates: Path | None = None) -> dict[str, bytes]:
    """Every output file of every registered target, as canonical bytes (plus the manifest)."""
    from guardiangen.plan import build_plan, catalog_for
    from guardiangen.render import RenderContext, render_all
    from guardiangen.templates import templates_dir
    from guardiangen.write import canonical

    catalog = catalog_for(spec)
    plan = build_plan(spec, catalog)
    ctx = RenderContext(spec=spec, catalog=catalog, plan=plan, templates=templates_dir(templates))
    return canonical(render_all(ctx), spec_name)


def spec_display_name(spec_path: str) -> str:
    """How the spec is named inside generated headers: stable across machines (no absolute path)."""
    return Path(spec_path).name
