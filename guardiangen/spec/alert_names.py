"""The alerts guardiangen generates for components, by name (without the spec's prefix).

Kept free of heavy imports: the spec checks read it on ``guardiangen validate``'s start-up path to
refuse an ``alert_overrides`` entry naming an alert that does not exist. The rules plan takes each
alert's static summary from here, and the README's alert table its threshold source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OwnerKind = Literal["specialist", "guardian", "gpu", "node", "postgres"]


@dataclass(frozen=True)
class AlertInfo:
    """One generated alert: who it is about, its static summary and where its threshold is set."""

    name: str  # CamelCase, without the spec's alert_name_prefix
    owner: OwnerKind
    summary: str  # static sentence: the `summary` annotation and the README's "meaning"
    threshold: str  # spec path of the threshold, or how the alert decides without one
    # An alert on an event that its expression sees for a limited time: the longest `for:` under
    # which one event still fires it (a longer `for_duration` override is refused).
    longest_for_minutes: int | None = None


_ALL = (
    AlertInfo(
        "SpecialistErrorRatioHigh",
        "specialist",
        "A specialist fails more of its requests than its error threshold allows.",
        "specialists[].thresholds.error_ratio_max_percent",
    ),
    AlertInfo(
        "SpecialistLatencyP95High",
        "specialist",
        "A specialist's 95th percentile request duration is above its threshold.",
        "specialists[].thresholds.latency_p95_max_seconds",
    ),
    AlertInfo(
        "SpecialistQualityLow",
        "specialist",
        "A specialist's mean response quality score is below its threshold.",
        "specialists[].thresholds.quality_mean_min",
    ),
    AlertInfo(
        "SpecialistTimeoutsHigh",
        "specialist",
        "Too many of a specialist's requests time out.",
        "specialists[].thresholds.timeout_ratio_max_percent",
    ),
    AlertInfo(
        "SpecialistThroughputDropped",
        "specialist",
        "A specialist serves far fewer requests than at the same time yesterday.",
        "specialists[].thresholds.throughput_drop_percent",
    ),
    AlertInfo(
        "SpecialistTokensPerSecondLow",
        "specialist",
        "A specialist processes fewer tokens per second than its threshold.",
        "specialists[].thresholds.tokens_per_second_min",
    ),
    AlertInfo(
        "GuardianEvaluationsMissing",
        "guardian",
        "A guardian evaluates none of a watched specialist's requests.",
        "none: fires while a specialist in guardians[].watches has traffic and no evaluations",
    ),
    AlertInfo(
        "GuardianEvaluationLatencyHigh",
        "guardian",
        "A guardian's 95th percentile evaluation time is above its threshold.",
        "guardians[].thresholds.evaluation_latency_p95_max_seconds",
    ),
    AlertInfo(
        "GuardianFalsePositiveRateHigh",
        "guardian",
        "A guardian reports a false-positive rate above its threshold.",
        "guardians[].thresholds.false_positive_rate_max",
    ),
    AlertInfo(
        "GuardianAccuracyLow",
        "guardian",
        "A guardian reports a prediction accuracy below its threshold.",
        "guardians[].thresholds.prediction_accuracy_min",
    ),
    AlertInfo(
        "GuardianCoverageLow",
        "guardian",
        "A guardian evaluates too small a share of its watched specialists' requests.",
        "guardians[].thresholds.evaluation_coverage_min_percent",
    ),
    AlertInfo(
        "GpuUtilizationHigh",
        "gpu",
        "A GPU stays busier than the utilization threshold.",
        "gpu_inventory.thresholds.utilization_high_percent",
    ),
    AlertInfo(
        "GpuMemoryUsedHigh",
        "gpu",
        "A GPU's memory is nearly full.",
        "gpu_inventory.thresholds.memory_used_high_percent",
    ),
    AlertInfo(
        "GpuTemperatureHigh",
        "gpu",
        "A GPU is close to the temperature at which its model throttles.",
        "gpu_inventory.models[].max_temperature_celsius minus gpu_inventory.thresholds.temperature_margin_celsius",
    ),
    AlertInfo(
        "GpuXidErrors",
        "gpu",
        "A GPU reported a new XID error.",
        "none: any new XID error in the last 10 minutes",
        # Seen for 10 minutes; both samples of a change must stay in the window (Prometheus 3's
        # left-open range) until `for:` has passed, with a minute of evaluation slack.
        longest_for_minutes=7,
    ),
    AlertInfo(
        "GpusMissing",
        "gpu",
        "Fewer GPUs report metrics than the inventory lists for a node.",
        "gpu_inventory.nodes[].gpu_count",
    ),
    AlertInfo(
        "NodeCpuUtilizationHigh",
        "node",
        "A node's CPUs stay busier than the CPU threshold.",
        "node_thresholds.cpu_utilization_max_percent",
    ),
    AlertInfo(
        "NodeMemoryUtilizationHigh",
        "node",
        "A node's memory use is above the memory threshold.",
        "node_thresholds.memory_utilization_max_percent",
    ),
    AlertInfo(
        "NodeDiskUtilizationHigh",
        "node",
        "A filesystem is fuller than the disk threshold.",
        "node_thresholds.disk_utilization_max_percent",
    ),
    AlertInfo(
        "PostgresConnectionsHigh",
        "postgres",
        "PostgreSQL uses most of its allowed connections.",
        "postgres.connection_utilization_max_percent",
    ),
    AlertInfo(
        "EngineKvCacheHigh",
        "specialist",
        "The serving engine's KV cache is nearly full: requests will queue or be preempted.",
        "specialists[].engine.thresholds.kv_cache_usage_max_percent",
    ),
    AlertInfo(
        "EngineRequestsWaitingHigh",
        "specialist",
        "More requests wait in the serving engine's queue than its threshold allows.",
        "specialists[].engine.thresholds.waiting_requests_max",
    ),
    AlertInfo(
        "EngineStalled",
        "specialist",
        "Requests wait in the serving engine while it runs none: the engine has stopped scheduling.",
        "always on (engines that report running and waiting requests)",
    ),
    AlertInfo(
        "EnginePreemptionsHigh",
        "specialist",
        "The serving engine preempts requests faster than its threshold allows (KV-cache pressure).",
        "specialists[].engine.thresholds.preemptions_per_second_max",
    ),
    AlertInfo(
        "EngineFirstTokenP95High",
        "specialist",
        "The serving engine's 95th percentile time to the first token is above its threshold.",
        "specialists[].engine.thresholds.time_to_first_token_p95_max_seconds",
    ),
    AlertInfo(
        "EngineInterTokenP95High",
        "specialist",
        "The serving engine's 95th percentile time between output tokens is above its threshold.",
        "specialists[].engine.thresholds.inter_token_latency_p95_max_seconds",
    ),
    AlertInfo(
        "EngineTargetDown",
        "specialist",
        "Prometheus cannot scrape the serving engine's metrics endpoint.",
        "always on (engines selected by `job`)",
    ),
    AlertInfo(
        "PostgresMeanQueryTimeHigh",
        "postgres",
        "PostgreSQL statements take longer on average than the query-time threshold.",
        "postgres.mean_query_time_max_seconds",
    ),
)

ALERTS: dict[str, AlertInfo] = {a.name: a for a in _ALL}
"""Every component alert by name (without prefix), in the order the README lists them."""

LONGEST_NAME = max(len(name) for name in ALERTS)
"""Characters of the longest generated alert name without the prefix (the SLO alerts' are shorter):
``defaults.alert_name_prefix`` may add ALERT_NAME_MAX minus this."""


def overridable(owner: OwnerKind) -> tuple[str, ...]:
    """Names an ``alert_overrides`` entry of that kind of owner may use."""
    return tuple(a.name for a in _ALL if a.owner == owner)


SPECIALIST_ALERTS = overridable("specialist")
GUARDIAN_ALERTS = overridable("guardian")
GPU_ALERTS = overridable("gpu")
NODE_ALERTS = overridable("node")
POSTGRES_ALERTS = overridable("postgres")
