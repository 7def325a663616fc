"""The public spec format (``cluster.yaml``, apiVersion guardiangen/v1) as pydantic models.

Field names are the user's interface: they read without the docs, every one carries a description
that lands in the JSON Schema, and renaming one is a breaking change.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from guardiangen.catalog.builtin import DCGM_EXPORTER_VERSION_PATTERN, dcgm_host_label
from guardiangen.catalog.model import MetricDefinition
from guardiangen.generated_labels import ALERT_NAME_MAX, ALERT_STATIC_LABELS, MEANINGS, STATIC_LABELS, Severity
from guardiangen.spec.alert_names import LONGEST_NAME
from guardiangen.spec.types import (
    Duration,
    DurationStr,
    EnvVarName,
    LabelName,
    LabelValue,
    Name,
    Number,
    ObjectivePercent,
    Percent,
    PositiveNumber,
    Ratio,
    SecretFile,
    Text,
)
from guardiangen.syntax import K8S_KEY_PATTERN, K8S_LABEL_VALUE_PATTERN, K8S_NAME_PATTERN, K8S_NAMESPACE_PATTERN

ALERT_PREFIX_MAX = ALERT_NAME_MAX - LONGEST_NAME
ALERT_PREFIX_PATTERN = rf"^[A-Z][A-Za-z0-9]{{0,{ALERT_PREFIX_MAX - 1}}}$"

API_VERSION = "guardiangen/v1"


def F(description: str, **kw: Any) -> Any:
    return Field(description=description, **kw)


class Model(BaseModel):
    # Validated from JSON text (see guardiangen.spec.parse_spec): strict there still accepts enum
    # values as strings, while "3" for a number or "yes" for a boolean stays an error.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)


# --------------------------------------------------------------------------------------- metadata


RESERVED_LABEL = "reserved_label"  # error type of a label name the generated rules or Prometheus own (GG212)


def _alert_label_free(name: str) -> str:
    """A name for ``metadata.alert_labels``: not Prometheus' own, not one the generated alerts set."""
    if name.startswith("__"):
        raise PydanticCustomError(
            RESERVED_LABEL,
            '"{name}" starts with "__", which Prometheus reserves for internal labels; choose another name',
            {"name": name},
        )
    if name == "alertname":
        raise PydanticCustomError(
            RESERVED_LABEL, '"alertname" is the name of each alert, which Prometheus sets itself; choose another name'
        )
    if name in ALERT_STATIC_LABELS:
        raise PydanticCustomError(
            RESERVED_LABEL,
            '"{name}" is a label the generated alerts set themselves ({meaning}), which would replace this value; '
            "routing and inhibition rely on it: choose another name",
            {"name": name, "meaning": MEANINGS[name]},
        )
    return name


AlertLabelName = Annotated[
    LabelName,
    AfterValidator(_alert_label_free),
    Field(
        json_schema_extra={
            "not": {"anyOf": [{"enum": sorted({"alertname", *ALERT_STATIC_LABELS})}, {"pattern": "^__"}]}
        }
    ),
]


class Metadata(Model):
    name: Annotated[Name, F("Cluster name; used in dashboard uids, file names and the default `cluster` label.")]
    environment: Annotated[Name, F("Environment, e.g. `production` or `staging`.")]
    alert_labels: Annotated[
        dict[AlertLabelName, LabelValue],
        F("Labels added to every generated alert, e.g. `{cluster: prod-eu-1}`; used for routing and inhibition."),
    ] = {}
    description: Annotated[Text, F("What this cluster serves.")] = ""


class GrafanaDatasource(Model):
    name: Annotated[Text, F("Datasource name shown in Grafana.")]
    uid: Annotated[str, F("Fixed datasource uid.", pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    url: Annotated[str, F("URL Grafana's backend uses to reach the server.", pattern=r"^https?://[^\s\"'\\]+$")]


class Defaults(Model):
    scrape_interval: Annotated[DurationStr, F("How often Prometheus scrapes the cluster's exporters.")] = Duration(
        "30s"
    )
    rule_evaluation_interval: Annotated[DurationStr, F("Evaluation interval of the generated rule groups.")] = Duration(
        "30s"
    )
    alert_name_prefix: Annotated[
        str,
        F(
            f"CamelCase prefix shared by every generated alert name, at most {ALERT_PREFIX_MAX} characters so that "
            f"every alert name stays within {ALERT_NAME_MAX}.",
            pattern=ALERT_PREFIX_PATTERN,
        ),
    ] = "LLMGuardian"
    runbook_url_pattern: Annotated[
        str,
        F(
            "Runbook link of each alert; `{alert}` is replaced by the alert name in lowercase.",
            pattern=r"^https?://[^\s\"'\\{}]*\{alert\}[^\s\"'\\{}]*$",
        ),
    ]
    dashboard_base_url: Annotated[
        str,
        F(
            "Base URL of Grafana, for dashboard links in alerts, e.g. `https://grafana.example.com`.",
            # no template or variable characters: the URL lands in Go templates and Grafana links
            pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-])?$",
        ),
    ]
    dashboard_folder: Annotated[Text, F("Grafana folder that holds the generated dashboards.")] = "LLM Guardian"
    prometheus_datasource: Annotated[GrafanaDatasource, F("The Prometheus datasource Grafana is provisioned with.")]
    alertmanager_datasource: Annotated[GrafanaDatasource, F("The Alertmanager datasource Grafana is provisioned with.")]
    prometheus_version: Annotated[
        str,
        F(
            "Target Prometheus version; decides which rule fields may be emitted.",
            pattern=r"^[23]\.\d+(\.\d+)?$",
        ),
    ] = "2.42.0"
    alertmanager_version: Annotated[
        str,
        F(
            "Target Alertmanager version; decides which config fields may be emitted.",
            pattern=r"^0\.\d+(\.\d+)?$",
        ),
    ] = "0.25.0"


