"""The deployment envelope from ``output:``: the profile in force and every profile's settings."""

from __future__ import annotations

from guardiangen.plan.model.deployment import DeploymentPlan, KubernetesDeployment
from guardiangen.spec.models import ClusterSpec, OutputProfile


def build(spec: ClusterSpec, profile: OutputProfile | None = None) -> DeploymentPlan:
    """``profile`` (``--target``) replaces ``output.profile``; defaults that depend on other fields
    (the Mimir namespace) are resolved here."""
    out = spec.output
    k8s = out.kubernetes
    return DeploymentPlan(
        profile=(profile or out.profile).value,
        kubernetes=KubernetesDeployment(
            namespace=k8s.namespace,
            rule_labels=tuple(k8s.rule_labels.items()),
            dashboard_label=tuple(k8s.dashboard_label.items()),
            folder_annotation=k8s.folder_annotation,
            dashboard_folder=spec.defaults.dashboard_folder,
            alertmanager_secret_name=k8s.alertmanager_secret_name,
        ),
        thanos_partial_response_strategy=out.thanos.partial_response_strategy.value,
        mimir_namespace=out.mimir.namespace or spec.metadata.name,
    )
