"""Output profiles: deployment envelopes around the plain output files.

The plain files (``prometheus/``, ``grafana/``, ``alertmanager/``, ``fluentd/``) are always
rendered: promtool, amtool, ``guardiangen lint`` and the pre-commit check work on them. A profile
other than ``plain`` only *adds* files under ``<profile>/``, built from those plain files and from
the same plan, so rule, dashboard and Alertmanager content is identical in every profile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from guardiangen.render import RenderContext
from guardiangen.spec.models import OutputProfile

Envelope = Callable[[RenderContext, Mapping[str, str]], dict[str, str]]


def _envelope(profile: OutputProfile) -> Envelope | None:
    # Imported on demand: a plain render never loads the envelope modules.
    if profile is OutputProfile.KUBERNETES:
        from guardiangen.render.profiles import kubernetes

        return kubernetes.render
    if profile is OutputProfile.THANOS:
        from guardiangen.render.profiles import thanos

        return thanos.render
    if profile is OutputProfile.MIMIR:
        from guardiangen.render.profiles import mimir

        return mimir.render
    return None


def envelope_files(ctx: RenderContext, plain: Mapping[str, str]) -> dict[str, str]:
    """The extra files of ``ctx.profile``, all under ``<profile>/``; none for ``plain``."""
    render = _envelope(ctx.profile)
    if render is None:
        return {}
    files = render(ctx, MappingProxyType(dict(plain)))
    prefix = f"{ctx.profile.value}/"
    stray = sorted(p for p in files if not p.startswith(prefix))
    if stray:
        raise ValueError(f"the {ctx.profile.value} profile produced files outside {prefix}: {', '.join(stray)}")
    return files