# ------------------------------------------------------------------------------------------ SLOs


class NoDataPolicy(str, Enum):
    IGNORE = "ignore"
    ALERT = "alert"


class BurnAlerts(Model):
    page: Annotated[bool, F("Page tier: 1h/5m at 14.4x and 6h/30m at 6x the budget (scaled to the period).")] = True
    ticket: Annotated[bool, F("Ticket tier: 1d/2h at 3x and 3d/6h at 1x the budget (scaled to the period).")] = True


# The longest burn-rate window (the ticket tier's 3d/6h pair): a shorter period cannot hold it. The
# plan keeps the same bound as a guard (guardiangen.plan.slo.burnrate.MIN_PERIOD; a test keeps them equal).
MIN_SLO_PERIOD = Duration("3d")


class SloCommon(Model):
    objective_percent: Annotated[ObjectivePercent, F("Target share of good events, in percent, in (0, 100).")]
    period: Annotated[DurationStr, F(f"Rolling SLO period, at least {MIN_SLO_PERIOD}, e.g. 30d or 28d.")] = Duration(
        "30d"
    )
    burn_alerts: Annotated[BurnAlerts, F("Which multi-window multi-burn-rate alert tiers exist.")] = BurnAlerts()
    no_data: Annotated[
        NoDataPolicy,
        F("`alert` adds an alert when the SLI's traffic series are absent; `ignore` does not."),
    ] = NoDataPolicy.ALERT

    @field_validator("period")
    @classmethod
    def _holds_the_windows(cls, value: Duration) -> Duration:
        if value.ms < MIN_SLO_PERIOD.ms:
            raise ValueError(
                f"{value} is shorter than the ticket tier's longest burn-rate window ({MIN_SLO_PERIOD}); "
                f"an SLO period must be at least {MIN_SLO_PERIOD}"
            )
        return value


class AvailabilitySlo(SloCommon):
    """Share of requests that do not end in error."""


class LatencySlo(SloCommon):
    threshold_seconds: Annotated[
        PositiveNumber,
        F("Requests at or under this duration are good; must be a bucket boundary of the latency histogram."),
    ]


class QualitySlo(SloCommon):
    minimum_score: Annotated[
        Ratio,
        F("Responses scored at or above this (0-1) are good; must be a bucket boundary of the quality histogram."),
    ]


class CoverageSlo(SloCommon):
    """Share of the watched specialists' requests that this guardian evaluated."""


class SpecialistSlos(Model):
    availability: Annotated[AvailabilitySlo | None, F("Error-ratio SLO.")] = None
    latency: Annotated[LatencySlo | None, F('Latency SLO, e.g. "95% of requests under 10 s".')] = None
    quality: Annotated[QualitySlo | None, F("Quality SLO: share of responses scored at least `minimum_score`.")] = None


# ------------------------------------------------------------------------------------ specialists


class AlertOverride(Model):
    alert: Annotated[
        str,
        F(
            "Generated alert name without the prefix, e.g. `SpecialistTimeoutsHigh`.",
            pattern=r"^[A-Z][A-Za-z0-9]+$",
        ),
    ]
    enabled: Annotated[bool, F("Set false to not generate this alert for this specialist.")] = True
    severity: Annotated[Severity | None, F("Replace the alert's severity.")] = None
    for_duration: Annotated[DurationStr | None, F("Replace the alert's `for:` duration.")] = None


class SpecialistThresholds(Model):
    timeout_ratio_max_percent: Annotated[
        Percent, F("Alert when more than this percent of requests time out (timeout ceiling).")
    ] = Decimal("1")
    error_ratio_max_percent: Annotated[
        Percent,
        F("Alert when more than this percent of requests fail over 5 minutes, independent of the SLO."),
    ] = Decimal("5")
    latency_p95_max_seconds: Annotated[
        PositiveNumber | None, F("Alert when the 95th percentile request duration exceeds this.")
    ] = None
    quality_mean_min: Annotated[Ratio | None, F("Alert when the mean quality score (0-1) drops below this.")] = None
    throughput_drop_percent: Annotated[
        Percent | None,
        F("Alert when the request rate falls by more than this percent against the same time a day earlier."),
    ] = None
    tokens_per_second_min: Annotated[PositiveNumber | None, F("Alert when token throughput drops below this.")] = None


MAX_GPUS_PER_NODE = 64


class GpuPlacement(Model):
    nodes: Annotated[list[Name], F("GPU inventory nodes this specialist runs on.", min_length=1)]
    gpus_per_node: Annotated[int, F("GPUs the specialist uses on each of those nodes.", ge=1, le=MAX_GPUS_PER_NODE)] = 1


class EngineName(str, Enum):
    VLLM = "vllm"
    SGLANG = "sglang"
    TGI = "tgi"
    TRITON = "triton"
    TRITON_TRTLLM = "triton-trtllm"


