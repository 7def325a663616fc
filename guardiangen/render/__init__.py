"""Output targets, registered in one explicit list.

A target is a pure function from a :class:`RenderContext` to ``{relative path: text}``: it never
reads the spec file and never touches the filesystem (templates are read through the context).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from guardiangen.catalog import Catalog
from guardiangen.plan.model import Plan
from guardiangen.spec.models import ClusterSpec, OutputProfile


@dataclass(frozen=True)
class RenderContext:
    spec: ClusterSpec
    catalog: Catalog
    plan: Plan
    templates: Path
    # Which deployment envelope is added to the plain files (see guardiangen.render.profiles).
    profile: OutputProfile = OutputProfile.PLAIN


@dataclass(frozen=True)
class Target:
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
    from guardiangen.parallel import render_targets

    files: dict[str, str] = {}
    registered = targets()
    for target, rendered in zip(registered, render_targets(ctx, registered), strict=True):
        for relpath, text in rendered.items():
            if relpath in files:
                raise ValueError(f"targets disagree: {relpath} is produced twice (second by {target.name})")
            files[relpath] = text
    # The profile's envelope comes last: it wraps the plain files above instead of rendering anew.
    from guardiangen.render.profiles import envelope_files

    for relpath, text in envelope_files(ctx, files).items():
        if relpath in files:
            raise ValueError(f"the {ctx.profile.value} profile would overwrite {relpath}")
        files[relpath] = text
    return files
