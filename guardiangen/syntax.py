"""Name syntaxes of the formats guardiangen writes, shared by the spec's validation (which refuses
what a target would reject) and the renderers (which re-check what they generate themselves), and
the syntax of a path into ``cluster.yaml`` as the generated docs write it."""

from __future__ import annotations

import re

# Kubernetes object syntax (apimachinery validation): names are DNS-1123 subdomains, namespaces
# DNS-1123 labels, label and annotation keys qualified names with an optional DNS prefix.
K8S_NAMESPACE_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
K8S_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
K8S_KEY_PATTERN = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"  # optional DNS prefix
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
K8S_LABEL_VALUE_PATTERN = r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"


def _spec_path(item: str) -> re.Pattern[str]:
    return re.compile(rf"\b[a-z_]+(?:{item})?(?:\.[a-z0-9_]+(?:{item})?)+")


# A spec path in prose, a list's items as ``[]``: ``specialists[].engine.thresholds.x``.
SPEC_PATH = _spec_path(r"\[\]")
# The same, a list item also by its name: ``specialists[code].slos.latency``, ``metric_alerts[x].threshold``.
SPEC_PATH_NAMED = _spec_path(r"\[[^\]\s]*\]")