class EngineThresholds(Model):
    kv_cache_usage_max_percent: Annotated[
        Percent | None,
        F(
            "Alert when the engine's KV cache stays fuller than this percent (vLLM, SGLang, Triton TensorRT-LLM "
            "0.18.0 and later); null: no alert."
        ),
    ] = Decimal("90")
    waiting_requests_max: Annotated[
        int | None,
        F("Alert when more requests than this wait in the engine's queue for 10 minutes; null: no alert.", ge=1),
    ] = None
    preemptions_per_second_max: Annotated[
        PositiveNumber | None,
        F("Alert when the engine preempts (or retracts) more requests per second than this; null: no alert."),
    ] = None
    time_to_first_token_p95_max_seconds: Annotated[
        PositiveNumber | None, F("Alert when the 95th percentile time to the first token exceeds this.")
    ] = None
    inter_token_latency_p95_max_seconds: Annotated[
        PositiveNumber | None, F("Alert when the 95th percentile time between output tokens exceeds this.")
    ] = None


class EngineSlos(Model):
    availability: Annotated[
        AvailabilitySlo | None,
        F("Share of finished requests the engine did not fail (its own success/failure counters)."),
    ] = None
    time_to_first_token: Annotated[
        LatencySlo | None, F("Share of requests whose first token came within `threshold_seconds`.")
    ] = None
    inter_token_latency: Annotated[
        LatencySlo | None, F("Share of output tokens that followed the previous one within `threshold_seconds`.")
    ] = None
    end_to_end_latency: Annotated[
        LatencySlo | None, F("Share of requests the engine finished within `threshold_seconds`.")
    ] = None
    queue_time: Annotated[
        LatencySlo | None, F("Share of requests that waited in the engine's queue at most `threshold_seconds`.")
    ] = None


class SpecialistEngine(Model):
    name: Annotated[
        EngineName,
        F(
            "The serving engine: `vllm`, `sglang`, `tgi` (Text Generation Inference), `triton` (Triton "
            "Inference Server) or `triton-trtllm` (Triton with the TensorRT-LLM backend; its version is the "
            "backend's release, e.g. `0.18.0`)."
        ),
    ]
    version: Annotated[
        str,
        F(
            "Engine version as released, e.g. `0.11.0`; its metric names, labels and buckets come from the newest "
            "release guardiangen has catalogued at or below it (`guardiangen metrics --engine` lists them).",
            pattern=r"^v?[0-9]+(\.[0-9]+){0,2}(\.post[0-9]+)?$",
        ),
    ]
    served_model_name: Annotated[
        LabelValue | None,
        F(
            "Value of the engine's model label on its series (vLLM and SGLang `model_name`, Triton `model`, for "
            "TensorRT-LLM the backend's model, usually `tensorrt_llm`); default: the specialist's `model`. TGI has "
            "no model label: leave it out and select by `job` or `namespace`."
        ),
    ] = None
    job: Annotated[
        LabelValue | None, F("Value of the `job` label of the engine's scrape target, if it selects it.")
    ] = None
    namespace: Annotated[
        LabelValue | None, F("Value of the `namespace` label of the engine's series (Kubernetes), if it selects it.")
    ] = None
    thresholds: Annotated[EngineThresholds, F("Thresholds of the engine alerts.")] = EngineThresholds()
    slos: Annotated[EngineSlos, F("Service level objectives on the engine's own metrics.")] = EngineSlos()


class Specialist(Model):
    name: Annotated[Name, F("Unique specialist name, e.g. `code`.")]
    description: Annotated[Text, F("What the specialist answers.")] = ""
    team: Annotated[Name, F("Owning team; routed on the `team` label.")]
    model: Annotated[Text, F("Served model, e.g. `codellama-34b-instruct`.")]
    metric_label_value: Annotated[
        LabelValue | None,
        F("Value of the `specialist_type` (and guardians' `specialist_id`) label in metrics; default: `name`."),
    ] = None
    gpu_placement: Annotated[GpuPlacement | None, F("Where the specialist's GPUs are.")] = None
    engine: Annotated[
        SpecialistEngine | None,
        F(
            "The inference engine serving the specialist, whose own metrics get alerts, SLOs and panels next to the "
            "reference instrumentation's; omit when the specialist has only the reference metrics."
        ),
    ] = None
    slos: Annotated[SpecialistSlos, F("Service level objectives.")] = SpecialistSlos()
    thresholds: Annotated[SpecialistThresholds, F("Thresholds of the plain (non-SLO) alerts.")] = SpecialistThresholds()
    alert_overrides: Annotated[list[AlertOverride], F("Per-alert changes for this specialist.")] = []

    @property
    def label_value(self) -> str:
        return self.metric_label_value or self.name


# -------------------------------------------------------------------------------------- guardians


class GuardianType(str, Enum):
    QUALITY = "quality"
    SAFETY = "safety"
    PERFORMANCE = "performance"
    FACTUALITY = "factuality"
    COMPLIANCE = "compliance"
    BIAS = "bias"


class GuardianThresholds(Model):
    evaluation_latency_p95_max_seconds: Annotated[
        PositiveNumber, F("Alert when the 95th percentile evaluation time exceeds this.")
    ] = Decimal("2")
    false_positive_rate_max: Annotated[Ratio, F("Alert when the reported false-positive rate (0-1) exceeds this.")] = (
        Decimal("0.1")
    )
    prediction_accuracy_min: Annotated[
        Ratio, F("Alert when the reported prediction accuracy (0-1) falls below this.")
    ] = Decimal("0.8")
    evaluation_coverage_min_percent: Annotated[
        Percent, F("Alert when fewer than this percent of the watched specialists' requests get evaluated.")
    ] = Decimal("90")


class GuardianSlos(Model):
    coverage: Annotated[CoverageSlo | None, F("Evaluation-coverage SLO.")] = None


