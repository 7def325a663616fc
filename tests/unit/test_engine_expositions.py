"""The engine catalogue agrees with real /metrics recordings (tests/fixtures/engines, PROVENANCE.md).

Each recording is parsed with prometheus_client's own text parser and compared with the catalogued
release of the version it was recorded from: every recorded family is a catalogued metric of the
same type, with the catalogued label names and (for fixed buckets) exactly the catalogued buckets;
the catalogued metrics a recording lacks, the labels it lacks and the help texts that differ are
listed here one by one with the reason, so a change on either side fails a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from guardiangen.catalog import MetricDefinition, MetricType, builtin
from guardiangen.catalog.engines import release

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "engines"

V1_ONLY = "V1 engine only (vllm/v1/metrics/loggers.py); the recording is of the V0 engine"


@dataclass(frozen=True)
class Recording:
    file: str
    engine: str
    version: str  # the catalogued release the recording is compared with
    # catalogued metrics the recording does not have -> why
    absent: Mapping[str, str] = field(default_factory=dict)
    # recorded families guardiangen's catalogue does not have -> why
    uncatalogued: Mapping[str, str] = field(default_factory=dict)
    # catalogued label names the recorded series lack -> why
    labels_not_recorded: Mapping[str, str] = field(default_factory=dict)
    # recorded label names the catalogue does not list -> why
    labels_not_catalogued: Mapping[str, str] = field(default_factory=dict)
    # recorded families whose help text differs from the catalogue's -> why
    help_differs: Mapping[str, str] = field(default_factory=dict)
    # the recording has no HELP/TYPE lines (a sampled paste): types and help cannot be compared
    untyped: bool = False

    def __str__(self) -> str:
        return self.file


V0_HELP = "the V0 engine's help text (vllm/engine/metrics.py); the catalogue has V1's"

RECORDINGS = (
    Recording(
        "vllm-0.10.0-v0.prom",
        "vllm",
        "0.10.0",
        absent={
            "vllm:kv_cache_usage_perc": V1_ONLY + " (V0 has vllm:gpu_cache_usage_perc only)",
            "vllm:prefix_cache_queries_total": V1_ONLY,
            "vllm:prefix_cache_hits_total": V1_ONLY,
            "vllm:gpu_prefix_cache_queries_total": V1_ONLY + " (the name before 0.9.2's rename)",
            "vllm:gpu_prefix_cache_hits_total": V1_ONLY + " (the name before 0.9.2's rename)",
        },
        uncatalogued={
            "vllm:cache_config_info": "an info gauge (value 1, the cache config as labels); V1 builds its name at "
            "run time, which the catalogue's source reading did not capture",
        },
        labels_not_recorded={"engine": "V1 adds the engine index label; V0 has model_name only"},
        help_differs={
            "vllm:e2e_request_latency_seconds": V0_HELP,
            "vllm:gpu_cache_usage_perc": V0_HELP + " (V1 appends a DEPRECATED note)",
            "vllm:num_requests_running": V0_HELP,
        },
    ),
    Recording("sglang-0.3.x.prom", "sglang", "0.3.6"),
    Recording(
        "triton-2.48-2.51.prom",
        "triton",
        "2.48.0",
        absent={
            "nv_gpu_utilization": "a CPU-only build (IBM Z): no GPU metrics",
            "nv_gpu_memory_used_bytes": "a CPU-only build (IBM Z): no GPU metrics",
            "nv_gpu_memory_total_bytes": "a CPU-only build (IBM Z): no GPU metrics",
        },
        labels_not_recorded={
            "gpu_uuid": "only on models placed on a GPU; this build has none",
            "namespace": "only with model namespacing switched on",
        },
    ),
    Recording(
        "dcgm-exporter-pre-4.6.prom",
        "dcgm",
        "Hostname",
        absent={
            m: 'the author "sampled" 4 of the default fields'
            for m in (
                "DCGM_FI_DEV_FB_FREE",
                "DCGM_FI_DEV_FB_USED",
                "DCGM_FI_DEV_MEMORY_TEMP",
                "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
                "DCGM_FI_DEV_XID_ERRORS",
            )
        },
        labels_not_catalogued={
            label: "pod mapping (Kubernetes): only on a GPU assigned to a pod"
            for label in ("pod", "namespace", "container", "pod_uid")
        },
        untyped=True,
    ),
)


@cache
def families(file: str) -> dict[str, Metric]:
    """The recording's families by name; without # TYPE lines the parser starts a family per sample
    line, so families of one name are merged."""
    text = (FIXTURES / file).read_text(encoding="utf-8")
    out: dict[str, Metric] = {}
    for f in text_string_to_metric_families(text):
        if f.name in out:
            out[f.name].samples.extend(f.samples)
        else:
            out[f.name] = f
    return out


def catalogued(rec: Recording) -> dict[str, MetricDefinition]:
    """The release's metrics by the name prometheus_client gives their family (counters lose _total)."""
    if rec.engine == "dcgm":
        metrics: tuple[MetricDefinition, ...] = builtin.gpu_metrics("dcgm", rec.version)
    else:
        metrics = release(rec.engine, rec.version).metrics
    return {family_name(m): m for m in metrics}


def family_name(m: MetricDefinition) -> str:
    return m.name.removesuffix("_total") if m.type is MetricType.COUNTER else m.name


def recorded_labels(family: Metric) -> set[str]:
    return {label for s in family.samples for label in s.labels} - {"le", "quantile"}


def recorded_buckets(family: Metric) -> tuple[float, ...]:
    les = {s.labels["le"] for s in family.samples if s.name.endswith("_bucket")}
    return tuple(sorted(float(le) for le in les if le != "+Inf"))


