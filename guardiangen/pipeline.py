"""The one pipeline: load -> spec -> catalog/plan -> render -> write (or diff), one function per phase.

    validate(path)        load the file and validate it: a spec, or every problem in it
    plan(spec)            the target-neutral plan: the renderers' only input
    render(plan, name)    every output file as canonical bytes, plus the manifest
    write(out, files)     replace ``out`` atomically    |    diff(out, files)   what differs from ``out``

The CLI, ``lint``, ``metrics``, the README generators and the bench scripts call these, so no caller
re-implements a phase. Only :func:`validate` runs on the start-up path of ``guardiangen validate``:
it depends on load, spec and catalog alone, never on the plan or the rendering stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from guardiangen.diagnostics import Diagnostic
from guardiangen.load import LoadedDoc, load_file
from guardiangen.spec.models import ClusterSpec, OutputProfile

if TYPE_CHECKING:
    from guardiangen.catalog import Catalog
    from guardiangen.plan.model import Plan
    from guardiangen.write import Drift


@dataclass
class Validated:
    """A valid spec, or ``spec`` None and the diagnostics saying why (warnings come either way).

    ``document`` is the file as loaded, with the position of every key and value (None when it did
    not load): what lets a later check, such as ``doctor``'s, point into the spec."""

    spec: ClusterSpec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    document: LoadedDoc | None = None


def validate(spec_path: str, profile: OutputProfile | None = None) -> Validated:
    """Load and validate a spec file; every problem as a diagnostic.

    ``profile`` (``--target``) replaces the spec's ``output.profile`` for the checks that depend on it.
    """
    from guardiangen.spec import validate_document

    doc, diags = load_file(spec_path)
    if doc is None:
        return Validated(None, diags)
    spec, diags = validate_document(doc, profile)
    return Validated(spec, diags, doc)


def catalog(spec: ClusterSpec) -> Catalog:
    """The metric catalog of a valid spec: its exporters' metrics and its own ``metrics:``."""
    from guardiangen.spec.catalog import catalog_for

    return catalog_for(spec)


def plan(spec: ClusterSpec, profile: OutputProfile | None = None) -> Plan:
    """The plan of a spec that :func:`validate` accepted; ``profile`` as for :func:`validate`."""
    from guardiangen.gcpause import gc_paused
    from guardiangen.plan.build import build_plan

    with gc_paused():
        return build_plan(spec, catalog(spec), profile)


def render(plan: Plan, spec_name: str, templates: Path | None = None) -> dict[str, bytes]:
    """Every output file of every registered target as canonical bytes, plus the manifest.

    ``spec_name`` names the spec in the files' "generated, do not edit" headers; ``templates``
    replaces the shipped templates (``--templates``)."""
    from guardiangen.gcpause import gc_paused
    from guardiangen.render import RenderContext, render_all
    from guardiangen.templates import templates_dir
    from guardiangen.write import canonical

    with gc_paused():
        return canonical(render_all(RenderContext(plan=plan, templates=templates_dir(templates))), spec_name)


def out_problem(out: Path, spec_path: str, *, force: bool = False) -> str | None:
    """Why ``out`` must not be replaced by a render of the spec at ``spec_path`` (None: it may)."""
    from guardiangen.write import UnsafeOutDir, refuse_unsafe_out

    try:
        refuse_unsafe_out(out, keep=[Path(spec_path)], force=force)
    except UnsafeOutDir as exc:
        return str(exc)
    return None


def templates_problem(templates: Path | None) -> str | None:
    """Why ``--templates`` cannot replace the shipped templates (None: it can, or none is given)."""
    from guardiangen.templates import unusable

    return None if templates is None else unusable(templates)


def write(out: Path, files: dict[str, bytes]) -> list[Diagnostic]:
    """Replace ``out`` with ``files`` atomically; a diagnostic when that fails (``out`` untouched)."""
    from guardiangen.diagnostics import GG601_WRITE_FAILED, error
    from guardiangen.write import WriteError, write_tree

    try:
        write_tree(out, files)
    except WriteError as exc:
        return [error(str(out), 0, 0, GG601_WRITE_FAILED, str(exc))]
    return []


def diff(out: Path, files: dict[str, bytes]) -> Drift:
    """What differs between ``out`` and ``files``: changed, missing and no longer generated files."""
    from guardiangen.write import compare

    return compare(out, files)


@dataclass
class Generated:
    """The rendered files of a spec, or ``files`` None and the diagnostics saying why."""

    files: dict[str, bytes] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def generate(spec_path: str, *, templates: Path | None = None, profile: OutputProfile | None = None) -> Generated:
    """:func:`validate`, :func:`plan` and :func:`render` in a row: what ``render`` and ``check`` share."""
    from guardiangen.gcpause import gc_paused

    validated = validate(spec_path, profile)
    if validated.spec is None:
        return Generated(None, validated.diagnostics)
    with gc_paused():  # the plan lives on through the render: one pause, no collection between them
        files = render(plan(validated.spec, profile), spec_display_name(spec_path), templates)
    return Generated(files, validated.diagnostics)


def spec_display_name(spec_path: str) -> str:
    """How the spec is named inside generated headers: stable across machines (no absolute path)."""
    return Path(spec_path).name
