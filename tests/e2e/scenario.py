"""What the synthetic exporter serves: every catalog metric healthy, plus three injected faults.

Healthy means comfortably inside every threshold of tests/e2e/e2e-cluster.yaml, so only the faults
below can make an alert fire:

* specialist `alpha`: 20% of its requests fail (threshold 5%) and 5% time out (threshold 1%);
* GPU 1 of node `gpu-01` runs at 88 C (the model throttles at 85, the alert margin is 5);
* node `gpu-02` reports one of the two GPUs the inventory lists;
* guardian `watcher` evaluates none of specialist `beta`'s requests (coverage 50%, threshold 90%).
"""

from __future__ import annotations

from collections.abc import Iterator

from guardiangen.spec.models import ClusterSpec, GpuNode, Specialist
from tests.e2e.exporter import Counter, Gauge, Histogram, Series, series

REQUESTS_PER_SECOND = 10.0

FAULTY_SPECIALIST = "alpha"
ERROR_RATIO = 0.20
TIMEOUT_RATIO = 0.05

HOT_GPU = ("gpu-01", 1)  # (node, gpu index)
HOT_TEMPERATURE = 88.0
HEALTHY_TEMPERATURE = 60.0

SHORT_NODE = "gpu-02"  # serves one GPU less than the inventory says

UNEVALUATED = ("watcher", "beta")  # (guardian, watched specialist) with no evaluations at all

FB_TOTAL_MIB = 16384.0
DRIVER = "535.104.05"


def build(spec: ClusterSpec, *, faults: bool = True) -> tuple[Series, ...]:
    """Every series the exporter serves for ``spec``; without ``faults``, none of the faults above."""
    out: list[Series] = []
    for s in spec.specialists:
        out.extend(_specialist(s, faults))
    out.extend(_guardians(spec, faults))
    out.extend(_node())
    for node in spec.gpu_inventory.nodes:
        out.extend(_gpus(spec, node, faults))
    return tuple(out)


def _specialist(s: Specialist, faults: bool) -> Iterator[Series]:
    st = s.label_value
    faulty = faults and s.name == FAULTY_SPECIALIST
    errors = REQUESTS_PER_SECOND * (ERROR_RATIO if faulty else 0.0)
    timeouts = REQUESTS_PER_SECOND * (TIMEOUT_RATIO if faulty else 0.0)
    # The reference instrumentation counts a failed request twice: as `status="error"` and in errors_total.
    yield series(
        "specialist_requests_total",
        Counter(REQUESTS_PER_SECOND - errors),
        specialist_type=st,
        status="success",
        quality_tier="high",
    )
    yield series(
        "specialist_requests_total", Counter(errors), specialist_type=st, status="error", quality_tier="unknown"
    )
    yield series(
        "specialist_errors_total", Counter(errors), specialist_type=st, error_type="RuntimeError", severity="high"
    )
    yield series("specialist_timeouts_total", Counter(timeouts), specialist_type=st)
    # Fast: 90% at 0.3 s, 10% at 0.8 s; p95 lies in the (0.5, 1] bucket.
    yield series(
        "specialist_request_duration_seconds",
        Histogram(REQUESTS_PER_SECOND, {0.3: 0.9, 0.8: 0.1}),
        specialist_type=st,
        complexity="medium",
    )
    yield series("specialist_quality_score", Histogram(REQUESTS_PER_SECOND, {0.95: 1.0}), specialist_type=st)
    yield series("specialist_confidence_score", Histogram(REQUESTS_PER_SECOND, {0.9: 1.0}), specialist_type=st)
    yield series("specialist_tokens_per_second", Gauge(120.0), specialist_type=st)
    yield series("specialist_gpu_utilization_percent", Gauge(55.0), specialist_type=st, gpu_id="0")
    yield series("specialist_memory_usage_bytes", Gauge(8e9), specialist_type=st, memory_type="gpu")
    yield series("context_length_tokens", Histogram(REQUESTS_PER_SECOND, {700.0: 1.0}), specialist_type=st)
    yield series("cache_hit_rate", Gauge(0.7), cache_type="kv", specialist_type=st)
    yield series("batch_processing_efficiency", Gauge(0.9), specialist_type=st)
    yield series(
        "model_inference_duration_seconds",
        Histogram(REQUESTS_PER_SECOND, {0.2: 1.0}),
        model_name=s.model,
        batch_size="8",
        sequence_length="1024",
    )
    yield series("memory_efficiency_ratio", Gauge(0.8), component=st, memory_type="gpu")


