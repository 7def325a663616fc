"""Built-in metric definitions: the reference instrumentation and the exporters guardiangen knows.

Names, types, labels and buckets are exactly what each exporter exposes (checked against the
reference design's instrumentation classes and the exporters' sources), because a rule that names
a series that does not exist can never fire. Each group is a function so a profile (GPU exporter,
host label, postgres on/off) is chosen when the catalog is built, not at import time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from guardiangen.catalog import labels as L
from guardiangen.catalog.model import MetricDefinition, MetricType, Scale, Unit

GpuExporter = Literal["dcgm", "nvidia_smi"]

C, G, H = MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM

_SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def _m(
    name: str,
    type_: MetricType,
    help_: str,
    labels: Sequence[str],
    exporter: str,
    *,
    unit: Unit = Unit.NONE,
    scale: Scale = Scale.ABSOLUTE,
    buckets: Sequence[float] = (),
    high: Sequence[str] = (),
    subset_of: str | None = None,
) -> MetricDefinition:
    return MetricDefinition(
        name=name,
        type=type_,
        help=help_,
        unit=unit,
        scale=scale,
        labels=tuple(labels),
        high_cardinality_labels=tuple(high),
        buckets=tuple(float(b) for b in buckets),
        exporter=exporter,
        subset_of=subset_of,
    )


def specialist_metrics() -> tuple[MetricDefinition, ...]:
    """SpecialistMetrics of the reference design (prometheus_client in each specialist)."""
    e = "specialist_metrics"
    return (
        _m("specialist_requests_total", C, "Total requests processed by specialist",
           (L.SPECIALIST_TYPE, L.STATUS, L.QUALITY_TIER), e, unit=Unit.REQUESTS),
        _m("specialist_request_duration_seconds", H, "Time spent processing requests",
           (L.SPECIALIST_TYPE, L.COMPLEXITY), e, unit=Unit.SECONDS,
           buckets=(0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)),
        _m("specialist_tokens_per_second", G, "Token processing rate", (L.SPECIALIST_TYPE,), e,
           unit=Unit.TOKENS_PER_SECOND),
        # Scores are 0-1 but not fractions of anything: never humanizePercentage, never `percent`.
        _m("specialist_quality_score", H, "Response quality scores", (L.SPECIALIST_TYPE,), e,
           unit=Unit.SCORE, buckets=_SCORE_BUCKETS),
        _m("specialist_confidence_score", H, "Response confidence scores", (L.SPECIALIST_TYPE,), e,
           unit=Unit.SCORE, buckets=_SCORE_BUCKETS),
        _m("specialist_gpu_utilization_percent", G, "GPU utilization percentage",
           (L.SPECIALIST_TYPE, L.GPU_ID), e, unit=Unit.PERCENT, scale=Scale.PERCENT),
        _m("specialist_memory_usage_bytes", G, "Memory usage in bytes",
           (L.SPECIALIST_TYPE, L.MEMORY_TYPE), e, unit=Unit.BYTES),
        _m("specialist_errors_total", C, "Total errors encountered",
           (L.SPECIALIST_TYPE, L.ERROR_TYPE, L.ERROR_SEVERITY), e, unit=Unit.EVENTS,
           subset_of="specialist_requests_total"),
        _m("specialist_timeouts_total", C, "Total request timeouts", (L.SPECIALIST_TYPE,), e,
           unit=Unit.EVENTS, subset_of="specialist_requests_total"),
    )  # fmt: skip


def guardian_metrics() -> tuple[MetricDefinition, ...]:
    """GuardianMetrics of the reference design."""
    e = "guardian_metrics"
    return (
        _m("guardian_evaluations_total", C, "Total evaluations performed",
           (L.GUARDIAN_TYPE, L.SPECIALIST_ID, L.EVALUATION_TYPE), e, unit=Unit.EVENTS),
        _m("guardian_evaluation_duration_seconds", H, "Time spent on evaluations",
           (L.GUARDIAN_TYPE, L.EVALUATION_TYPE), e, unit=Unit.SECONDS,
           buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0)),
        _m("guardian_issues_detected_total", C, "Issues detected by guardian",
           (L.GUARDIAN_TYPE, L.SPECIALIST_ID, L.ISSUE_TYPE, L.ERROR_SEVERITY), e, unit=Unit.EVENTS),
        _m("guardian_false_positive_rate", G, "False positive rate for issue detection",
           (L.GUARDIAN_TYPE, L.ISSUE_TYPE), e, unit=Unit.RATIO, scale=Scale.RATIO),
        _m("guardian_improvements_suggested_total", C, "Improvements suggested by guardian",
           (L.GUARDIAN_TYPE, L.IMPROVEMENT_TYPE, L.PRIORITY), e, unit=Unit.EVENTS),
        _m("guardian_improvements_implemented_total", C, "Improvements successfully implemented",
           (L.GUARDIAN_TYPE, L.IMPROVEMENT_TYPE), e, unit=Unit.EVENTS),
        _m("guardian_prediction_accuracy", G, "Accuracy of guardian predictions",
           (L.GUARDIAN_TYPE, L.PREDICTION_TYPE), e, unit=Unit.RATIO, scale=Scale.RATIO),
    )  # fmt: skip


def ai_workload_metrics() -> tuple[MetricDefinition, ...]:
    """AIWorkloadMetrics of the reference design."""
    e = "ai_workload_metrics"
    return (
        # batch_size and sequence_length are str(int) of every request: unbounded values.
        _m("model_inference_duration_seconds", H, "Time spent on model inference",
           (L.MODEL_NAME, L.BATCH_SIZE, L.SEQUENCE_LENGTH), e, unit=Unit.SECONDS,
           buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0),
           high=(L.BATCH_SIZE, L.SEQUENCE_LENGTH)),
        _m("context_length_tokens", H, "Distribution of context lengths", (L.SPECIALIST_TYPE,), e,
           unit=Unit.TOKENS, buckets=(100, 500, 1000, 2000, 4000, 8000, 16000, 32000)),
        _m("memory_efficiency_ratio", G, "Ratio of useful vs total memory usage",
           (L.COMPONENT, L.MEMORY_TYPE), e, unit=Unit.RATIO, scale=Scale.RATIO),
        _m("cache_hit_rate", G, "Cache hit rate for various components (0-1)",
           (L.CACHE_TYPE, L.SPECIALIST_TYPE), e, unit=Unit.RATIO, scale=Scale.RATIO),
        _m("batch_processing_efficiency", G, "Efficiency of batch processing (0-1)",
           (L.SPECIALIST_TYPE,), e, unit=Unit.RATIO, scale=Scale.RATIO),
    )  # fmt: skip


def prometheus_metrics() -> tuple[MetricDefinition, ...]:
    """Series Prometheus itself produces: `up` for every target, `ALERTS` for every active alert."""
    return (
        _m("up", G, "1 if the last scrape of the target succeeded, else 0", (), "prometheus"),
        # Synthesized by Prometheus for every pending or firing alert, labelled like the alert.
        _m("ALERTS", G, "1 for each pending or firing alert", ("alertname", "alertstate", "severity"), "prometheus"),
    )


def node_exporter_metrics() -> tuple[MetricDefinition, ...]:
    """The node_exporter series guardiangen's rules and dashboards use."""
    e = "node_exporter"
    fs = ("device", "fstype", "mountpoint")
    return (
        _m("node_cpu_seconds_total", C, "Seconds the CPUs spent in each mode", ("cpu", "mode"), e,
           unit=Unit.SECONDS),
        _m("node_memory_MemAvailable_bytes", G, "Memory available for new workloads", (), e,
           unit=Unit.BYTES),
        _m("node_memory_MemTotal_bytes", G, "Total usable memory", (), e, unit=Unit.BYTES),
        _m("node_filesystem_avail_bytes", G, "Filesystem space available to non-root users", fs, e,
           unit=Unit.BYTES),
        _m("node_filesystem_size_bytes", G, "Filesystem size", fs, e, unit=Unit.BYTES),
        _m("node_filesystem_free_bytes", G, "Filesystem free space", fs, e, unit=Unit.BYTES),
        _m("node_network_receive_bytes_total", C, "Bytes received per interface", ("device",), e,
           unit=Unit.BYTES),
        _m("node_network_transmit_bytes_total", C, "Bytes transmitted per interface", ("device",), e,
           unit=Unit.BYTES),
        _m("node_disk_io_time_seconds_total", C, "Seconds spent doing I/Os", ("device",), e,
           unit=Unit.SECONDS),
        _m("node_load1", G, "1m load average", (), e),
        _m("node_load5", G, "5m load average", (), e),
        _m("node_load15", G, "15m load average", (), e),
    )  # fmt: skip


