"""What each target version of Prometheus and Alertmanager accepts."""

from __future__ import annotations

# Feature -> first version that accepts it (Prometheus CHANGELOG; research/lint-anchors.md §2).
PROMETHEUS_FEATURES: dict[str, tuple[int, int]] = {
    "group_limit": (2, 31),
    "keep_firing_for": (2, 42),
    "query_offset": (2, 53),
    "group_labels": (3, 0),
}

# Alertmanager CHANGELOG; research/lint-anchors.md §4.
ALERTMANAGER_FEATURES: dict[str, tuple[int, int]] = {
    "matchers": (0, 22),
    "slack_api_url_file": (0, 22),
    "time_intervals": (0, 24),
    "active_time_intervals": (0, 24),
    "pagerduty_routing_key_file": (0, 25),
    "smtp_auth_password_file": (0, 25),
    "time_interval_location": (0, 25),
    "webhook_url_file": (0, 26),
}


def _version(text: str) -> tuple[int, int]:
    parts = text.split(".")
    return int(parts[0]), int(parts[1])


def prometheus_supports(version: str, feature: str) -> bool:
    return _version(version) >= PROMETHEUS_FEATURES[feature]


def alertmanager_supports(version: str, feature: str) -> bool:
    return _version(version) >= ALERTMANAGER_FEATURES[feature]
