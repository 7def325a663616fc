"""Spec settings the target Alertmanager version cannot express, found during validation.

Kept in the spec layer (not beside the renderer) so `guardiangen validate` stays free of the
rendering stack. This is the one gate for versions: the alerting plan builder only refuses, as a
bug, a spec that reached it without passing here (a test holds the two readings together).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from guardiangen.diagnostics import GG209_ALERTMANAGER_VERSION
from guardiangen.load import PathKey
from guardiangen.spec.findings import Finding
from guardiangen.spec.models import Defaults
from guardiangen.spec.versions import ALERTMANAGER_FEATURES, alertmanager_supports


def _needs(feature: str) -> str:
    major, minor = ALERTMANAGER_FEATURES[feature]
    return f"{major}.{minor}"


def version_findings(data: Mapping[str, Any]) -> Iterator[Finding]:
    """Spec settings the target Alertmanager version cannot express, as (where, code, message).

    Reads the raw document, like the other cross-field checks, so it runs even when some other
    field is invalid; malformed parts are skipped (the model reports them).
    """
    version = _get(data, "defaults", "alertmanager_version")
    if version is None:
        version = Defaults.model_fields["alertmanager_version"].default
    if not isinstance(version, str) or not re.fullmatch(r"0\.\d+(\.\d+)?", version):
        return

    def finding(feature: str, loc: PathKey, what: str, instead: str) -> Finding:
        return Finding(
            loc,
            GG209_ALERTMANAGER_VERSION,
            f"{what} needs Alertmanager {_needs(feature)} or newer, but defaults.alertmanager_version is "
            f"{version}; {instead}",
        )

    def lacks(feature: str) -> bool:
        return not alertmanager_supports(version, feature)

    if lacks("matchers"):
        # Without `matchers` only the deprecated `match:` syntax exists; guardiangen does not emit it.
        yield finding(
            "matchers",
            ("defaults", "alertmanager_version"),
            "routing with `matchers`",
            "raise the version (older ones only know the deprecated `match:` syntax)",
        )
        return
    if _get(data, "alerting", "smtp", "auth_password_file") is not None and lacks("smtp_auth_password_file"):
        yield finding(
            "smtp_auth_password_file",
            ("alerting", "smtp", "auth_password_file"),
            "`smtp.auth_password_file`",
            "raise the version (an inline password is not an option)",
        )
    for i, r in _entries(data, "receivers"):
        name = r.get("name")
        if isinstance(r.get("pagerduty"), dict) and lacks("pagerduty_routing_key_file"):
            yield finding(
                "pagerduty_routing_key_file",
                ("alerting", "receivers", i, "pagerduty", "routing_key_file"),
                f'receiver "{name}": PagerDuty `routing_key_file`',
                "raise the version (an inline routing key is not an option)",
            )
        if _get(r, "webhook", "url_file") is not None and lacks("webhook_url_file"):
            yield finding(
                "webhook_url_file",
                ("alerting", "receivers", i, "webhook", "url_file"),
                f'receiver "{name}": webhook `url_file`',
                "use `url` (when the URL holds no secret) or raise the version",
            )
    for i, q in _entries(data, "quiet_hours"):
        # Without `location` times are UTC; silently shifting a local schedule would be wrong twice a year.
        if q.get("location", "UTC") != "UTC" and lacks("time_interval_location"):
            yield finding(
                "time_interval_location",
                ("alerting", "quiet_hours", i, "location"),
                f'quiet hours "{q.get("name")}": a `location` other than UTC',
                "give the times in UTC or raise the version",
            )


def _get(data: Any, *path: str) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, Mapping) else None
    return data


def _entries(data: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    items = _get(data, "alerting", key)
    return [(i, x) for i, x in enumerate(items) if isinstance(x, Mapping)] if isinstance(items, list) else []
