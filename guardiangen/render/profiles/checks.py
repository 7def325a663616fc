"""Spec settings that a profile or the multi-cluster label cannot carry out, as positioned findings.

They run after the model validated (``guardiangen.pipeline.validate``) and depend on the profile in
force, which ``--target`` may override; so they cannot be field validators.
"""

from __future__ import annotations

from guardiangen.load import PathKey
from guardiangen.spec.models import ClusterSpec, OutputProfile

Finding = tuple[PathKey, str, str]  # (where, code, message), as in guardiangen.spec.checks
CODE = "GG206"  # inconsistent settings


def findings(spec: ClusterSpec, profile: OutputProfile | None = None) -> list[Finding]:
    """What stops ``profile`` (default: the spec's own) from rendering ``spec``."""
    profile = profile or spec.output.profile
    out = _cluster_label(spec)
    if profile is OutputProfile.KUBERNETES:
        out += _dashboard_folder(spec)
    return out


def _cluster_label(spec: ClusterSpec) -> list[Finding]:
    label = spec.output.cluster_label
    if label is None:
        return []
    out: list[Finding] = []
    name = spec.metadata.name
    set_by_alerts = spec.metadata.alert_labels.get(label)
    if set_by_alerts is not None and set_by_alerts != name:
        out.append(
            (
                ("output", "cluster_label"),
                CODE,
                f'cluster_label "{label}" gives every rule {label}="{name}" (metadata.name), but '
                f'metadata.alert_labels sets {label}="{set_by_alerts}"; make them agree or drop one',
            )
        )
    if label == spec.gpu_inventory.host_label:
        out.append(
            (
                ("output", "cluster_label"),
                CODE,
                f'cluster_label "{label}" is the GPU exporter\'s host label (gpu_inventory.host_label); '
                "stamping it would overwrite the host of every GPU series",
            )
        )
    return out


def _dashboard_folder(spec: ClusterSpec) -> list[Finding]:
    folder = spec.defaults.dashboard_folder
    if "/" in folder or folder.strip() in ("", ".", ".."):
        annotation = spec.output.kubernetes.folder_annotation
        return [
            (
                ("defaults", "dashboard_folder"),
                CODE,
                f'the kubernetes profile puts the folder "{folder}" into the `{annotation}` annotation, which the '
                "Grafana sidecar uses as a directory name; use a name without `/` that is not `.` or `..`",
            )
        ]
    return []
