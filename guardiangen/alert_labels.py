"""The labels guardiangen sets on every alert it generates, and the values it gives them.

Routing, inhibition and the routing table rely on these names; the rule builders set them
(``guardiangen.plan.model`` re-exports them), and the spec checks read them to refuse an
``alert_labels`` entry that would collide with one and a route that can never match.

A leaf without imports of guardiangen, so that every layer may read it: the spec checks run on
``guardiangen validate``'s start-up path, where importing anything under ``guardiangen.promql``
(the other rule naming conventions, :mod:`guardiangen.promql.names`) would load every PromQL
builder first.
"""

from __future__ import annotations

from enum import Enum

LABEL_SEVERITY = "severity"  # one of SEVERITIES
LABEL_TEAM = "team"  # owning team from the spec
LABEL_COMPONENT = "component"  # one of COMPONENTS
LABEL_SPECIALIST = "specialist"  # spec name of the specialist, when the alert is about one
LABEL_GUARDIAN = "guardian"  # spec name of the guardian, when the alert is about one
LABEL_SLO = "slo"  # slo_id(owner, kind), on SLO alerts
LABEL_BURN_TIER = "burn_tier"  # one of BURN_TIERS, on burn-rate alerts

IDENTITY_LABELS = (
    LABEL_SEVERITY,
    LABEL_TEAM,
    LABEL_COMPONENT,
    LABEL_SPECIALIST,
    LABEL_GUARDIAN,
    LABEL_SLO,
    LABEL_BURN_TIER,
)
"""Every label above. They win over ``metadata.alert_labels`` (routing on `team` must see the
owner's team), so the spec may not set them there."""


# Values of the ``severity`` label; the spec's ``alert_overrides[].severity`` takes them. (No
# docstring: pydantic would put it into the JSON Schema of the spec.)
class Severity(str, Enum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
COMPONENTS = ("specialist", "guardian", "gpu", "node", "postgres")
"""Values of the ``component`` label: what the alert is about."""
BURN_TIERS = ("page", "ticket")
"""Values of the ``burn_tier`` label: the multi-window multi-burn-rate alert tiers."""


def slo_id(owner: str, kind: str) -> str:
    """The ``slo`` label value of an SLO: its owner's spec name and its kind, e.g. ``code-latency``."""
    return f"{owner}-{kind}"
