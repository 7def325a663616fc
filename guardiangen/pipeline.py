"""The one pipeline: load -> spec -> catalog/plan -> render -> canonical files.

Each CLI command is a thin wrapper around one of these functions. Only :func:`validate` runs on the
start-up path of ``guardiangen validate``; it must not import the rendering stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from guardiangen.diagnostics import Diagnostic
from guardiangen.load import load_file
from guardiangen.spec.models import ClusterSpec, OutputProfile


@dataclass
class Validated:
    spec: ClusterSpec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def validate(spec_path: str, profile: OutputProfile | None = None) -> Validated:
    """Load and validate a spec file; every problem as a diagnostic.

    ``profile`` (``--target``) replaces the spec's ``output.profile`` for the checks that depend on it.
    """
    from guardiangen.spec import parse_spec

    doc, diags = load_file(spec_path)
    if doc is None:
        return Validated(None, diags)
    spec, diags = parse_spec(doc)
    if spec is not None:
        from guardiangen.diagnostics import error
        from guardiangen.render.profiles.checks import findings

        problems = [
            error(doc.path, *doc.positions.of_value(loc), code, message)
            for loc, code, message in findings(spec, profile)
        ]
        if problems:
            return Validated(None, problems)
    return Validated(spec, diags)


def render(
    spec: ClusterSpec, spec_name: str, templates: Path | None = None, profile: OutputProfile | None = None
) -> dict[str, bytes]:
    """Every output file of every registered target, as canonical bytes (plus the manifest).

    The plain files are always there; ``profile`` (default: the spec's ``output.profile``) adds its envelope.
    """
    from guardiangen.gcpause import gc_paused
    from guardiangen.plan import build_plan, catalog_for
    from guardiangen.render import RenderContext, render_all
    from guardiangen.render.profiles.content import stamp_cluster_label
    from guardiangen.templates import templates_dir
    from guardiangen.write import canonical

    with gc_paused():
        catalog = catalog_for(spec)
        # The cluster label is rule content: stamped on the plan, it reaches every target and profile alike.
        plan = stamp_cluster_label(build_plan(spec, catalog), spec, catalog)
        ctx = RenderContext(
            spec=spec,
            catalog=catalog,
            plan=plan,
            templates=templates_dir(templates),
            profile=profile or spec.output.profile,
        )
        return canonical(render_all(ctx), spec_name)


def spec_display_name(spec_path: str) -> str:
    """How the spec is named inside generated headers: stable across machines (no absolute path)."""
    return Path(spec_path).name