DCGM_EXPORTER_VERSION_PATTERN = r"^([0-9]+\.[0-9]+\.[0-9]+-)?[0-9]+\.[0-9]+\.[0-9]+$"
"""dcgm-exporter releases are tagged ``<DCGM>-<exporter>`` (``4.5.3-4.8.2``); the exporter part decides."""
DCGM_HOST_LABEL_RENAMED_AFTER = (4, 8, 2)
"""The last release whose series carry ``Hostname``: NVIDIA/dcgm-exporter#655 (commit d5e5f51,
2026-05-12, internal/pkg/rendermetrics/render_metrics.go) renamed it ``hostname`` on main after the
tag 4.5.3-4.8.2 (2026-05-06); no tag up to that one contains the change."""


def dcgm_host_label(host_label: str | None, exporter_version: str | None) -> str:
    """The label naming the host on dcgm-exporter's series: ``host_label`` when given, else by the
    exporter's version (``Hostname`` up to 4.8.2, ``hostname`` after), else ``Hostname``."""
    if host_label is not None:
        return host_label
    if exporter_version is not None and re.fullmatch(DCGM_EXPORTER_VERSION_PATTERN, exporter_version):
        exporter = tuple(int(p) for p in exporter_version.rsplit("-", 1)[-1].split("."))
        if exporter > DCGM_HOST_LABEL_RENAMED_AFTER:
            return "hostname"
    return "Hostname"


