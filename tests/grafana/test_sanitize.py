"""The sanitizer turns grafanalib 0.7.1's legacy output into schema-valid modern JSON, and no more."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from grafanalib import core as g
from grafanalib._gen import DashboardEncoder
from schema_check import schema_errors

from guardiangen.render.dashboards.sanitize import sanitize

DS = {"type": "prometheus", "uid": "${datasource}"}


def raw(dashboard: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(dashboard.to_json_data(), cls=DashboardEncoder))
    return data


@pytest.fixture
def grafanalib_dashboard() -> dict[str, Any]:
    """grafanalib's defaults everywhere: what the wrapper starts from."""
    target = g.Target(expr="up", refId="A", datasource=DS)
    return raw(
        g.Dashboard(
            title="t",
            uid="u",
            schemaVersion=39,
            templating=g.Templating(
                list=[
                    g.Template(name="datasource", type="datasource", query="prometheus"),
                    g.Template(name="job", query="label_values(up, job)", dataSource=DS),
                ]
            ),
            panels=[
                g.RowPanel(title="row", id=1, gridPos=g.GridPos(h=1, w=24, x=0, y=0)),
                g.TimeSeries(title="ts", id=2, dataSource=DS, targets=[target], gridPos=g.GridPos(h=8, w=12, x=0, y=1)),
                g.Stat(
                    title="stat",
                    id=3,
                    dataSource=DS,
                    targets=[target],
                    thresholds=[{"color": "green", "value": None}],
                    gridPos=g.GridPos(h=8, w=12, x=12, y=1),
                ),
                g.Text(title="text", id=4, content="hi", gridPos=g.GridPos(h=2, w=24, x=0, y=9)),
            ],
        )
    )


def test_raw_grafanalib_output_fails_the_schema(grafanalib_dashboard: dict[str, Any]) -> None:
    errors = schema_errors(grafanalib_dashboard)
    assert any("rows" in e or "Additional properties" in e for e in errors)
    assert any("null" in e.lower() or "None is not" in e for e in errors)


def test_sanitized_output_validates(grafanalib_dashboard: dict[str, Any]) -> None:
    assert schema_errors(sanitize(grafanalib_dashboard)) == []


def test_input_is_not_mutated(grafanalib_dashboard: dict[str, Any]) -> None:
    before = copy.deepcopy(grafanalib_dashboard)
    sanitize(grafanalib_dashboard)
    assert grafanalib_dashboard == before


def test_top_level_legacy_keys_go(grafanalib_dashboard: dict[str, Any]) -> None:
    clean = sanitize(grafanalib_dashboard)
    for key in ("__inputs", "rows", "style", "hideControls", "sharedCrosshair", "gnetId", "id", "version"):
        assert key in grafanalib_dashboard
        assert key not in clean
    assert "time_options" not in clean["timepicker"]
    assert "nowDelay" not in clean["timepicker"]  # was null


def test_rows_keep_only_row_keys(grafanalib_dashboard: dict[str, Any]) -> None:
    row = sanitize(grafanalib_dashboard)["panels"][0]
    assert "targets" in grafanalib_dashboard["panels"][0]
    assert row == {
        "collapsed": False,
        "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
        "id": 1,
        "panels": [],
        "title": "row",
        "type": "row",
    }


def test_panel_legacy_keys_and_noise_go(grafanalib_dashboard: dict[str, Any]) -> None:
    ts = sanitize(grafanalib_dashboard)["panels"][1]
    for key in ("editable", "error", "height", "span", "minSpan", "maxDataPoints", "transparent", "links"):
        assert key not in ts
    assert ts["fieldConfig"]["overrides"] == []
    assert "thresholds" not in ts["fieldConfig"]["defaults"]  # no steps: Grafana's defaults apply
    assert "axisSoftMin" not in ts["fieldConfig"]["defaults"]["custom"]  # was null


def test_explicit_max_data_points_survive() -> None:
    panel = {"type": "timeseries", "maxDataPoints": 500, "targets": []}
    assert sanitize({"panels": [panel]})["panels"][0]["maxDataPoints"] == 500


def test_targets_lose_graphite_era_fields(grafanalib_dashboard: dict[str, Any]) -> None:
    [target] = sanitize(grafanalib_dashboard)["panels"][1]["targets"]
    assert target == {
        "datasource": DS,
        "expr": "up",
        "format": "time_series",
        "instant": False,
        "legendFormat": "",
        "refId": "A",
    }


def test_threshold_base_step_keeps_its_null(grafanalib_dashboard: dict[str, Any]) -> None:
    stat = sanitize(grafanalib_dashboard)["panels"][2]
    assert stat["fieldConfig"]["defaults"]["thresholds"] == {
        "mode": "absolute",
        "steps": [{"color": "green", "value": None}],
    }
    assert "color" not in stat["fieldConfig"]["defaults"]  # grafanalib's null colour


def test_stat_string_thresholds_are_dropped() -> None:
    # grafanalib's Stat writes `"steps": ""` when no thresholds are given.
    stat = raw(g.Dashboard(title="t", panels=[g.Stat(title="s", targets=[])]))["panels"][0]
    assert stat["fieldConfig"]["defaults"]["thresholds"]["steps"] == ""
    clean = sanitize({"panels": [stat]})["panels"][0]
    assert "thresholds" not in clean["fieldConfig"]["defaults"]


def test_text_panel_loses_error_and_empty_targets(grafanalib_dashboard: dict[str, Any]) -> None:
    text = sanitize(grafanalib_dashboard)["panels"][3]
    assert "error" not in text and "targets" not in text
    assert text["options"] == {"content": "hi", "mode": "markdown"}


def test_variables(grafanalib_dashboard: dict[str, Any]) -> None:
    for variable in sanitize(grafanalib_dashboard)["templating"]["list"]:
        for key in ("useTags", "tagsQuery", "tagValuesQuery", "auto", "auto_min", "auto_count", "current"):
            assert key not in variable


def test_interval_variables_keep_auto_settings() -> None:
    # Meaningful there; note that the pinned schema (@grafana/schema 13.2) does not list them at all.
    interval = raw(g.Template(name="step", type="interval", query="1m,5m"))
    clean = sanitize({"templating": {"list": [interval]}})["templating"]["list"][0]
    assert {"auto", "auto_count", "auto_min"} <= set(clean)


def test_current_is_kept_without_tags() -> None:
    variable = {"name": "x", "type": "query", "current": {"text": "a", "value": "a", "tags": []}}
    clean = sanitize({"templating": {"list": [variable]}})["templating"]["list"][0]
    assert clean["current"] == {"text": "a", "value": "a"}
