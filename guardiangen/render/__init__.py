"""Output targets, registered in one explicit list, and the loop that renders them all.

A target is a pure function from a :class:`RenderContext` to ``{relative path: text}``: it reads
the plan (never the spec) and never touches the filesystem (templates are read through the
context).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guardiangen.catalog import Catalog
from guardiangen.parallel import call
from guardiangen.plan.model import Plan

if TYPE_CHECKING:
    from guardiangen.spec.models import ClusterSpec


@dataclass(frozen=True)
class RenderContext:
    """What a target renders from: the plan and the options of this render."""

    plan: Plan
    templates: Path  # the template root (``--templates`` or the shipped templates)
    _spec: ClusterSpec | None = None  # being retired (issue #14): targets still reading it move to the plan

    @property
    def spec(self) -> ClusterSpec:
        """Transitional: the spec, for the targets not yet moved to the plan."""
        assert self._spec is not None, "this target still needs the spec"
        return self._spec

    @property
    def catalog(self) -> Catalog:
        return self.plan.catalog


@dataclass(frozen=True)
class Target:
    """One output target of the registry."""

    name: str
    description: str
    render: Callable[[RenderContext], dict[str, str]]
    # Rendered in a forked child beside the other targets when there is a second CPU (see
    # guardiangen.parallel): worth it for a target that takes a large share of the time.
    fork: bool = False


def targets() -> tuple[Target, ...]:
    """Every output target, in a fixed order. Adding a target is one import and one entry here."""
    from guardiangen.render import alertmanager, fluentd, grafana, prometheus

    return (prometheus.TARGET, grafana.TARGET, alertmanager.TARGET, fluentd.TARGET)


def render_all(ctx: RenderContext) -> dict[str, str]:
    """Every target's files, then the envelope of the plan's deployment profile around them."""
    files: dict[str, str] = {}
    registered = targets()
    for target, rendered in zip(registered, _render_targets(ctx, registered), strict=True):
        for relpath, text in rendered.items():
            if relpath in files:
                raise ValueError(f"targets disagree: {relpath} is produced twice (second by {target.name})")
            files[relpath] = text
    # The profile's envelope comes last: it wraps the plain files above instead of rendering anew.
    from guardiangen.render.profiles import envelope_files

    profile = ctx.plan.deployment.profile
    for relpath, text in envelope_files(ctx, files).items():
        if relpath in files:
            raise ValueError(f"the {profile} profile would overwrite {relpath}")
        files[relpath] = text
    return files


def _render_targets(ctx: RenderContext, registered: Sequence[Target]) -> list[Mapping[str, str]]:
    """Each target's files, in the order of ``registered``; those marked ``fork`` in a child."""
    forked = {i: call(t.render, ctx) for i, t in enumerate(registered) if t.fork}
    try:
        out: dict[int, Mapping[str, str]] = {i: t.render(ctx) for i, t in enumerate(registered) if i not in forked}
        out.update((i, child.result()) for i, child in forked.items())
        return [out[i] for i in range(len(registered))]
    finally:
        for child in forked.values():
            child.stop()
