"""Triton with the TensorRT-LLM backend (`triton-trtllm`): its catalogue is the backend's metrics plus
Triton core's of the container each backend release builds on, and its signals follow the backend's
releases (data/triton-trtllm.json records the pairing and every metric's source)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from pydantic import ValidationError

from guardiangen import promql as q
from guardiangen.catalog import MetricDefinition, MetricType, Scale, SeriesUnit, Unit, build_catalog
from guardiangen.catalog.engines import Signal, catalogued_versions, release
from guardiangen.promql.infer import Inference, parse
from guardiangen.promql.meta import Meta

DATA = resources.files("guardiangen.catalog.engines").joinpath("data")


def _data(engine: str) -> dict:  # type: ignore[type-arg]
    return json.loads(DATA.joinpath(f"{engine}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


BACKEND = "triton-inference-server/tensorrtllm_backend"


@pytest.mark.parametrize("version", catalogued_versions("triton-trtllm"))
def test_core_metrics_are_the_paired_triton_release_exactly(version: str) -> None:
    trtllm, triton = _data("triton-trtllm"), _data("triton")
    pairing = trtllm["triton_core"][version]
    core = [r for r in trtllm["versions"][version] if r["provenance"]["repo"] != BACKEND]
    assert core == triton["versions"][pairing["core_release"]]
    assert {r["provenance"]["tag"] for r in core} == {pairing["core_branch"]}
    assert pairing["provenance"] == {
        "repo": BACKEND,
        "tag": f"v{version}",
        "path": "dockerfile/Dockerfile.trt_llm_backend",
        "line": pairing["provenance"]["line"],
    }


@pytest.mark.parametrize("version", catalogued_versions("triton-trtllm"))
def test_backend_families_carry_model_version_and_their_category_label(version: str) -> None:
    backend = [r for r in _data("triton-trtllm")["versions"][version] if r["provenance"]["repo"] == BACKEND]
    assert backend and all(r["labels"][:2] == ["model", "version"] and len(r["labels"]) == 3 for r in backend)
    assert all(r["provenance"]["tag"] == f"v{version}" for r in backend)


def test_signals_arrive_with_the_backend_releases_that_brought_them() -> None:
    have = {v: set(release("triton-trtllm", v).signals) for v in catalogued_versions("triton-trtllm")}
    always = {Signal.REQUESTS_RUNNING, Signal.REQUESTS_SUCCEEDED, Signal.REQUESTS_FAILED}
    assert have["0.13.0"] == have["0.15.0"] == always
    # 0.16.0: token-length histograms; Triton 24.11 (core 2.52) brings the first-response histogram
    assert have["0.16.0"] == always | {Signal.PROMPT_TOKENS, Signal.GENERATION_TOKENS, Signal.TIME_TO_FIRST_TOKEN}
    # 0.18.0: the waiting-request count and the KV-cache used fraction
    assert have["0.18.0"] == have["0.16.0"] | {Signal.REQUESTS_WAITING, Signal.KV_CACHE_USAGE}
    assert release("triton-trtllm", "1.0.0").version == "0.18.0"


def test_the_kv_cache_fraction_reads_as_a_ratio_in_a_family_of_block_counts() -> None:
    source = release("triton-trtllm", "0.18.0").signal(Signal.KV_CACHE_USAGE)
    assert source is not None
    assert source.metric.unit is Unit.COUNT and source.matchers == (("kv_cache_block_type", "fraction"),)
    fraction = source.metric.selected(source.matchers)
    assert (fraction.unit, fraction.scale) == (Unit.RATIO, Scale.RATIO)
    assert source.metric.selected([("kv_cache_block_type", "used")]) is source.metric


def test_a_selector_of_the_fraction_is_a_ratio_for_builders_and_lint() -> None:
    metric = release("triton-trtllm", "0.18.0").signal(Signal.KV_CACHE_USAGE).metric  # type: ignore[union-attr]
    catalog = build_catalog(engines=[release("triton-trtllm", "0.18.0")])
    series = q.series(catalog, metric.name, q.eq("kv_cache_block_type", "fraction"))
    assert q.value(series).meta == Meta(Scale.RATIO, Unit.RATIO)
    assert q.value(q.series(catalog, metric.name, q.eq("kv_cache_block_type", "used"))).meta == Meta(
        Scale.ABSOLUTE, Unit.COUNT
    )
    infer = Inference(catalog)
    assert infer.meta(parse(f'{metric.name}{{kv_cache_block_type="fraction"}}')) == Meta(Scale.RATIO, Unit.RATIO)
    assert infer.meta(parse(f'{metric.name}{{kv_cache_block_type=~"fraction"}}')) == Meta(Scale.ABSOLUTE, Unit.COUNT)


def test_series_units_must_name_a_label_of_the_metric_once() -> None:
    base = {"name": "x", "type": MetricType.GAUGE, "labels": ("kind",)}
    ok = SeriesUnit(label="kind", value="share", unit=Unit.RATIO, scale=Scale.RATIO)
    assert MetricDefinition(**base, series_units=(ok,)).series_units == (ok,)
    with pytest.raises(ValidationError, match="not in labels: other"):
        MetricDefinition(**base, series_units=(ok.model_copy(update={"label": "other"}),))
    with pytest.raises(ValidationError, match="twice"):
        MetricDefinition(**base, series_units=(ok, ok))


def test_token_counts_are_the_sums_of_the_token_length_histograms() -> None:
    r = release("triton-trtllm", "0.16.0")
    for signal, name in (
        (Signal.PROMPT_TOKENS, "nv_llm_input_token_len"),
        (Signal.GENERATION_TOKENS, "nv_llm_output_token_len"),
    ):
        source = r.signal(signal)
        assert source is not None
        assert (source.metric.name, source.metric.type, source.part) == (name, MetricType.HISTOGRAM, "sum")
        assert source.metric.buckets == (10.0, 50.0, 100.0, 500.0, 1000.0)


def test_triton_2_52_has_the_first_response_histogram_its_missing_note_promises() -> None:
    assert release("triton", "2.51.0").signal(Signal.TIME_TO_FIRST_TOKEN) is None
    assert "before 2.52.0" in release("triton", "2.51.0").why_missing(Signal.TIME_TO_FIRST_TOKEN)
    assert release("triton", "2.52.0").signal(Signal.TIME_TO_FIRST_TOKEN) is not None
