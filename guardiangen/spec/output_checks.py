"""Spec settings that a profile or the multi-cluster label cannot carry out, as positioned findings.

They run after the model validated (``guardiangen.pipeline.validate``) and depend on the profile in
force, which ``--target`` may override; so they cannot be field validators.
"""

from __future__ import annotations

from guardiangen.catalog import CatalogError
from guardiangen.diagnostics import GG210_PROFILE_CANNOT
from guardiangen.load import PathKey
from guardiangen.spec.catalog import catalog_for
from guardiangen.spec.findings import Finding
from guardiangen.spec.models import ClusterSpec, OutputProfile


def findings(spec: ClusterSpec, profile: OutputProfile | None = None) -> list[Finding]:
    """What stops ``profile`` (default: the spec's own) from rendering ``spec``."""
    profile = profile or spec.output.profile
    out = _cluster_label(spec)
    if profile is OutputProfile.KUBERNETES:
        out += _dashboard_folder(spec)
        out += _object_name_twins(spec)
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
            Finding(
                ("output", "cluster_label"),
                GG210_PROFILE_CANNOT,
                f'cluster_label "{label}" gives every rule {label}="{name}" (metadata.name), but '
                f'metadata.alert_labels sets {label}="{set_by_alerts}"; make them agree or drop one',
            )
        )
    try:
        carriers = sorted(m.name for m in catalog_for(spec) if label in m.labels)
    except CatalogError:  # reported by the spec checks already
        carriers = []
    if carriers:
        more = f" and {len(carriers) - 3} more" if len(carriers) > 3 else ""
        out.append(
            Finding(
                ("output", "cluster_label"),
                GG210_PROFILE_CANNOT,
                f'cluster_label "{label}" is already a label of {", ".join(carriers[:3])}{more}; stamping it '
                "would overwrite that label in every rule built on them",
            )
        )
    return out


def _dashboard_folder(spec: ClusterSpec) -> list[Finding]:
    folder = spec.defaults.dashboard_folder
    if "/" in folder or folder.strip() in ("", ".", ".."):
        annotation = spec.output.kubernetes.folder_annotation
        return [
            Finding(
                ("defaults", "dashboard_folder"),
                GG210_PROFILE_CANNOT,
                f'the kubernetes profile puts the folder "{folder}" into the `{annotation}` annotation, which the '
                "Grafana sidecar uses as a directory name; use a name without `/` that is not `.` or `..`",
            )
        ]
    return []


def _object_name_twins(spec: ClusterSpec) -> list[Finding]:
    """Owners whose names differ only in ``_`` against ``-``: Kubernetes object names take no ``_``,
    so the PrometheusRule objects of their SLOs of one kind (``<cluster>-slo-<owner>-<kind>``)
    would get one name, and the second would replace the first on apply."""
    slos: list[tuple[PathKey, str, str]] = [
        (("specialists", i, "name"), s.name, kind)
        for i, s in enumerate(spec.specialists)
        for kind, slo in s.slos
        if slo is not None
    ]
    slos += [(("guardians", i, "name"), g.name, "coverage") for i, g in enumerate(spec.guardians) if g.slos.coverage]
    first: dict[tuple[str, str], str] = {}
    clashes: dict[tuple[PathKey, str, str], list[str]] = {}  # (where, name, twin) -> SLO kinds
    for where, name, kind in slos:
        twin = first.setdefault((name.replace("_", "-"), kind), name)
        if twin != name:
            clashes.setdefault((where, name, twin), []).append(kind)
    return [
        Finding(
            where,
            GG210_PROFILE_CANNOT,
            f'the kubernetes profile names objects with "-" for "_", so the {" and ".join(kinds)} SLO rules of '
            f'"{name}" and "{twin}" would be the same PrometheusRule objects; rename one of them',
        )
        for (where, name, twin), kinds in clashes.items()
    ]