def dcgm_metrics(host_label: str = "Hostname") -> tuple[MetricDefinition, ...]:
    """NVIDIA dcgm-exporter default counters; ``host_label`` is `Hostname` (`hostname` after 4.8.2)."""
    e = "dcgm_exporter"
    lb = ("gpu", "UUID", "device", "modelName", host_label, "pci_bus_id", "DCGM_FI_DRIVER_VERSION")
    return (
        _m("DCGM_FI_DEV_GPU_UTIL", G, "GPU utilization (in %)", lb, e,
           unit=Unit.PERCENT, scale=Scale.PERCENT),
        _m("DCGM_FI_DEV_MEM_COPY_UTIL", G, "Memory utilization (in %)", lb, e,
           unit=Unit.PERCENT, scale=Scale.PERCENT),
        _m("DCGM_FI_DEV_FB_USED", G, "Framebuffer memory used (in MiB)", lb, e, unit=Unit.MEBIBYTES),
        _m("DCGM_FI_DEV_FB_FREE", G, "Framebuffer memory free (in MiB)", lb, e, unit=Unit.MEBIBYTES),
        _m("DCGM_FI_DEV_GPU_TEMP", G, "GPU temperature (in C)", lb, e, unit=Unit.CELSIUS),
        _m("DCGM_FI_DEV_MEMORY_TEMP", G, "Memory temperature (in C)", lb, e, unit=Unit.CELSIUS),
        _m("DCGM_FI_DEV_POWER_USAGE", G, "Power draw (in W)", lb, e, unit=Unit.WATTS),
        _m("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", C, "Energy since boot (in mJ)", lb, e,
           unit=Unit.MILLIJOULES),
        _m("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", C, "PCIe replays", lb, e, unit=Unit.EVENTS),
        # A gauge holding the value of the last XID error: compare or changes(), never rate().
        _m("DCGM_FI_DEV_XID_ERRORS", G, "Value of the last XID error encountered", lb, e),
    )  # fmt: skip


def nvidia_smi_metrics() -> tuple[MetricDefinition, ...]:
    """utkuozdemir/nvidia_gpu_exporter: per-GPU series carry only `uuid`; the host is `instance`."""
    e = "nvidia_gpu_exporter"
    u = ("uuid",)
    info = ("uuid", "name", "driver_version", "pci_bus_id", "index", "vbios_version", "serial")
    return (
        _m("nvidia_smi_utilization_gpu_ratio", G, "utilization.gpu (0-1)", u, e,
           unit=Unit.RATIO, scale=Scale.RATIO),
        _m("nvidia_smi_utilization_memory_ratio", G, "utilization.memory (0-1)", u, e,
           unit=Unit.RATIO, scale=Scale.RATIO),
        _m("nvidia_smi_memory_used_bytes", G, "memory.used", u, e, unit=Unit.BYTES),
        _m("nvidia_smi_memory_free_bytes", G, "memory.free", u, e, unit=Unit.BYTES),
        _m("nvidia_smi_memory_total_bytes", G, "memory.total", u, e, unit=Unit.BYTES),
        _m("nvidia_smi_temperature_gpu", G, "temperature.gpu (C)", u, e, unit=Unit.CELSIUS),
        _m("nvidia_smi_power_draw_watts", G, "power.draw", u, e, unit=Unit.WATTS),
        _m("nvidia_smi_gpu_info", G, "Constant 1 labelled with the GPU's identity", info, e),
        # NVML backend only; a series appears with its first event.
        _m("nvidia_smi_xid_errors_total", C, "XID error events since the exporter started",
           ("uuid", "xid"), e, unit=Unit.EVENTS),
    )  # fmt: skip