class Guardian(Model):
    name: Annotated[Name, F("Unique guardian name.")]
    type: Annotated[GuardianType, F("What the guardian judges.")]
    description: Annotated[Text, F("What the guardian checks.")] = ""
    team: Annotated[Name, F("Owning team; routed on the `team` label.")]
    model: Annotated[Text, F("Evaluator model.")] = ""
    metric_label_value: Annotated[
        LabelValue | None, F("Value of the `guardian_type` label in metrics; default: `name`.")
    ] = None
    watches: Annotated[list[Name], F("Names of the specialists this guardian evaluates.", min_length=1)]
    thresholds: Annotated[GuardianThresholds, F("Thresholds of the guardian's alerts.")] = GuardianThresholds()
    slos: Annotated[GuardianSlos, F("Service level objectives.")] = GuardianSlos()
    alert_overrides: Annotated[list[AlertOverride], F("Per-alert changes for this guardian.")] = []

    @property
    def label_value(self) -> str:
        return self.metric_label_value or self.name


# ---------------------------------------------------------------------------------- GPU inventory


class GpuExporter(str, Enum):
    DCGM = "dcgm"
    NVIDIA_SMI = "nvidia_smi"


class GpuModel(Model):
    name: Annotated[Name, F("Short name nodes refer to, e.g. `a100-80gb`.")]
    product_name: Annotated[Text, F("The exporter's model label value, e.g. `NVIDIA A100-SXM4-80GB`.", min_length=1)]
    memory_gib: Annotated[int, F("Memory per GPU in GiB.", ge=1, le=4096)]
    max_temperature_celsius: Annotated[
        int,
        F("Temperature at which this model throttles; the temperature alert fires below it.", ge=40, le=120),
    ]


class GpuNode(Model):
    name: Annotated[Name, F("Node name used in the spec.")]
    hostname: Annotated[LabelValue | None, F("Value of the exporter's host label for this node; default: `name`.")] = (
        None
    )
    gpu_model: Annotated[Name, F("Name of an entry in `gpu_inventory.models`.")]
    gpu_count: Annotated[int, F("Number of GPUs in the node.", ge=1, le=MAX_GPUS_PER_NODE)]

    @property
    def host(self) -> str:
        return self.hostname or self.name


class GpuThresholds(Model):
    utilization_high_percent: Annotated[Percent, F("Alert when a GPU stays busier than this.")] = Decimal("95")
    memory_used_high_percent: Annotated[Percent, F("Alert when GPU memory use exceeds this.")] = Decimal("95")
    temperature_margin_celsius: Annotated[
        int, F("Alert this many degrees below the model's `max_temperature_celsius`.", ge=0, le=50)
    ] = 5


class GpuInventory(Model):
    exporter: Annotated[GpuExporter, F("GPU exporter: `dcgm` (NVIDIA DCGM exporter) or `nvidia_smi`.")] = (
        GpuExporter.DCGM
    )
    exporter_version: Annotated[
        str | None,
        F(
            "The GPU exporter's release, e.g. dcgm-exporter `4.5.3-4.8.2` (or just `4.8.2`): it decides "
            "the host label when `host_label` is not given (DCGM `Hostname` up to 4.8.2, `hostname` after).",
            pattern=DCGM_EXPORTER_VERSION_PATTERN,
            examples=["4.5.3-4.8.2"],
        ),
    ] = None
    host_label: Annotated[
        LabelName | None,
        F(
            "Label that carries the host name in the exporter's series; default: DCGM's for "
            "`exporter_version` (`Hostname` when no version is given)."
        ),
    ] = None
    models: Annotated[list[GpuModel], F("GPU models present in the cluster.", min_length=1)]
    nodes: Annotated[list[GpuNode], F("GPU nodes.", min_length=1)]
    thresholds: Annotated[GpuThresholds, F("GPU alert thresholds.")] = GpuThresholds()
    team: Annotated[Name | None, F("Team that owns the GPU fleet; GPU alerts carry it as `team` for routing.")] = None
    alert_overrides: Annotated[
        list[AlertOverride], F("Per-alert changes for the GPU alerts (e.g. `GpuTemperatureHigh`).")
    ] = []

    @property
    def host_label_used(self) -> str:
        """The host label the GPU series carry: ``host_label``, or DCGM's for ``exporter_version``."""
        return dcgm_host_label(self.host_label, self.exporter_version)

    @field_validator("host_label")
    @classmethod
    def _host_label_free(cls, label: str | None) -> str | None:
        # The GPU rules keep the host label next to their own labels: one of those would be overwritten.
        if label is None:
            return None
        if label.startswith("__") or label == "alertname" or label in STATIC_LABELS:
            raise PydanticCustomError(
                RESERVED_LABEL,
                '"{label}" is a label Prometheus or the generated rules set themselves; the GPU series cannot '
                "carry the host name under it: give the exporter's host label (DCGM: Hostname)",
                {"label": label},
            )
        return label


# ------------------------------------------------------------------------------ infrastructure


class NodeThresholds(Model):
    cpu_utilization_max_percent: Annotated[Percent, F("Alert when a node's CPU stays busier than this.")] = Decimal(
        "90"
    )
    memory_utilization_max_percent: Annotated[Percent, F("Alert when a node's memory use exceeds this.")] = Decimal(
        "90"
    )
    disk_utilization_max_percent: Annotated[Percent, F("Alert when a filesystem is fuller than this.")] = Decimal("85")
    team: Annotated[Name | None, F("Team that owns the nodes; node alerts carry it as `team` for routing.")] = None
    alert_overrides: Annotated[
        list[AlertOverride], F("Per-alert changes for the node alerts (e.g. `NodeDiskUtilizationHigh`).")
    ] = []


