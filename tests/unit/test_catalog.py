"""The metric catalog: exact built-ins, profiles, lookups, refusal of duplicates, deterministic output."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from guardiangen.catalog import (
    Catalog,
    CatalogError,
    MetricDefinition,
    MetricType,
    Scale,
    Unit,
    UnknownMetricError,
    build_catalog,
    format_table,
    to_json,
)

C, G, H = MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM

# (name, type, labels, buckets) exactly as the reference instrumentation classes declare them.
REFERENCE = [
    ("specialist_requests_total", C, ("specialist_type", "status", "quality_tier"), ()),
    ("specialist_request_duration_seconds", H, ("specialist_type", "complexity"),
     (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)),
    ("specialist_tokens_per_second", G, ("specialist_type",), ()),
    ("specialist_quality_score", H, ("specialist_type",), (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)),
    ("specialist_confidence_score", H, ("specialist_type",), (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)),
    ("specialist_gpu_utilization_percent", G, ("specialist_type", "gpu_id"), ()),
    ("specialist_memory_usage_bytes", G, ("specialist_type", "memory_type"), ()),
    ("specialist_errors_total", C, ("specialist_type", "error_type", "severity"), ()),
    ("specialist_timeouts_total", C, ("specialist_type",), ()),
    ("guardian_evaluations_total", C, ("guardian_type", "specialist_id", "evaluation_type"), ()),
    ("guardian_evaluation_duration_seconds", H, ("guardian_type", "evaluation_type"),
     (0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0)),
    ("guardian_issues_detected_total", C, ("guardian_type", "specialist_id", "issue_type", "severity"), ()),
    ("guardian_false_positive_rate", G, ("guardian_type", "issue_type"), ()),
    ("guardian_improvements_suggested_total", C, ("guardian_type", "improvement_type", "priority"), ()),
    ("guardian_improvements_implemented_total", C, ("guardian_type", "improvement_type"), ()),
    ("guardian_prediction_accuracy", G, ("guardian_type", "prediction_type"), ()),
    ("model_inference_duration_seconds", H, ("model_name", "batch_size", "sequence_length"),
     (0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0)),
    ("context_length_tokens", H, ("specialist_type",), (100, 500, 1000, 2000, 4000, 8000, 16000, 32000)),
    ("memory_efficiency_ratio", G, ("component", "memory_type"), ()),
    ("cache_hit_rate", G, ("cache_type", "specialist_type"), ()),
    ("batch_processing_efficiency", G, ("specialist_type",), ()),
]  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog()


@pytest.mark.parametrize(("name", "type_", "labels", "buckets"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_reference_metrics_are_exact(
    catalog: Catalog, name: str, type_: MetricType, labels: tuple[str, ...], buckets: tuple[float, ...]
) -> None:
    m = catalog.get(name)
    assert (m.type, m.labels, m.buckets) == (type_, labels, tuple(float(b) for b in buckets))


def test_scales_and_units_follow_meaning(catalog: Catalog) -> None:
    assert catalog.get("specialist_gpu_utilization_percent").scale is Scale.PERCENT
    assert catalog.get("guardian_false_positive_rate").scale is Scale.RATIO
    # A quality score is 0-1 but not a fraction of anything: never rendered as a percentage.
    assert catalog.get("specialist_quality_score").scale is Scale.ABSOLUTE
    assert catalog.get("specialist_quality_score").unit is Unit.SCORE
    assert catalog.get("specialist_request_duration_seconds").unit is Unit.SECONDS
    assert catalog.get("DCGM_FI_DEV_FB_USED").unit is Unit.MEBIBYTES


def test_high_cardinality_labels(catalog: Catalog) -> None:
    assert catalog.get("model_inference_duration_seconds").high_cardinality_labels == ("batch_size", "sequence_length")
    pg = build_catalog(postgres_enabled=True)
    assert pg.get("pg_stat_statements_calls_total").high_cardinality_labels == ("queryid",)


def test_error_counters_know_their_total(catalog: Catalog) -> None:
    assert catalog.get("specialist_errors_total").subset_of == "specialist_requests_total"
    assert catalog.get("specialist_timeouts_total").subset_of == "specialist_requests_total"


def test_node_exporter_metrics(catalog: Catalog) -> None:
    assert catalog.get("node_cpu_seconds_total").labels == ("cpu", "mode")
    assert catalog.get("node_filesystem_avail_bytes").labels == ("device", "fstype", "mountpoint")
    assert catalog.get("node_network_receive_bytes_total").type is C
    for name in ("node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes", "node_load1", "up"):
        assert catalog.get(name).type is G


def test_dcgm_profile_is_the_default(catalog: Catalog) -> None:
    util = catalog.get("DCGM_FI_DEV_GPU_UTIL")
    assert util.scale is Scale.PERCENT
    assert {"gpu", "UUID", "modelName", "Hostname", "pci_bus_id", "device"} <= set(util.labels)
    assert catalog.get("DCGM_FI_DEV_XID_ERRORS").type is G  # holds the last XID, not a count
    assert "nvidia_smi_utilization_gpu_ratio" not in catalog
    gpu = catalog.gpu
    assert (gpu.exporter, gpu.utilization, gpu.utilization_scale) == ("dcgm", "DCGM_FI_DEV_GPU_UTIL", Scale.PERCENT)
    assert (gpu.host_label, gpu.gpu_label, gpu.model_label) == ("Hostname", "UUID", "modelName")
    assert (gpu.memory_used, gpu.memory_free, gpu.memory_total) == ("DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", None)
    assert gpu.xid_kind == "last_value_gauge"


def test_dcgm_host_label_is_configurable() -> None:
    catalog = build_catalog(gpu_host_label="hostname")
    assert "hostname" in catalog.get("DCGM_FI_DEV_GPU_TEMP").labels
    assert "Hostname" not in catalog.get("DCGM_FI_DEV_GPU_TEMP").labels
    assert catalog.gpu.host_label == "hostname"


def test_nvidia_smi_profile() -> None:
    catalog = build_catalog(gpu_exporter="nvidia_smi")
    util = catalog.get("nvidia_smi_utilization_gpu_ratio")
    assert (util.scale, util.labels) == (Scale.RATIO, ("uuid",))
    for name in ("nvidia_smi_memory_used_bytes", "nvidia_smi_memory_total_bytes", "nvidia_smi_temperature_gpu",
                 "nvidia_smi_power_draw_watts"):  # fmt: skip
        assert catalog.get(name).type is G
    assert "DCGM_FI_DEV_GPU_UTIL" not in catalog
    assert (catalog.gpu.host_label, catalog.gpu.gpu_label, catalog.gpu.info_metric) == (
        "instance",
        "uuid",
        "nvidia_smi_gpu_info",
    )
    assert catalog.gpu.xid_kind == "counter"


def test_postgres_only_when_enabled(catalog: Catalog) -> None:
    assert "pg_stat_database_numbackends" not in catalog
    pg = build_catalog(postgres_enabled=True)
    assert pg.get("pg_stat_database_numbackends").labels == ("datid", "datname")
    assert pg.get("pg_stat_statements_seconds_total").labels == ("user", "datname", "queryid")
    assert pg.get("pg_settings_max_connections").type is G
    assert "pg_stat_statements_mean_time_bucket" not in pg.series_names()


def test_iteration_is_sorted_and_catalog_immutable(catalog: Catalog) -> None:
    names = [m.name for m in catalog]
    assert names == sorted(names) == list(catalog.names())
    assert len(catalog) == len(names)
    with pytest.raises(AttributeError):
        catalog._gpu = catalog.gpu  # type: ignore[misc]
    assert 42 not in catalog


def test_get_unknown_suggests(catalog: Catalog) -> None:
    with pytest.raises(KeyError) as info:
        catalog.get("specialist_request_total")
    assert isinstance(info.value, UnknownMetricError)
    assert str(info.value) == 'unknown metric "specialist_request_total" (did you mean "specialist_requests_total"?)'


def test_resolve_series(catalog: Catalog) -> None:
    hist = catalog.get("specialist_quality_score")
    assert catalog.resolve_series("specialist_quality_score_bucket") == (hist, "bucket")
    assert catalog.resolve_series("specialist_quality_score_sum") == (hist, "sum")
    assert catalog.resolve_series("specialist_quality_score_count") == (hist, "count")
    assert catalog.resolve_series("specialist_quality_score") == (hist, "")
    counter = catalog.get("specialist_requests_total")
    assert catalog.resolve_series("specialist_requests_total") == (counter, "")
    with pytest.raises(UnknownMetricError):
        catalog.resolve_series("specialist_requests_total_bucket")
    assert "specialist_quality_score_bucket" in catalog.series_names()
    assert "specialist_quality_score" not in catalog.series_names()


def _extra(name: str, labels: tuple[str, ...] = ()) -> MetricDefinition:
    return MetricDefinition(name=name, type=G, labels=labels)


def test_extra_metrics_join_the_catalog() -> None:
    catalog = build_catalog(extra=[_extra("queue_depth", labels=("queue",))])
    assert catalog.get("queue_depth").exporter == "user"


def test_duplicates_are_refused() -> None:
    with pytest.raises(CatalogError) as info:
        build_catalog(extra=[_extra("specialist_requests_total"), _extra("up")])
    assert info.value.problems == [
        'metric "specialist_requests_total" from the spec duplicates the built-in specialist_metrics metric',
        'metric "up" from the spec duplicates the built-in prometheus metric',
    ]
    with pytest.raises(CatalogError, match="defined twice"):
        build_catalog(extra=[_extra("a"), _extra("a")])


def test_series_name_collisions_are_refused() -> None:
    with pytest.raises(CatalogError, match='series "specialist_quality_score_sum"'):
        build_catalog(extra=[_extra("specialist_quality_score_sum")])


def test_subset_of_must_name_a_counter() -> None:
    bad = MetricDefinition(name="x_failures_total", type=C, subset_of="nope_total")
    with pytest.raises(CatalogError, match="unknown metric"):
        build_catalog(extra=[bad])
    to_gauge = MetricDefinition(name="x_failures_total", type=C, subset_of="up")
    with pytest.raises(CatalogError, match="not a counter"):
        build_catalog(extra=[to_gauge])
    with pytest.raises(ValidationError):
        MetricDefinition(name="g", type=G, subset_of="specialist_requests_total")


def test_request_ids_are_always_high_cardinality() -> None:
    catalog = build_catalog(extra=[_extra("per_request_tokens", labels=("model", "request_id"))])
    assert catalog.get("per_request_tokens").high_cardinality_labels == ("request_id",)


def test_bad_profile_settings() -> None:
    with pytest.raises(CatalogError, match="not a valid label name"):
        build_catalog(gpu_host_label="host-name")
    with pytest.raises(CatalogError, match="unknown GPU exporter"):
        build_catalog(gpu_exporter="rocm")  # type: ignore[arg-type]


def test_table_and_json_are_deterministic(catalog: Catalog) -> None:
    table = format_table(catalog)
    assert table == format_table(build_catalog())
    assert table.splitlines()[0].split() == ["NAME", "TYPE", "UNIT", "SCALE", "EXPORTER", "LABELS"]
    assert "batch_size*" in table
    assert table.endswith("* = high-cardinality label\n")
    text = to_json(catalog)
    assert text == to_json(build_catalog())
    doc = json.loads(text)
    assert [m["name"] for m in doc["metrics"]] == list(catalog.names())
    assert doc["gpu"]["exporter"] == "dcgm"
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