def _guardians(spec: ClusterSpec, faults: bool) -> Iterator[Series]:
    by_name = {s.name: s for s in spec.specialists}
    for g in spec.guardians:
        gt = g.label_value
        for watched in g.watches:
            if faults and (g.name, watched) == UNEVALUATED:
                continue
            sid = by_name[watched].label_value
            # Every request of a watched specialist is evaluated.
            yield series(
                "guardian_evaluations_total",
                Counter(REQUESTS_PER_SECOND),
                guardian_type=gt,
                specialist_id=sid,
                evaluation_type=g.type.value,
            )
            yield series(
                "guardian_issues_detected_total",
                Counter(0.1),
                guardian_type=gt,
                specialist_id=sid,
                issue_type="policy",
                severity="low",
            )
        yield series(
            "guardian_evaluation_duration_seconds",
            Histogram(REQUESTS_PER_SECOND * len(g.watches), {0.03: 1.0}),
            guardian_type=gt,
            evaluation_type=g.type.value,
        )
        yield series("guardian_false_positive_rate", Gauge(0.01), guardian_type=gt, issue_type="policy")
        yield series("guardian_prediction_accuracy", Gauge(0.99), guardian_type=gt, prediction_type="issue")
        yield series(
            "guardian_improvements_suggested_total",
            Counter(0.2),
            guardian_type=gt,
            improvement_type="prompt",
            priority="low",
        )
        yield series(
            "guardian_improvements_implemented_total", Counter(0.1), guardian_type=gt, improvement_type="prompt"
        )


def _node() -> Iterator[Series]:
    """node_exporter of the one scrape target: 20% CPU, 40% memory, 40% disk in use."""
    for mode, share in (("idle", 0.8), ("user", 0.15), ("system", 0.05)):
        yield series("node_cpu_seconds_total", Counter(share), cpu="0", mode=mode)
    yield series("node_memory_MemTotal_bytes", Gauge(16e9))
    yield series("node_memory_MemAvailable_bytes", Gauge(9.6e9))
    fs = {"device": "/dev/sda1", "fstype": "ext4", "mountpoint": "/"}
    yield series("node_filesystem_size_bytes", Gauge(100e9), **fs)
    yield series("node_filesystem_avail_bytes", Gauge(60e9), **fs)
    yield series("node_filesystem_free_bytes", Gauge(65e9), **fs)
    yield series("node_network_receive_bytes_total", Counter(1e6), device="eth0")
    yield series("node_network_transmit_bytes_total", Counter(5e5), device="eth0")
    yield series("node_disk_io_time_seconds_total", Counter(0.1), device="sda")
    for name in ("node_load1", "node_load5", "node_load15"):
        yield series(name, Gauge(1.0))


def gpu_uuid(node: str, index: int) -> str:
    return f"GPU-{node}-{index:04d}"


def _gpus(spec: ClusterSpec, node: GpuNode, faults: bool) -> Iterator[Series]:
    inv = spec.gpu_inventory
    model = next(m for m in inv.models if m.name == node.gpu_model)
    count = node.gpu_count - 1 if faults and node.name == SHORT_NODE else node.gpu_count
    for i in range(count):
        labels = {
            "gpu": str(i),
            "UUID": gpu_uuid(node.name, i),
            "device": f"nvidia{i}",
            "modelName": model.product_name,
            inv.host_label: node.host,
            "pci_bus_id": f"00000000:{0x10 + i:02X}:00.0",
            "DCGM_FI_DRIVER_VERSION": DRIVER,
        }
        hot = faults and (node.name, i) == HOT_GPU
        yield series("DCGM_FI_DEV_GPU_UTIL", Gauge(50.0), **labels)
        yield series("DCGM_FI_DEV_MEM_COPY_UTIL", Gauge(20.0), **labels)
        yield series("DCGM_FI_DEV_FB_USED", Gauge(4096.0), **labels)
        yield series("DCGM_FI_DEV_FB_FREE", Gauge(FB_TOTAL_MIB - 4096.0), **labels)
        yield series("DCGM_FI_DEV_GPU_TEMP", Gauge(HOT_TEMPERATURE if hot else HEALTHY_TEMPERATURE), **labels)
        yield series("DCGM_FI_DEV_MEMORY_TEMP", Gauge(55.0), **labels)
        yield series("DCGM_FI_DEV_POWER_USAGE", Gauge(200.0), **labels)
        yield series("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", Counter(200_000.0), **labels)
        yield series("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", Counter(0.0), **labels)
        yield series("DCGM_FI_DEV_XID_ERRORS", Gauge(0.0), **labels)
