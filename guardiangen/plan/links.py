"""Dashboard identities and links, shared by the dashboards and the alert annotations.

Alerts link to dashboards and dashboards are built elsewhere: both take uids and URLs from here,
so a link can never point at a dashboard that is not generated.
"""

from __future__ import annotations

from urllib.parse import quote

from guardiangen.spec.models import ClusterSpec

# kind -> (uid suffix, title suffix). Suffixes are <= 10 characters: a 30-character cluster name
# plus "-" plus the suffix stays within Grafana's 40-character uid limit.
DASHBOARDS: dict[str, tuple[str, str]] = {
    "overview": ("overview", "Cluster overview"),
    "specialist": ("specialist", "Specialist detail"),
    "guardians": ("guardians", "Guardians"),
    "gpu": ("gpu", "GPU inventory"),
    "slo": ("slo", "SLOs"),
}


def dashboard_uid(spec: ClusterSpec, kind: str) -> str:
    return f"{spec.metadata.name}-{DASHBOARDS[kind][0]}"


def dashboard_title(spec: ClusterSpec, kind: str) -> str:
    return f"{spec.metadata.name} / {DASHBOARDS[kind][1]}"


def dashboard_url(spec: ClusterSpec, kind: str, variables: dict[str, str] | None = None) -> str:
    """Absolute link to a generated dashboard, with template variables preset (``var-name=value``)."""
    url = f"{spec.defaults.dashboard_base_url}/d/{dashboard_uid(spec, kind)}"
    if variables:
        url += "?" + "&".join(f"var-{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(variables.items()))
    return url


def runbook_url(spec: ClusterSpec, alert_name: str) -> str:
    return spec.defaults.runbook_url_pattern.replace("{alert}", alert_name.lower())
