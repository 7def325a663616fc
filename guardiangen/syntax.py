"""Name syntaxes of the formats guardiangen writes, shared by the spec's validation (which refuses
what a target would reject) and the renderers (which re-check what they generate themselves)."""

from __future__ import annotations

# Kubernetes object syntax (apimachinery validation): names are DNS-1123 subdomains, namespaces
# DNS-1123 labels, label and annotation keys qualified names with an optional DNS prefix.
K8S_NAMESPACE_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
K8S_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
K8S_KEY_PATTERN = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"  # optional DNS prefix
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
K8S_LABEL_VALUE_PATTERN = r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$"
