"""The labels guardiangen's generated rules set themselves, and the values it gives them.

Routing, inhibition and the routing table rely on the alerts' labels; the rule builders set them
(``guardiangen.plan.model`` re-exports the alerts' label names); the spec checks read them to
refuse an ``alert_labels`` entry or a ``cluster_label`` that would collide with one, and a route
that can never match. Besides these, a generated rule only carries labels of the metric catalog
(the instrumentation's and exporters' labels), ``metadata.alert_labels`` and the cluster label: a
test holds every plan to that.

A leaf without imports of guardiangen, so that every layer may read it: the spec checks run on
``guardiangen validate``'s start-up path, where importing anything under ``guardiangen.promql``
(the other rule naming conventions, :mod:`guardiangen.promql.names`) would load every PromQL
builder first.
"""

from __future__ import annotations

from enum import Enum

ALERT_NAME_MAX = 40
"""The longest alert name guardiangen writes (and `guardiangen lint` accepts): prefix included."""

# ---- on every generated alert that has an owner of that kind (and on some recorded series)

LABEL_SEVERITY = "severity"  # one of SEVERITIES
LABEL_TEAM = "team"  # owning team from the spec
LABEL_COMPONENT = "component"  # one of COMPONENTS
LABEL_SPECIALIST = "specialist"  # spec name of the specialist, when the alert is about one
LABEL_GUARDIAN = "guardian"  # spec name of the guardian, when the alert is about one
LABEL_SLO = "slo"  # slo_id(owner, kind), on SLO alerts and recorded SLO series
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
"""The labels that say what an alert is about and where it goes. They win over
``metadata.alert_labels`` (routing on `team` must see the owner's team)."""

MEANINGS = {
    LABEL_SEVERITY: "the alert's severity",
    LABEL_TEAM: "the team owning what the alert is about",
    LABEL_COMPONENT: "what kind of thing the alert is about",
    LABEL_SPECIALIST: "the specialist the alert is about",
    LABEL_GUARDIAN: "the guardian the alert is about",
    LABEL_SLO: "the SLO an SLO alert is about",
    LABEL_BURN_TIER: "the burn-rate tier of an SLO alert",
}
"""What each identity label says, for messages."""


# Values of the ``severity`` label; the spec's ``alert_overrides[].severity`` takes them. (No
# docstring: pydantic would put it into the JSON Schema of the spec.)
class Severity(str, Enum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
COMPONENTS = ("specialist", "guardian", "gpu", "node", "postgres", "engine", "metric")
"""Values of the ``component`` label: what the alert is about (``engine``: a specialist's serving
engine; ``metric``: a ``metric_slos`` or ``metric_alerts`` entry on a user-chosen metric)."""
BURN_TIERS = ("page", "ticket")
"""Values of the ``burn_tier`` label: the multi-window multi-burn-rate alert tiers."""


ENGINE_SLO_FIELDS = ("availability", "time_to_first_token", "inter_token_latency", "end_to_end_latency", "queue_time")
"""The fields of ``specialists[].engine.slos``."""


def engine_slo_kind(field: str) -> str:
    """The SLO kind of an ``engine.slos`` field, e.g. ``engine-time-to-first-token``."""
    return "engine-" + field.replace("_", "-")


def slo_id(owner: str, kind: str) -> str:
    """The ``slo`` label value of an SLO: its owner's spec name and its kind, e.g. ``code-latency``."""
    return f"{owner}-{kind}"


# ---- other labels with fixed values on generated rules

LABEL_GPU_MODEL = "gpu_model"  # spec name of the GPU model, on per-model GPU series and alerts
LABEL_WINDOW = "window"  # the range of a recorded SLO burn rate, e.g. 1h
# The SLO info series (slo:guardiangen:slo_info) carries the SLO's metadata, for dashboards.
SLO_INFO_LABELS = ("slo_kind", "objective", "error_budget", "period", "burn_alerts", "no_data")
LABEL_SLO_KIND, LABEL_OBJECTIVE, LABEL_ERROR_BUDGET, LABEL_PERIOD, LABEL_BURN_ALERTS, LABEL_NO_DATA = SLO_INFO_LABELS

STATIC_LABELS = (*IDENTITY_LABELS, LABEL_GPU_MODEL, LABEL_WINDOW, *SLO_INFO_LABELS)
"""Every label name a generated rule sets with a fixed value, other than catalog labels."""
ALERT_STATIC_LABELS = (*IDENTITY_LABELS, LABEL_GPU_MODEL)
"""Those of them that generated alerts carry (the others are on recorded series only)."""
MEANINGS[LABEL_GPU_MODEL] = "the GPU model a GPU alert is about"
