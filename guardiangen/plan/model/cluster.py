"""What every target shares: the cluster's identity, where its links point, the target versions' features."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cluster:
    """The cluster the output is generated for."""

    name: str  # metadata.name: dashboard uids and titles, Kubernetes object names, the Mimir namespace
    dashboard_base_url: str  # Grafana's base URL, for dashboard links in alerts and between dashboards


@dataclass(frozen=True)
class PrometheusFeatures:
    """Which optional rule-file fields the target Prometheus version accepts (decided from
    ``defaults.prometheus_version``); a field it lacks is left out of every rule file."""

    group_limit: bool
    keep_firing_for: bool
    group_labels: bool
