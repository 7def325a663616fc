"""Turn grafanalib 0.7.1's JSON into clean, modern dashboard JSON (Grafana schemaVersion 39).

grafanalib still writes the pre-Grafana-8 model: legacy top-level keys, ``null`` for every unset
field, per-panel ``span``/``height``/``editable``/``error``, Graphite-era target fields, and rows
that carry queries. Grafana repairs much of this through migrations, but newer releases move those
migrations to the backend and have skipped old dashboards for a while, so nothing here relies on
them. The pass works on plain JSON data and knows nothing about grafanalib's classes.

What it does, in order of the model:

* dashboard: drops ``__inputs``, ``__requires``, ``rows``, ``style``, ``hideControls``,
  ``sharedCrosshair``, ``gnetId``, ``id`` and ``version`` (Grafana owns the last two), and the time
  picker's legacy ``time_options``;
* panels: drops ``editable``, ``error``, ``height``, ``span``, ``minSpan`` and grafanalib's forced
  ``maxDataPoints: 100`` (which would coarsen ``$__rate_interval`` on wide panels), plus values
  that only restate Grafana's defaults (``transparent: false``, ``hideTimeOverride: false``, empty
  ``links``/``transformations``/``targets``); a threshold list without steps is dropped (grafanalib's
  Stat even writes the string ``""`` there); ``fieldConfig`` always gets ``overrides: []``;
* rows: only ``type``, ``id``, ``title``, ``gridPos``, ``collapsed``, ``panels`` and ``repeat``;
* targets: drops the Graphite/legacy ``query``, ``target``, ``metric``, ``step``,
  ``intervalFactor``, an empty ``interval`` and ``hide: false``;
* variables: drops ``useTags``, ``tagsQuery``, ``tagValuesQuery``, ``auto*`` outside interval
  variables, an unset ``current`` and the ``tags`` inside ``current``;
* everywhere: ``null`` values, except a threshold step's ``value`` (``null`` is the base step).

The input may also be grafanalib's ``to_json_data()`` output as is, still holding grafanalib objects
and tuples: it is read as if it had been round-tripped through JSON with grafanalib's
``DashboardEncoder`` (an object with ``to_json_data`` is replaced by what that returns), without
paying for the round trip.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

LEGACY_DASHBOARD_KEYS = frozenset(
    {"__inputs", "__requires", "rows", "style", "hideControls", "sharedCrosshair", "gnetId", "id", "version"}
)
LEGACY_PANEL_KEYS = frozenset({"editable", "error", "height", "span", "minSpan"})
LEGACY_TARGET_KEYS = frozenset({"query", "target", "metric", "step", "intervalFactor"})
LEGACY_VARIABLE_KEYS = frozenset({"useTags", "tagsQuery", "tagValuesQuery"})
INTERVAL_ONLY_VARIABLE_KEYS = frozenset({"auto", "auto_min", "auto_count"})
ROW_KEYS = frozenset({"type", "id", "title", "gridPos", "collapsed", "panels", "repeat"})
GRAFANALIB_MAX_DATA_POINTS = 100
# Values equal to Grafana's own defaults: writing them is noise.
PANEL_DEFAULTS: dict[str, Any] = {"transparent": False, "hideTimeOverride": False}
EMPTY_PANEL_LISTS = ("links", "transformations", "targets")


def sanitize(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    """A cleaned copy of ``dashboard`` (grafanalib's ``to_json_data()`` after JSON round-tripping)."""
    out = {k: v for k, v in _drop_nulls(dashboard).items() if k not in LEGACY_DASHBOARD_KEYS}
    picker = out.get("timepicker")
    if isinstance(picker, dict):
        picker.pop("time_options", None)
    out["panels"] = [_panel(p) for p in out.get("panels", [])]
    templating = out.get("templating")
    if isinstance(templating, dict):
        templating["list"] = [_variable(v) for v in templating.get("list", [])]
    return out


def sanitize_panel(panel: Mapping[str, Any]) -> dict[str, Any]:
    """A cleaned copy of one panel (or row), exactly as :func:`sanitize` cleans it inside a dashboard."""
    return _panel(_drop_nulls(panel))


def sanitize_target(target: Mapping[str, Any]) -> dict[str, Any]:
    """A cleaned copy of one query target, exactly as :func:`sanitize` cleans it inside a panel."""
    return _target(_drop_nulls(target))


_PLAIN = frozenset({str, int, float, bool})
_STR = frozenset({str})


def _drop_nulls(value: Any) -> Any:
    """``value`` as fresh JSON data without nulls (see the module docstring for what it accepts)."""
    kind = type(value)
    if kind is dict:
        if not _STR.issuperset(map(type, value)):
            return _drop_nulls(_json_round_trip(value))  # JSON turns the keys into strings
        if _PLAIN.issuperset(map(type, value.values())):
            return dict(value)  # no null, nothing nested
        is_step = "color" in value and "value" in value  # {"color": "green", "value": null} is the base step
        out = {}
        for k, v in value.items():
            if type(v) not in _PLAIN and v is not None:
                v = _drop_nulls(v)
            if v is not None or (is_step and k == "value"):
                out[k] = v
        return out
    if kind is list or kind is tuple:
        if _PLAIN.issuperset(map(type, value)):
            return list(value)
        items = [v if type(v) in _PLAIN or v is None else _drop_nulls(v) for v in value]
        return [v for v in items if v is not None]
    if kind in _PLAIN or value is None:
        return value
    to_json_data = getattr(value, "to_json_data", None)
    if to_json_data:
        return _drop_nulls(to_json_data())
    if isinstance(value, Mapping):
        return _drop_nulls(dict(value))
    return _drop_nulls(_json_round_trip(value))


def _json_round_trip(value: Any) -> Any:
    """What JSON makes of ``value`` (subclasses of the JSON types, non-string keys; others raise)."""
    return json.loads(json.dumps(value, default=_to_json_data))


def _to_json_data(value: Any) -> Any:
    """grafanalib's ``DashboardEncoder.default``: an object with ``to_json_data`` is written as its result."""
    to_json_data = getattr(value, "to_json_data", None)
    if to_json_data:
        return to_json_data()
    return json.JSONEncoder().default(value)


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    if panel.get("type") == "row":
        row = {k: v for k, v in panel.items() if k in ROW_KEYS}
        row["panels"] = [_panel(p) for p in row.get("panels", [])]
        row.setdefault("collapsed", False)
        return row
    out = {k: v for k, v in panel.items() if k not in LEGACY_PANEL_KEYS}
    if out.get("maxDataPoints") == GRAFANALIB_MAX_DATA_POINTS:
        del out["maxDataPoints"]
    for key, default in PANEL_DEFAULTS.items():
        if out.get(key) == default:
            del out[key]
    for key in EMPTY_PANEL_LISTS:
        if out.get(key) == []:
            del out[key]
    if "targets" in out:
        out["targets"] = [_target(t) for t in out["targets"]]
    field_config = out.get("fieldConfig")
    if isinstance(field_config, dict):
        defaults = field_config.setdefault("defaults", {})
        thresholds = defaults.get("thresholds")
        if isinstance(thresholds, dict) and not thresholds.get("steps"):
            del defaults["thresholds"]
        field_config.setdefault("overrides", [])
    return out


def _target(target: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in target.items() if k not in LEGACY_TARGET_KEYS}
    if out.get("interval") == "":
        del out["interval"]
    if out.get("hide") is False:
        del out["hide"]
    return out


def _variable(variable: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in variable.items() if k not in LEGACY_VARIABLE_KEYS}
    if out.get("type") != "interval":
        for key in INTERVAL_ONLY_VARIABLE_KEYS:
            out.pop(key, None)
    current = out.get("current")
    if isinstance(current, dict):
        current.pop("tags", None)
        if "text" not in current or "value" not in current:  # grafanalib's unset {"text": null, ...}
            del out["current"]
    return out
