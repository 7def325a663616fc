"""Dashboard identities and links, shared by the dashboards and the alert annotations.

Alerts link to dashboards and dashboards are built elsewhere: both take uids and URLs from here,
so a link can never point at a dashboard that is not generated. Pure functions of the plan's
:class:`~guardiangen.plan.model.Cluster`: the renderers use them too.
"""

from __future__ import annotations

from urllib.parse import quote

from guardiangen.plan.model.cluster import Cluster

# kind -> (uid suffix, title suffix). Suffixes are <= 10 characters: a 30-character cluster name
# plus "-" plus the suffix stays within Grafana's 40-character uid limit.
DASHBOARDS: dict[str, tuple[str, str]] = {
    "overview": ("overview", "Cluster overview"),
    "specialist": ("specialist", "Specialist detail"),
    "guardians": ("guardians", "Guardians"),
    "gpu": ("gpu", "GPU inventory"),
    "slo": ("slo", "SLOs"),
}


def dashboard_uid(cluster: Cluster, kind: str) -> str:
    return f"{cluster.name}-{DASHBOARDS[kind][0]}"


def dashboard_title(cluster: Cluster, kind: str) -> str:
    return f"{cluster.name} / {DASHBOARDS[kind][1]}"


def dashboard_url(cluster: Cluster, kind: str, variables: dict[str, str] | None = None) -> str:
    """Absolute link to a generated dashboard, with template variables preset (``var-name=value``)."""
    url = f"{cluster.dashboard_base_url}/d/{dashboard_uid(cluster, kind)}"
    if variables:
        url += "?" + "&".join(f"var-{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(variables.items()))
    return url


def runbook_url(pattern: str, alert_name: str) -> str:
    """``defaults.runbook_url_pattern`` with ``{alert}`` replaced by the alert name in lowercase."""
    return pattern.replace("{alert}", alert_name.lower())
