"""A small, modern, lint-clean and schema-clean dashboard that tests mutate one rule at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

DS = {"type": "prometheus", "uid": "${datasource}"}


def _panel(pid: int, kind: str, title: str, grid: tuple[int, int, int, int], **extra: Any) -> dict[str, Any]:
    x, y, w, h = grid
    panel: dict[str, Any] = {
        "id": pid,
        "type": kind,
        "title": title,
        "description": f"What {title} shows and why it matters.",
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
    }
    panel.update(extra)
    return panel


def _query_panel(
    pid: int, kind: str, title: str, grid: tuple[int, int, int, int], expr: str, unit: str, **extra: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "datasource": dict(DS),
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": [{"refId": "A", "expr": expr, "datasource": dict(DS)}],
    }
    fields.update(extra)
    return _panel(pid, kind, title, grid, **fields)


def build_dashboard(uid: str = "gg-overview", title: str = "Guardian overview") -> dict[str, Any]:
    """Top-level flow: expanded row 1 with panels 2 and 3, then collapsed row 4 holding panels 5 and 6."""
    heatmap = _query_panel(
        3,
        "heatmap",
        "Latency distribution",
        (12, 1, 12, 8),
        "sum by (le) (rate(guardian_request_duration_seconds_bucket[$__rate_interval]))",
        "",
        options={"calculate": False, "yAxis": {"unit": "s"}},
    )
    heatmap["fieldConfig"]["defaults"].pop("unit")  # a heatmap may carry its unit on the y axis instead
    heatmap["targets"][0]["format"] = "heatmap"
    return {
        "uid": uid,
        "title": title,
        "schemaVersion": 39,
        "editable": False,
        "tags": ["guardiangen"],
        "timezone": "browser",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus"},
                {
                    "name": "service",
                    "label": "Service",
                    "type": "query",
                    "datasource": dict(DS),
                    "query": {
                        "query": "label_values(guardian_requests_total, service)",
                        "refId": "PrometheusVariableQueryEditor-VariableQuery",
                    },
                    "refresh": 2,
                    "multi": True,
                    "includeAll": True,
                },
            ]
        },
        "panels": [
            {
                "id": 1,
                "type": "row",
                "title": "Traffic",
                "collapsed": False,
                "panels": [],
                "gridPos": _grid(0, 0, 24, 1),
            },
            _query_panel(
                2,
                "timeseries",
                "Request rate",
                (0, 1, 12, 8),
                'sum by (service) (rate(guardian_requests_total{service=~"$service"}[$__rate_interval]))',
                "reqps",
            ),
            heatmap,
            {
                "id": 4,
                "type": "row",
                "title": "Details",
                "collapsed": True,
                "gridPos": _grid(0, 9, 24, 1),
                "panels": [
                    _query_panel(
                        5,
                        "stat",
                        "p99 latency",
                        (0, 10, 8, 4),
                        "histogram_quantile(0.99, sum by (le) "
                        "(rate(guardian_request_duration_seconds_bucket[$__rate_interval])))",
                        "s",
                    ),
                    _panel(6, "text", "Notes", (8, 10, 16, 4), options={"mode": "markdown", "content": "Runbook"}),
                ],
            },
        ],
    }


def _grid(x: int, y: int, w: int, h: int) -> dict[str, int]:
    return {"x": x, "y": y, "w": w, "h": h}


@pytest.fixture
def dashboard() -> dict[str, Any]:
    return build_dashboard()


@pytest.fixture
def make_dashboard() -> Callable[..., dict[str, Any]]:
    return build_dashboard


# -- the reference spec, rendered once per test session ------------------------------------------


@pytest.fixture(scope="session")
def reference() -> Any:
    """The Grafana target's files for specs/cluster.yaml (a ``rendered.Rendered``)."""
    from rendered import load_spec, render_spec

    return render_spec(load_spec())