def postgres_metrics() -> tuple[MetricDefinition, ...]:
    """postgres_exporter; the stat_statements collector is off by default and exports counters only."""
    e = "postgres_exporter"
    db = ("datid", "datname")
    st = ("user", "datname", "queryid")
    return (
        _m("pg_up", G, "1 if the last scrape could reach PostgreSQL", (), e),
        _m("pg_stat_database_numbackends", G, "Backends connected to the database", db, e,
           unit=Unit.CONNECTIONS),
        _m("pg_stat_database_xact_commit", C, "Committed transactions", db, e, unit=Unit.EVENTS),
        _m("pg_stat_database_xact_rollback", C, "Rolled back transactions", db, e, unit=Unit.EVENTS),
        _m("pg_stat_database_deadlocks", C, "Deadlocks detected", db, e, unit=Unit.EVENTS),
        _m("pg_settings_max_connections", G, "Server setting max_connections", (), e,
           unit=Unit.CONNECTIONS),
        _m("pg_stat_statements_calls_total", C, "Statement executions", st, e, unit=Unit.EVENTS,
           high=("queryid",)),
        _m("pg_stat_statements_seconds_total", C, "Time spent executing statements", st, e,
           unit=Unit.SECONDS, high=("queryid",)),
        _m("pg_stat_statements_rows_total", C, "Rows retrieved or affected", st, e, unit=Unit.COUNT,
           high=("queryid",)),
    )  # fmt: skip


@dataclass(frozen=True)
class GpuProfile:
    """What each GPU quantity is called under one exporter, so rules never name an exporter.

    Memory: DCGM reports used and free MiB (used ratio = used / (used + free)); nvidia_smi reports
    used and total bytes (used / total). XID: DCGM's is a gauge holding the last XID (`changes()`
    detects a new one); nvidia_smi's is a counter per XID code (`increase()`), NVML backend only.
    Labels: ``gpu_label`` identifies one GPU across restarts; ``host_label`` names the node
    (`instance` when the exporter adds none); ``model_label`` is on every series for DCGM, and only
    on ``info_metric`` (join on ``gpu_label``) for nvidia_smi.
    """

    exporter: GpuExporter
    utilization: str
    utilization_scale: Scale
    memory_used: str
    memory_free: str | None
    memory_total: str | None
    temperature: str
    power: str
    xid: str
    xid_kind: Literal["last_value_gauge", "counter"]
    host_label: str
    gpu_label: str
    model_label: str
    info_metric: str | None

    @property
    def metric_names(self) -> tuple[str, ...]:
        names = (self.utilization, self.memory_used, self.memory_free, self.memory_total,
                 self.temperature, self.power, self.xid, self.info_metric)  # fmt: skip
        return tuple(sorted(n for n in names if n))


def gpu_profile(exporter: GpuExporter, host_label: str = "Hostname") -> GpuProfile:
    """The GPU profile for ``exporter``; ``host_label`` only applies to DCGM."""
    if exporter == "dcgm":
        return GpuProfile(
            exporter="dcgm",
            utilization="DCGM_FI_DEV_GPU_UTIL",
            utilization_scale=Scale.PERCENT,
            memory_used="DCGM_FI_DEV_FB_USED",
            memory_free="DCGM_FI_DEV_FB_FREE",
            memory_total=None,
            temperature="DCGM_FI_DEV_GPU_TEMP",
            power="DCGM_FI_DEV_POWER_USAGE",
            xid="DCGM_FI_DEV_XID_ERRORS",
            xid_kind="last_value_gauge",
            host_label=host_label,
            gpu_label="UUID",
            model_label="modelName",
            info_metric=None,
        )
    return GpuProfile(
        exporter="nvidia_smi",
        utilization="nvidia_smi_utilization_gpu_ratio",
        utilization_scale=Scale.RATIO,
        memory_used="nvidia_smi_memory_used_bytes",
        memory_free=None,
        memory_total="nvidia_smi_memory_total_bytes",
        temperature="nvidia_smi_temperature_gpu",
        power="nvidia_smi_power_draw_watts",
        xid="nvidia_smi_xid_errors_total",
        xid_kind="counter",
        host_label="instance",
        gpu_label="uuid",
        model_label="name",
        info_metric="nvidia_smi_gpu_info",
    )


def gpu_metrics(exporter: GpuExporter, host_label: str = "Hostname") -> tuple[MetricDefinition, ...]:
    return dcgm_metrics(host_label) if exporter == "dcgm" else nvidia_smi_metrics()


def foreign_gpu_metric(name: str, chosen: GpuExporter) -> tuple[GpuExporter, str | None] | None:
    """If ``name`` belongs to the other GPU profile: that profile and the role it plays there
    (``utilization``, ``memory_used``, ...), to explain an exporter mix-up in lint messages."""
    other: GpuExporter = "nvidia_smi" if chosen == "dcgm" else "dcgm"
    if not any(m.name == name for m in gpu_metrics(other)):
        return None
    profile = gpu_profile(other)
    roles = ("utilization", "memory_used", "memory_free", "memory_total", "temperature", "power", "xid")
    return other, next((r for r in roles if getattr(profile, r) == name), None)
