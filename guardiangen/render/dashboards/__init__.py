"""Grafana dashboards built with grafanalib behind guardiangen's own wrapper.

One builder module per dashboard (:mod:`.overview`, :mod:`.specialist`, :mod:`.guardians`,
:mod:`.gpu`, :mod:`.slo`) describes sections of panels (:mod:`.panels`) from typed PromQL
expressions and the plan alone; :mod:`.assemble` lays them out, serializes them with grafanalib
(:mod:`.shapes`) and cleans the result (:mod:`.sanitize`). Importing this package imports
grafanalib: only the render path does.
"""

from __future__ import annotations

from typing import Any

from guardiangen.plan.model import Plan
from guardiangen.render.dashboards import gpu, guardians, overview, slo, specialist
from guardiangen.render.dashboards.assemble import assemble, dump
from guardiangen.render.dashboards.shapes import PanelShapes

__all__ = ["BUILDERS", "build_all", "dump"]

# File name (without .json) -> builder; names are the kinds of plan.links.DASHBOARDS.
BUILDERS = {
    "overview": overview.build,
    "specialist": specialist.build,
    "guardians": guardians.build,
    "gpu": gpu.build,
    "slo": slo.build,
}


def build_all(plan: Plan, shapes: PanelShapes | None = None) -> dict[str, dict[str, Any]]:
    """Every dashboard as clean JSON data, keyed by file name without extension.

    A builder returns one dashboard, or several pages when its content grows with the fleet (the
    SLO and GPU inventory dashboards): page 1 keeps the dashboard's name, later pages are written
    as ``<name>-p2``, ``<name>-p3``... (uids likewise, see :func:`.assemble.page_uid`). The panels
    are written by ``shapes``, by default a new :class:`.PanelShapes` for this call."""
    shapes = PanelShapes() if shapes is None else shapes
    out: dict[str, dict[str, Any]] = {}
    for name, build in BUILDERS.items():
        built = build(plan)
        pages = built if isinstance(built, tuple) else (built,)
        for page, definition in enumerate(pages, start=1):
            out[name if page == 1 else f"{name}-p{page}"] = assemble(plan, definition, shapes, page, len(pages))
    return out
