"""Output targets, registered in one explicit list, and the loop that renders them all.

A target is a pure function from a :class:`RenderContext` to ``{relative path: text}``: it reads
the plan (never the spec) and never touches the filesystem (templates are read through the
context).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from guardiangen.parallel import call
from guardiangen.render.context import RenderContext, Target

__all__ = ["RenderContext", "Target", "render_all", "targets"]


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
    # The runbooks link to dashboard panels, whose ids only exist once the dashboards are laid out.
    from guardiangen.render import runbooks

    for relpath, text in runbooks.render(ctx, files).items():
        if relpath in files:
            raise ValueError(f"the runbooks would overwrite {relpath}")
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