def by_catalogue_name(rec: Recording, names: set[str]) -> set[str]:
    cat = catalogued(rec)
    return {cat[n].name for n in names if n in cat}


@pytest.mark.parametrize("rec", RECORDINGS, ids=str)
def test_the_recording_is_documented_and_parses(rec: Recording) -> None:
    provenance = (FIXTURES / "PROVENANCE.md").read_text(encoding="utf-8")
    assert f"## `{rec.file}`" in provenance
    assert (FIXTURES / rec.file).read_text(encoding="utf-8").startswith("# Recorded /metrics exposition;")
    assert families(rec.file)


def test_every_fixture_file_is_a_checked_recording() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.prom")) == sorted(r.file for r in RECORDINGS)


@pytest.mark.parametrize("rec", RECORDINGS, ids=str)
def test_every_recorded_family_is_catalogued(rec: Recording) -> None:
    unknown = set(families(rec.file)) - set(catalogued(rec))
    assert unknown == set(rec.uncatalogued)


@pytest.mark.parametrize("rec", RECORDINGS, ids=str)
def test_catalogued_metrics_missing_from_the_recording_are_explained(rec: Recording) -> None:
    missing = {m.name for n, m in catalogued(rec).items() if n not in families(rec.file)}
    assert missing == set(rec.absent)


@pytest.mark.parametrize("rec", [r for r in RECORDINGS if not r.untyped], ids=str)
def test_types_agree(rec: Recording) -> None:
    cat = catalogued(rec)
    wrong = {
        n: (f.type, cat[n].type.value)
        for n, f in families(rec.file).items()
        if n in cat and f.type != cat[n].type.value
    }
    assert wrong == {}


def test_an_untyped_recording_is_read_as_untyped() -> None:
    # Without # TYPE lines prometheus_client reports "unknown": the DCGM paste says nothing about types.
    assert {f.type for f in families("dcgm-exporter-pre-4.6.prom").values()} == {"unknown"}


@pytest.mark.parametrize("rec", RECORDINGS, ids=str)
def test_label_names_agree(rec: Recording) -> None:
    cat = catalogued(rec)
    not_recorded: set[str] = set()
    not_catalogued: set[str] = set()
    for n, f in families(rec.file).items():
        if n not in cat:
            continue
        got, want = recorded_labels(f), set(cat[n].labels)
        not_recorded |= want - got
        not_catalogued |= got - want
    assert not_recorded == set(rec.labels_not_recorded)
    assert not_catalogued == set(rec.labels_not_catalogued)


@pytest.mark.parametrize("rec", [r for r in RECORDINGS if r.engine in ("vllm", "sglang")], ids=str)
def test_histogram_buckets_agree(rec: Recording) -> None:
    cat = catalogued(rec)
    histograms = {n: f for n, f in families(rec.file).items() if f.type == "histogram" and n in cat}
    assert histograms  # (the Triton and DCGM recordings have none)
    fixed = {n: recorded_buckets(f) for n, f in histograms.items() if not cat[n].buckets_at_run_time}
    assert fixed == {n: cat[n].buckets for n in fixed}
    # Buckets the engine computes when it starts (vLLM: a 1-2-5 series up to the model's context length)
    # are not catalogued; the recording shows one such series, starting at 1.
    for n in set(histograms) - set(fixed):
        assert not cat[n].buckets
        assert recorded_buckets(histograms[n])[:3] == (1.0, 2.0, 5.0)


@pytest.mark.parametrize("rec", [r for r in RECORDINGS if not r.untyped], ids=str)
def test_help_texts_agree(rec: Recording) -> None:
    cat = catalogued(rec)
    differ = {n for n, f in families(rec.file).items() if n in cat and f.documentation != cat[n].help}
    assert differ == set(rec.help_differs)


@pytest.mark.parametrize("rec", [r for r in RECORDINGS if r.engine != "dcgm"], ids=str)
def test_the_signals_guardiangen_reads_are_in_the_recording(rec: Recording) -> None:
    """Each signal's metric is recorded (or listed as absent, with why), with the labels its
    matchers and the engine's model label need."""
    r = release(rec.engine, rec.version)
    recorded = families(rec.file)
    for signal, source in r.signals.items():
        name = family_name(source.metric)
        if source.metric.name in rec.absent:
            continue
        assert name in recorded, signal
        labels = recorded_labels(recorded[name])
        assert {k for k, _ in source.matchers} <= labels, signal
        assert r.model_label in labels, signal


def test_vllm_v0_lacks_the_kv_cache_and_prefix_cache_signals_of_the_v1_catalogue() -> None:
    """The finding, stated as a test: a vLLM 0.10.x fleet running the V0 engine (VLLM_USE_V1=0)
    exports none of the metrics guardiangen reads KV-cache usage and prefix-cache hits from; its
    KV-cache figure is the older gauge."""
    r = release("vllm", "0.10.0")
    recorded = families("vllm-0.10.0-v0.prom")
    lacking = {s.value for s, src in r.signals.items() if family_name(src.metric) not in recorded}
    assert lacking == {"kv_cache_usage", "prefix_cache_hits", "prefix_cache_queries"}
    assert "vllm:gpu_cache_usage_perc" in recorded


def test_sglang_function_latency_buckets_are_its_exponential_series() -> None:
    # func_timer.exponential_buckets(start=0.05, width=1.5, length=18), float noise included.
    expected = tuple(0.05 * 1.5**i for i in range(18))
    assert recorded_buckets(families("sglang-0.3.x.prom")["sglang:func_latency_seconds"]) == expected
    for version in ("0.3.6", "0.4.6.post5", "0.5.3", "0.5.23"):
        (m,) = (m for m in release("sglang", version).metrics if m.name == "sglang:func_latency_seconds")
        assert m.buckets == expected, version
