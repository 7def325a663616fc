"""Output profiles: deployment envelopes around the plain output files.

The plain files (``prometheus/``, ``grafana/``, ``alertmanager/``, ``fluentd/``) are always
rendered: promtool, amtool, ``guardiangen lint`` and the pre-commit check work on them. A profile
other than ``plain`` only *adds* files under ``<profile>/``, built from those plain files and from
the same plan, so rule, dashboard and Alertmanager content is identical in every profile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from guardiangen.plan.model.deployment import Profile
from guardiangen.render.context import RenderContext

Envelope = Callable[[RenderContext, Mapping[str, str]], dict[str, str]]


def _envelope(profile: Profile) -> Envelope | None:
    # Imported on demand: a plain render never loads the envelope modules.
    if profile == "kubernetes":
        from guardiangen.render.profiles import kubernetes

        return kubernetes.render
    if profile == "thanos":
        from guardiangen.render.profiles import thanos

        return thanos.render
    if profile == "mimir":
        from guardiangen.render.profiles import mimir

        return mimir.render
    return None


def envelope_files(ctx: RenderContext, plain: Mapping[str, str]) -> dict[str, str]:
    """The extra files of the plan's deployment profile, all under ``<profile>/``; none for ``plain``."""
    profile = ctx.plan.deployment.profile
    render = _envelope(profile)
    if render is None:
        return {}
    files = render(ctx, MappingProxyType(dict(plain)))
    prefix = f"{profile}/"
    stray = sorted(p for p in files if not p.startswith(prefix))
    if stray:
        raise ValueError(f"the {profile} profile produced files outside {prefix}: {', '.join(stray)}")
    return files