class Postgres(Model):
    connection_utilization_max_percent: Annotated[
        Percent, F("Alert when connections exceed this share of max_connections.")
    ] = Decimal("80")
    mean_query_time_max_seconds: Annotated[
        PositiveNumber,
        Field(le=3600),
        F("Alert when the mean statement time exceeds this (needs postgres_exporter's stat_statements collector)."),
    ] = Decimal("0.5")
    team: Annotated[Name, F("Team that owns the database.")]
    alert_overrides: Annotated[
        list[AlertOverride], F("Per-alert changes for the PostgreSQL alerts (e.g. `PostgresConnectionsHigh`).")
    ] = []


# ----------------------------------------------------------------------------------- alerting


class SlackReceiver(Model):
    api_url_file: Annotated[SecretFile, F("File holding the Slack webhook URL.")]
    channel: Annotated[str, F("Channel, e.g. `#llm-guardian-alerts`.", pattern=r"^[#@][a-z0-9._-]{1,80}$")]
    send_resolved: Annotated[bool, F("Also notify when the alert resolves.")] = True


class PagerDutyReceiver(Model):
    routing_key_file: Annotated[SecretFile, F("File holding the PagerDuty Events API v2 routing key.")]
    send_resolved: Annotated[bool, F("Also notify when the alert resolves.")] = True


class EmailReceiver(Model):
    to: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$")]],
        F("Recipient addresses.", min_length=1),
    ]
    send_resolved: Annotated[bool, F("Also notify when the alert resolves.")] = False


class WebhookReceiver(Model):
    url: Annotated[
        str | None,
        F(
            "Endpoint URL without credentials (use `url_file` when the URL itself is secret).",
            pattern=r"^https?://[^\s@\"'\\]+$",
        ),
    ] = None
    url_file: Annotated[SecretFile | None, F("File holding the endpoint URL.")] = None
    bearer_token_file: Annotated[SecretFile | None, F("File holding a bearer token sent with each request.")] = None
    send_resolved: Annotated[bool, F("Also notify when the alert resolves.")] = True

    @model_validator(mode="after")
    def _one_url(self) -> WebhookReceiver:
        if (self.url is None) == (self.url_file is None):
            raise ValueError("give exactly one of `url` and `url_file`")
        return self


class Receiver(Model):
    name: Annotated[Name, F("Receiver name that routes refer to.")]
    slack: Annotated[SlackReceiver | None, F("Send to a Slack channel.")] = None
    pagerduty: Annotated[PagerDutyReceiver | None, F("Page through PagerDuty.")] = None
    email: Annotated[EmailReceiver | None, F("Send e-mail (needs `alerting.smtp`).")] = None
    webhook: Annotated[WebhookReceiver | None, F("POST to an HTTP endpoint.")] = None

    @model_validator(mode="after")
    def _at_least_one(self) -> Receiver:
        if not (self.slack or self.pagerduty or self.email or self.webhook):
            raise ValueError("a receiver needs at least one of slack, pagerduty, email, webhook")
        return self


