"""The plan's shared parts from the spec: the cluster's identity and the target versions' features."""

from __future__ import annotations

from guardiangen.plan.model.cluster import Cluster, PrometheusFeatures
from guardiangen.spec.models import ClusterSpec
from guardiangen.spec.versions import prometheus_supports


def cluster_of(spec: ClusterSpec) -> Cluster:
    return Cluster(name=spec.metadata.name, dashboard_base_url=spec.defaults.dashboard_base_url)


def prometheus_features(spec: ClusterSpec) -> PrometheusFeatures:
    version = spec.defaults.prometheus_version
    return PrometheusFeatures(
        group_limit=prometheus_supports(version, "group_limit"),
        keep_firing_for=prometheus_supports(version, "keep_firing_for"),
        group_labels=prometheus_supports(version, "group_labels"),
    )
