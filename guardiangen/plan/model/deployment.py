"""The deployment envelope of the output: which profile adds its files, and that profile's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Profile = Literal["plain", "kubernetes", "thanos", "mimir"]
Pairs = tuple[tuple[str, str], ...]  # in the spec's order (labels and annotations of generated objects)


@dataclass(frozen=True)
class KubernetesDeployment:
    """prometheus-operator and Grafana-sidecar objects (``output.kubernetes``, defaults resolved)."""

    namespace: str
    rule_labels: Pairs  # on every PrometheusRule, for the Prometheus object's ruleSelector
    dashboard_label: Pairs  # the one label the Grafana sidecar selects dashboard ConfigMaps by
    folder_annotation: str  # annotation naming the Grafana folder of a dashboard ConfigMap
    dashboard_folder: str  # its value: defaults.dashboard_folder
    alertmanager_secret_name: str | None  # None: `alertmanager-<cluster name>` made an object name


@dataclass(frozen=True)
class DeploymentPlan:
    """``output.profile`` (or ``--target``) and the settings of every profile."""

    profile: Profile
    kubernetes: KubernetesDeployment
    thanos_partial_response_strategy: Literal["abort", "warn"]
    mimir_namespace: str