class Smtp(Model):
    smarthost: Annotated[str, F("SMTP server as host:port.", pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")]
    sender: Annotated[str, F("From address.", pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$")]
    auth_username: Annotated[str | None, F("SMTP user.", pattern=r"^[^\s\"'\\]+$")] = None
    auth_password_file: Annotated[SecretFile | None, F("File holding the SMTP password.")] = None
    require_tls: Annotated[bool, F("Require STARTTLS.")] = True


class Route(Model):
    match_labels: Annotated[
        dict[LabelName, LabelValue],
        F("Alerts carrying all of these labels take this route, e.g. `{severity: critical}`.", min_length=1),
    ]
    receivers: Annotated[list[Name], F("Receivers that get these alerts.", min_length=1)]
    continue_matching: Annotated[bool, F("Keep evaluating later routes after this one matched (`continue`).")] = False
    mute_during: Annotated[list[Name], F("Names of `quiet_hours` entries when this route stays silent.")] = []
    group_by: Annotated[list[LabelName] | None, F("Override the default grouping labels.")] = None
    repeat_interval: Annotated[DurationStr | None, F("Override how often a firing alert is re-sent.")] = None


class TimeRange(Model):
    start: Annotated[str, F("Start, HH:MM (24h).", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    end: Annotated[
        str,
        F(
            "End, HH:MM (24h), after start; 24:00 means midnight.",
            pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
        ),
    ]


@functools.cache
def _time_zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


class QuietHours(Model):
    name: Annotated[Name, F("Name routes refer to in `mute_during`.")]
    weekdays: Annotated[
        list[
            Annotated[
                str,
                Field(
                    pattern=r"^(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
                    r"(:(monday|tuesday|wednesday|thursday|friday|saturday|sunday))?$"
                ),
            ]
        ],
        F("Weekdays or ranges, e.g. `saturday:sunday`."),
    ] = []
    times: Annotated[list[TimeRange], F("Times of day.")] = []
    location: Annotated[
        str,
        F(
            "IANA time zone of `times`, e.g. `Europe/Berlin`.",
            pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$",
            max_length=64,
        ),
    ] = "UTC"

    @field_validator("location")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # Alertmanager refuses a zone it cannot load; the tzdata package makes the set the same everywhere.
        if value != "UTC" and value not in _time_zones():
            raise ValueError(f'unknown time zone "{value}"; use an IANA name such as Europe/Berlin')
        return value

    @model_validator(mode="after")
    def _something(self) -> QuietHours:
        if not self.weekdays and not self.times:
            raise ValueError("quiet hours need `weekdays` or `times`")
        for t in self.times:
            if t.end != "24:00" and t.end <= t.start:
                raise ValueError(f"time range {t.start}-{t.end} ends before it starts; split it at midnight")
        return self


class Inhibition(Model):
    critical_suppresses_warning: Annotated[
        bool, F("A firing critical alert silences the warning of the same alert and specialist.")
    ] = True
    faster_burn_suppresses_slower: Annotated[
        bool, F("A firing page-tier SLO burn alert silences the ticket tier of the same SLO.")
    ] = True


class Alerting(Model):
    resolve_timeout: Annotated[DurationStr, F("Alertmanager's resolve_timeout.")] = Duration("5m")
    group_by: Annotated[list[LabelName], F("Labels alerts are grouped by into notifications.")] = [
        "alertname",
        "cluster",
        "specialist",
    ]
    group_wait: Annotated[DurationStr, F("Wait before the first notification of a group.")] = Duration("30s")
    group_interval: Annotated[DurationStr, F("Wait before notifying about new alerts in a group.")] = Duration("5m")
    repeat_interval: Annotated[DurationStr, F("Wait before re-sending a still-firing alert.")] = Duration("4h")
    smtp: Annotated[Smtp | None, F("Mail server; required when an email receiver exists.")] = None
    receivers: Annotated[list[Receiver], F("Notification receivers.", min_length=1)]
    default_receiver: Annotated[Name, F("Receiver of alerts no route matches.")]
    routes: Annotated[list[Route], F("Routes, evaluated in order.")] = []
    quiet_hours: Annotated[list[QuietHours], F("Named time intervals routes can mute during.")] = []
    inhibition: Annotated[Inhibition, F("Inhibition policy.")] = Inhibition()


# ----------------------------------------------------------------------------------- logging

SIZE_PATTERN = r"^[1-9][0-9]*[kmg]?$"
Size = Annotated[str, Field(pattern=SIZE_PATTERN, description="Size in Fluentd notation: bytes or with k/m/g.")]
PathStr = Annotated[str, Field(pattern=r"^/[A-Za-z0-9._/*-]+$", max_length=1024)]
# Directories take no glob characters: Fluentd's file buffer reads a path containing `*` as a file pattern.
DirStr = Annotated[str, Field(pattern=r"^/[A-Za-z0-9._/-]+$", max_length=1024)]


class ElasticsearchTarget(Model):
    hosts: Annotated[
        list[Annotated[str, Field(pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")]],
        F("Elasticsearch URLs, e.g. `https://es.logging.svc:9200`.", min_length=1),
    ]
    major_version: Annotated[Literal[7, 8], F("Elasticsearch major version.")] = 8
    user: Annotated[str | None, F("User name.", pattern=r"^[A-Za-z0-9._-]+$")] = None
    password_env: Annotated[EnvVarName | None, F("Environment variable holding the password.")] = None
    api_key_env: Annotated[EnvVarName | None, F("Environment variable holding an API key.")] = None
    ca_file: Annotated[PathStr | None, F("CA bundle to verify the server's certificate.")] = None
    verify_tls: Annotated[bool, F("Verify the server's TLS certificate.")] = True

    @model_validator(mode="after")
    def _credentials(self) -> ElasticsearchTarget:
        if (self.user is None) != (self.password_env is None):
            raise ValueError("`user` and `password_env` go together")
        if self.api_key_env and self.password_env:
            raise ValueError("use either `api_key_env` or `user`/`password_env`, not both")
        return self


class LogSource(Model):
    name: Annotated[Name, F("Source name.")]
    path: Annotated[PathStr, F("Glob of container log files to tail.")]
    format: Annotated[
        Literal["cri", "json"], F("Container runtime log format: `cri` (containerd) or `json` (Docker).")
    ] = "cri"


class LogComponent(Model):
    name: Annotated[Name, F("Component name; also names the destination stream.")]
    component_values: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]],
        F("Values of the `component` field in the structured logs that belong here.", min_length=1),
    ]


class BufferPolicy(Model):
    path: Annotated[DirStr, F("Directory of the file buffers.")] = "/var/log/fluentd/buffers"
    chunk_limit_size: Annotated[Size, F("Largest chunk sent in one bulk request.")] = "8m"
    total_limit_size: Annotated[Size, F("Disk the buffer of one output may use.")] = "2g"
    overflow_action: Annotated[
        Literal["block", "drop_oldest_chunk", "throw_exception"],
        F("What happens when the buffer is full."),
    ] = "drop_oldest_chunk"
    flush_interval: Annotated[DurationStr, F("How often chunks are flushed.")] = Duration("5s")
    retry_max_interval: Annotated[DurationStr, F("Cap of the exponential retry backoff.")] = Duration("30s")
    retry_timeout: Annotated[
        DurationStr, F("Give up on a chunk after retrying this long; it then goes to the secondary file.")
    ] = Duration("1h")
    secondary_path: Annotated[DirStr, F("Directory where chunks that could not be delivered are kept.")] = (
        "/var/log/fluentd/failed"
    )


class Logging(Model):
    elasticsearch: Annotated[ElasticsearchTarget, F("Where logs go.")]
    sources: Annotated[list[LogSource], F("Log files to tail.", min_length=1)]
    components: Annotated[list[LogComponent], F("Routing of log records by their `component` field.", min_length=1)]
    data_stream_namespace: Annotated[
        str,
        F(
            "Namespace part of the data stream names `logs-<component>-<namespace>` (Elasticsearch allows at "
            "most 100 characters).",
            pattern=r"^[a-z0-9_]+$",
            max_length=100,
        ),
    ] = "default"
    buffer: Annotated[BufferPolicy, F("Buffering and retry policy of every output.")] = BufferPolicy()
    fluentd_metrics_port: Annotated[
        int | None,
        F("Expose Fluentd's own Prometheus metrics on this port; omit to disable.", ge=1024, le=65535),
    ] = 24231


# ------------------------------------------------------------------------------------- output

K8sKey = Annotated[str, Field(pattern=K8S_KEY_PATTERN, max_length=317)]
K8sLabelValue = Annotated[str, Field(pattern=K8S_LABEL_VALUE_PATTERN, max_length=63)]
# Labels the generated rules set themselves (guardiangen.generated_labels), plus Prometheus' own:
# stamping the cluster onto one of them would overwrite it.
RESERVED_CLUSTER_LABELS = tuple(sorted({*STATIC_LABELS, "alertname", "instance", "job", "le", "quantile"}))


class OutputProfile(str, Enum):
    PLAIN = "plain"
    KUBERNETES = "kubernetes"
    THANOS = "thanos"
    MIMIR = "mimir"


class KubernetesOutput(Model):
    namespace: Annotated[
        str,
        F(
            "Namespace of every generated object; the Prometheus, Alertmanager and Grafana sidecar must watch it.",
            pattern=K8S_NAMESPACE_PATTERN,
        ),
    ] = "monitoring"
    rule_labels: Annotated[
        dict[K8sKey, K8sLabelValue],
        F(
            "Labels on every PrometheusRule; they must match the Prometheus object's `ruleSelector` (a nil "
            "selector selects nothing). kube-prometheus-stack selects `release: <helm release name>`."
        ),
    ] = {"release": "kube-prometheus-stack"}
    dashboard_label: Annotated[
        dict[K8sKey, K8sLabelValue],
        F(
            "The one label the Grafana dashboard sidecar selects ConfigMaps by (`sidecar.dashboards.label` "
            "and `labelValue`).",
            min_length=1,
            max_length=1,
        ),
    ] = {"grafana_dashboard": "1"}
    folder_annotation: Annotated[
        str,
        F(
            "Annotation that tells the sidecar which folder (`defaults.dashboard_folder`) a dashboard goes to "
            "(`sidecar.dashboards.folderAnnotation`).",
            pattern=K8S_KEY_PATTERN,
            max_length=317,
        ),
    ] = "grafana_folder"
    alertmanager_secret_name: Annotated[
        str | None,
        F(
            "Name of the Secret holding the Alertmanager configuration; default `alertmanager-<metadata.name>` "
            "(the operator reads `alertmanager-<Alertmanager name>` unless `spec.configSecret` names another).",
            pattern=K8S_NAME_PATTERN,
            max_length=253,
        ),
    ] = None


class PartialResponseStrategy(str, Enum):
    ABORT = "abort"
    WARN = "warn"


class ThanosOutput(Model):
    partial_response_strategy: Annotated[
        PartialResponseStrategy,
        F("What a rule group does when some store does not answer: `abort` the evaluation or `warn` and go on."),
    ] = PartialResponseStrategy.ABORT


class MimirOutput(Model):
    namespace: Annotated[
        str | None,
        F(
            "Mimir ruler namespace that holds every generated rule group; default: `metadata.name`.",
            pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$",
        ),
    ] = None


class Output(Model):
    profile: Annotated[
        OutputProfile,
        F(
            "Extra deployment files under `out/<profile>/`, built from the plain files (which are always "
            "written): `plain` adds none; `kubernetes` (PrometheusRule, dashboard ConfigMaps, Alertmanager "
            "Secret), `thanos` (rule files for Thanos ruler), `mimir` (a `mimirtool rules load` file)."
        ),
    ] = OutputProfile.PLAIN
    cluster_label: Annotated[
        LabelName | None,
        F(
            "When set, every recording and alerting rule gets this label with `metadata.name` as its value, so "
            "several clusters can share one Thanos or Mimir. Applies to every profile.",
            json_schema_extra={
                "not": {"anyOf": [{"enum": list(RESERVED_CLUSTER_LABELS)}, {"type": "string", "pattern": "^__"}]}
            },
        ),
    ] = None
    kubernetes: Annotated[KubernetesOutput, F("Settings of the `kubernetes` profile.")] = KubernetesOutput()
    thanos: Annotated[ThanosOutput, F("Settings of the `thanos` profile.")] = ThanosOutput()
    mimir: Annotated[MimirOutput, F("Settings of the `mimir` profile.")] = MimirOutput()

    @field_validator("cluster_label")
    @classmethod
    def _cluster_label_free(cls, label: str | None) -> str | None:
        if label is not None and label.startswith("__"):
            raise PydanticCustomError(
                RESERVED_LABEL,
                '"{label}" starts with "__", which Prometheus reserves for internal labels; choose another, '
                "e.g. `cluster`",
                {"label": label},
            )
        if label is not None and label in RESERVED_CLUSTER_LABELS:
            raise PydanticCustomError(
                RESERVED_LABEL,
                '"{label}" is a label the generated rules already use; stamping it would overwrite it: choose '
                "another, e.g. `cluster`",
                {"label": label},
            )
        return label


# ------------------------------------------------------------------------- user-declared metrics
#
# SLOs and threshold alerts on any metric of the catalog: the built-in exporters' or one declared
# under `metrics:`. The spec checks (guardiangen.spec.metric_checks) hold each entry to the
# catalog: the metric exists, has the type its use needs, and has the labels it is matched and
# grouped by.

MetricName = Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$", max_length=200)]


class MetricSelector(Model):
    metric: Annotated[
        MetricName,
        F(
            "Catalog metric to count: a counter, or a histogram (its `_count`, the number of observations); "
            "a histogram is named by its base name, without `_count`."
        ),
    ]
    matchers: Annotated[
        dict[LabelName, LabelValue],
        F("Only series whose labels have these values, e.g. `{status: error}`; labels of that metric."),
    ] = {}


class EventsSli(Model):
    bad: Annotated[MetricSelector, F("The events that count against the objective, e.g. failed requests.")]
    total: Annotated[MetricSelector, F("All events, good and bad, e.g. every request; must include the `bad` events.")]


class LatencySli(Model):
    metric: Annotated[MetricName, F("Catalog histogram of the durations (or any observed values).")]
    matchers: Annotated[
        dict[LabelName, LabelValue],
        F("Only series whose labels have these values, e.g. `{route: checkout}`; labels of that histogram."),
    ] = {}
    threshold: Annotated[
        PositiveNumber,
        F(
            "Observations at or under this value are good; in the histogram's own unit (its `le` values, "
            "e.g. seconds or milliseconds), and one of its bucket boundaries."
        ),
    ]


class MetricSlo(SloCommon):
    name: Annotated[
        Name, F("Unique SLO name; the `slo` label of its recorded series and alerts, e.g. `checkout-availability`.")
    ]
    team: Annotated[Name, F("Owning team; the SLO's alerts carry it as `team` for routing.")]
    description: Annotated[Text, F("What the SLO promises, for the dashboards and the README.")] = ""
    events: Annotated[
        EventsSli | None, F("Share of events that are not bad: a bad-events and an all-events selector.")
    ] = None
    latency: Annotated[LatencySli | None, F("Share of a histogram's observations at or under a bucket boundary.")] = (
        None
    )

    @model_validator(mode="after")
    def _one_sli(self) -> MetricSlo:
        if (self.events is None) == (self.latency is None):
            raise ValueError("give exactly one of `events` and `latency`")
        return self


class Aggregation(str, Enum):
    SUM = "sum"
    AVG = "avg"
    MAX = "max"
    MIN = "min"


class Comparison(str, Enum):
    ABOVE = ">"
    AT_LEAST = ">="
    BELOW = "<"
    AT_MOST = "<="


class MetricAlert(Model):
    name: Annotated[
        Name,
        F(
            "Unique alert name in lowercase words, e.g. `queue-depth-high`; the alert is called "
            "`<alert_name_prefix>QueueDepthHigh`."
        ),
    ]
    team: Annotated[Name, F("Owning team; the alert carries it as `team` for routing.")]
    description: Annotated[
        Text | None,
        F(
            "What the alert means: its `summary` annotation; leave it out for a sentence made from the condition.",
            min_length=1,
        ),
    ] = None
    metric: Annotated[
        MetricName,
        F(
            "Catalog metric to watch: a counter (judged by its per-second rate) or a gauge (by its value). A "
            "counter that counts a subset of another (`subset_of`) is better watched as a ratio: use an SLO."
        ),
    ]
    matchers: Annotated[
        dict[LabelName, LabelValue],
        F("Only series whose labels have these values, e.g. `{queue: checkout}`; labels of that metric."),
    ] = {}
    aggregation: Annotated[
        Aggregation, F("How the matching series are combined: `sum`, `avg`, `max` or `min` (per `by` group).")
    ] = Aggregation.SUM
    by: Annotated[
        list[LabelName],
        F("Labels of the metric to keep: one alert per value (e.g. per queue); none: one alert in all."),
    ] = []
    comparison: Annotated[Comparison, F("Fire while the aggregated value is `>`, `>=`, `<` or `<=` the `threshold`.")]
    threshold: Annotated[
        Number,
        F("The limit, in the metric's unit (per second for a counter; 0-1 for a ratio, 0-100 for a percent)."),
    ]
    for_duration: Annotated[DurationStr, F("How long the condition must hold before the alert fires (`for:`).")] = (
        Duration("5m")
    )
    severity: Annotated[Severity, F("The alert's `severity` label.")] = Severity.WARNING


# --------------------------------------------------------------------------------------- root


class ClusterSpec(Model):
    api_version: Annotated[Literal["guardiangen/v1"], F("Spec format version.", alias="apiVersion")]
    kind: Annotated[Literal["Cluster"], F("Always `Cluster`.")]
    metadata: Annotated[Metadata, F("Cluster identity.")]
    defaults: Annotated[Defaults, F("Settings shared by every output.")]
    specialists: Annotated[list[Specialist], F("Specialist LLM services.", min_length=1)]
    guardians: Annotated[list[Guardian], F("Guardian models evaluating the specialists.")] = []
    gpu_inventory: Annotated[GpuInventory, F("GPU models and nodes.")]
    node_thresholds: Annotated[NodeThresholds, F("Node resource alert thresholds.")] = NodeThresholds()
    postgres: Annotated[Postgres | None, F("Monitor the orchestrator's PostgreSQL; omit when not used.")] = None
    alerting: Annotated[Alerting, F("Alertmanager receivers, routes, inhibition and quiet hours.")]
    logging: Annotated[Logging | None, F("Log shipping with Fluentd; omit to generate none.")] = None
    metrics: Annotated[list[MetricDefinition], F("Extra metrics, in the same typed form as the built-in catalog.")] = []
    metric_slos: Annotated[
        list[MetricSlo], F("SLOs on any catalog metric, the built-in ones' or those declared under `metrics`.")
    ] = []
    metric_alerts: Annotated[
        list[MetricAlert], F("Threshold alerts on any catalog metric (counter rate or gauge value).")
    ] = []
    output: Annotated[
        Output, F("Deployment profile (Kubernetes, Thanos, Mimir envelopes) and the multi-cluster label.")
    ] = Output()

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True, populate_by_name=True)
