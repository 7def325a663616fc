"""The clean JSON of declared panels, each panel shape built with grafanalib once per render.

Big fleets repeat a few panel shapes thousands of times (an SLO's three panels differ from another
SLO's of the same kind only in their texts and queries), so :class:`PanelShapes` builds each shape
with grafanalib and cleans it once; its later panels are a fresh copy of that JSON with their own
title, description and targets. Both grafanalib (``Panel.panel_json``) and the sanitizer write those
three keys as given, and a query panel always has targets. One :class:`PanelShapes` serves one
render (:func:`guardiangen.render.dashboards.build_all`): nothing it remembers outlives it.
"""

from __future__ import annotations

import json
from typing import Any

from guardiangen.render.dashboards.panels import Panel, Query, QueryPanel, clean, clean_targets, ref_id

SHAPED_KEYS = ("title", "description", "targets")
"""What differs between the panels of one shape."""
TARGET_SHAPED_KEYS = ("expr", "legendFormat", "refId")
"""What differs between the targets of one shape (instant or not, and format)."""

# (JSON text, start) -> (fresh value, end): what json.loads does, minus its Python wrappers.
_load: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


class PanelShapes:
    """Clean panel JSON for one render, remembering the shapes it has built.

    ``shaping=False`` builds every panel through grafanalib: the oracle of the shape cache's tests."""

    def __init__(self, *, shaping: bool = True) -> None:
        self.shaping = shaping
        self._panels: dict[str, str] = {}  # shape key -> compact JSON of a clean panel without SHAPED_KEYS
        self._targets: dict[str, str] = {}  # "instant:format" -> compact JSON of a clean target without its keys

    def json(self, panel: Panel) -> dict[str, Any]:
        """What :func:`.sanitize.sanitize_panel` makes of the grafanalib panel's data (no id, no gridPos)."""
        if not isinstance(panel, QueryPanel):
            return clean(panel.grafanalib())
        options = panel.options()
        kind = panel.kind
        key = f"{kind.__module__}.{kind.__qualname__}:{options!r}" if self.shaping else ""
        shape = self._panels.get(key) if key else None
        if shape is None:
            built = clean(panel.build(options))
            if key:
                self._panels[key] = json.dumps({k: v for k, v in built.items() if k not in SHAPED_KEYS})
            return built
        out: dict[str, Any] = _load(shape, 0)[0]
        out["title"] = panel.title
        out["description"] = panel.description
        out["targets"] = [self._target(q, i, panel.fmt) for i, q in enumerate(panel.queries)]
        return out

    def _target(self, query: Query, index: int, fmt: str) -> dict[str, Any]:
        """The clean JSON of target ``index`` of a panel, from its shape (instant, format)."""
        key = f"{query.instant}:{fmt}"
        shape = self._targets.get(key)
        if shape is None:
            [first] = clean_targets([query], fmt, index)
            self._targets[key] = json.dumps({k: v for k, v in first.items() if k not in TARGET_SHAPED_KEYS})
            return first
        target: dict[str, Any] = _load(shape, 0)[0]
        target["expr"] = str(query.expr)
        target["legendFormat"] = query.legend
        target["refId"] = ref_id(index)
        return target
