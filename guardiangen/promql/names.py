"""Naming conventions for generated rules (Prometheus practices, monitoring-mixins style guide)."""

from __future__ import annotations

import re

from guardiangen.generated_labels import SEVERITIES as SEVERITIES  # their home; re-exported for the rule linters
from guardiangen.promql.text import PromQLError

RECORD_NAME_PATTERN = r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$"
"""``level:metric:operations``, e.g. ``specialist_type:specialist_requests:rate5m``."""

ALERT_NAME_PATTERN = r"^[A-Z][a-zA-Z0-9]*$"
"""CamelCase, starting with a capital."""

ALERT_NAME_MAX = 40


def check_record_name(name: str) -> str:
    """``name`` if it follows ``level:metric:operations``; :class:`PromQLError` otherwise."""
    if not re.fullmatch(RECORD_NAME_PATTERN, name):
        raise PromQLError(
            f'recording rule name "{name}" does not follow level:metric:operations '
            "(e.g. specialist_type:specialist_requests:rate5m)"
        )
    return name


def check_alert_name(name: str) -> str:
    """``name`` if it is CamelCase and at most :data:`ALERT_NAME_MAX` characters."""
    if not re.fullmatch(ALERT_NAME_PATTERN, name) or len(name) > ALERT_NAME_MAX:
        raise PromQLError(f'alert name "{name}" must be CamelCase and at most {ALERT_NAME_MAX} characters')
    return name
