"""Grafana provisioning files: the dashboard provider and the Prometheus/Alertmanager datasources.

Plain data for :func:`guardiangen.render.yamlout.dump`; no grafanalib. Grafana expands ``$VAR`` and
``${VAR}`` in every value of a provisioning file, so spec text that lands here has each ``$``
doubled (Grafana's escape) and reaches Grafana unchanged.
"""

from __future__ import annotations

from typing import Any

from guardiangen.plan.model import DashboardsPlan, Datasource, Plan

DASHBOARDS_PATH = "/var/lib/grafana/dashboards/guardiangen"
"""Where the provider reads the dashboard JSON: copy (or mount) ``grafana/dashboards/`` there."""

PROVIDER_NOTE = (
    "# options.path is a placeholder: copy or mount the generated grafana/dashboards/*.json into it,\n"
    "# or change it to where they are. Dashboards are read-only in the UI; edit cluster.yaml instead.\n"
)


def literal(value: str) -> str:
    """``value`` protected from Grafana's environment-variable expansion (``$`` -> ``$$``)."""
    return value.replace("$", "$$")


def dashboard_provider(plan: Plan) -> dict[str, Any]:
    """A file provider that loads the generated dashboards into the spec's folder, read-only."""
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": literal(f"guardiangen-{plan.cluster.name}"),
                "orgId": 1,
                "folder": literal(plan.dashboards.folder),
                "type": "file",
                "disableDeletion": False,
                "allowUiUpdates": False,  # the spec is the source of truth; UI edits would be overwritten
                "updateIntervalSeconds": 30,
                "options": {"path": DASHBOARDS_PATH, "foldersFromFilesStructure": False},
            }
        ],
    }


def datasources(dashboards: DashboardsPlan) -> dict[str, Any]:
    """Prometheus and Alertmanager with the spec's fixed uids (the dashboards select Prometheus by uid)."""
    prometheus = _source(dashboards.prometheus, "prometheus")
    # $__rate_interval is derived from this scrape interval: it must match the real one.
    prometheus["jsonData"] = {"httpMethod": "POST", "timeInterval": dashboards.scrape_interval}
    alertmanager = _source(dashboards.alertmanager, "alertmanager")
    alertmanager["jsonData"] = {"implementation": "prometheus", "handleGrafanaManagedAlerts": False}
    return {"apiVersion": 1, "datasources": [prometheus, alertmanager]}


def _source(source: Datasource, kind: str) -> dict[str, Any]:
    return {
        "name": literal(source.name),
        "type": kind,
        "uid": source.uid,
        "access": "proxy",
        "url": literal(source.url),
        "editable": False,
    }
