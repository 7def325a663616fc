"""Engine rows of the specialist dashboard: one per engine-serving specialist, only what its release exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rendered import Rendered, load_spec, query_panels, render_spec, targets
from schema_check import schema_errors

from guardiangen.lint.dashboards import lint_dashboards
from tests.conftest import ROOT

ENGINES_SPEC = ROOT / "tests" / "prometheus" / "engines-cluster.yaml"
LINT_PATH = "grafana/dashboards/specialist.json"

# What each engine of tests/prometheus/engines-cluster.yaml exports, from the engines' own metric
# lists (guardiangen/catalog/engines/data records each metric's source file and tag): TGI has no
# time-to-first-token histogram, no KV-cache gauge and no token counters; Triton (without the
# TRT-LLM backend) reports the first-response histogram in ms, request successes and failures and
# the pending-request gauge, nothing else here; with the TensorRT-LLM backend 0.18.0 also the
# scheduled and waiting requests, the KV-cache used fraction and the token-length histograms' sums.
EXPECTED = {
    "code": (
        "vLLM 0.13.0",
        {"model_name": "codellama/CodeLlama-34b-Instruct-hf", "job": "vllm-code"},
        [
            "vLLM time to first token p50 / p95 / p99",
            "vLLM inter-token latency p50 / p95 / p99",
            "vLLM end-to-end latency p50 / p95 / p99",
            "vLLM queue time p50 / p95 / p99",
            "vLLM requests per second by outcome",
            "vLLM requests running and waiting",
            "vLLM KV-cache usage",
            "vLLM prefix-cache hit rate",
            "vLLM tokens per second",
            "vLLM preemptions per second",
        ],
    ),
    "math": (
        "SGLang 0.5.23",
        {"model_name": "deepseek-math-7b-rl", "job": "sglang-math"},
        [
            "SGLang time to first token p50 / p95 / p99",
            "SGLang inter-token latency p50 / p95 / p99",
            "SGLang end-to-end latency p50 / p95 / p99",
            "SGLang queue time p50 / p95 / p99",
            "SGLang requests per second by outcome",
            "SGLang requests running and waiting",
            "SGLang KV-cache usage",
            "SGLang prefix-cache hit rate",
            "SGLang tokens per second",
            "SGLang preemptions per second",
        ],
    ),
    "medical": (
        "Text Generation Inference 3.3.7",
        {"job": "tgi-medical"},
        [
            "Text Generation Inference inter-token latency p50 / p95 / p99",
            "Text Generation Inference end-to-end latency p50 / p95 / p99",
            "Text Generation Inference queue time p50 / p95 / p99",
            "Text Generation Inference requests per second by outcome",
            "Text Generation Inference requests running and waiting",
        ],
    ),
    "legal": (
        "Triton Inference Server 2.70.0",
        {"model": "saul", "namespace": "llm-legal"},
        [
            "Triton Inference Server time to first token p50 / p95 / p99",
            "Triton Inference Server requests per second by outcome",
            "Triton Inference Server requests running and waiting",
        ],
    ),
    "finance": (
        "Triton TensorRT-LLM 0.18.0",
        {"model": "tensorrt_llm", "job": "triton-finance"},
        [
            "Triton TensorRT-LLM time to first token p50 / p95 / p99",
            "Triton TensorRT-LLM requests per second by outcome",
            "Triton TensorRT-LLM requests running and waiting",
            "Triton TensorRT-LLM KV-cache usage",
            "Triton TensorRT-LLM tokens per second",
        ],
    ),
}


@pytest.fixture(scope="module")
def engines() -> Rendered:
    return render_spec(load_spec(ENGINES_SPEC))


def engine_rows(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in dashboard["panels"] if p["type"] == "row" and p["title"].startswith("Engine: ")}


def test_one_collapsed_row_per_engine_serving_specialist_in_spec_order(engines: Rendered) -> None:
    rows = engine_rows(engines.dashboards["specialist"])
    assert list(rows) == [f"Engine: {name} ({engine})" for name, (engine, _, _) in EXPECTED.items()]
    assert all(row["collapsed"] and row["panels"] for row in rows.values())


@pytest.mark.parametrize("name", EXPECTED)
def test_a_row_has_the_panels_its_release_can_fill(engines: Rendered, name: str) -> None:
    engine, _, titles = EXPECTED[name]
    row = engine_rows(engines.dashboards["specialist"])[f"Engine: {name} ({engine})"]
    assert [p["title"] for p in row["panels"]] == titles


@pytest.mark.parametrize("name", EXPECTED)
def test_every_engine_query_selects_that_engine_only(engines: Rendered, name: str) -> None:
    engine, selector, _ = EXPECTED[name]
    row = engine_rows(engines.dashboards["specialist"])[f"Engine: {name} ({engine})"]
    exprs = [t["expr"] for _, t in targets({"panels": row["panels"]})]
    assert exprs
    for expr in exprs:
        for label, value in selector.items():
            assert f'{label}="{value}"' in expr, expr
        assert "$specialist" not in expr  # engine series carry no specialist_type label


def test_units_follow_the_engine_metrics(engines: Rendered) -> None:
    units = {
        p["title"]: p["fieldConfig"]["defaults"].get("unit") for p in query_panels(engines.dashboards["specialist"])
    }
    assert units["Triton Inference Server time to first token p50 / p95 / p99"] == "ms"  # its histogram is in ms
    assert units["vLLM time to first token p50 / p95 / p99"] == "s"
    assert units["vLLM KV-cache usage"] == "percentunit"  # 0-1
    assert units["SGLang prefix-cache hit rate"] == "percentunit"


def test_four_engine_dashboards_are_schema_valid_and_lint_clean(engines: Rendered) -> None:
    for name, dashboard in engines.dashboards.items():
        assert schema_errors(dashboard) == [], name
    dashboards = {f"grafana/dashboards/{n}.json": d for n, d in engines.dashboards.items()}
    assert [d.format_text() for d in lint_dashboards(dashboards, catalog=engines.catalog)] == []


def _with_expr(make_dashboard: Callable[..., dict[str, Any]], expr: str) -> dict[str, Any]:
    dashboard = make_dashboard()
    dashboard["panels"][1]["targets"][0]["expr"] = expr
    return dashboard


def test_lint_takes_counter_types_from_the_catalog(
    engines: Rendered, make_dashboard: Callable[..., dict[str, Any]]
) -> None:
    # Triton's pending-request gauge ends in _count: only the suffix guess calls it a counter.
    gauge = _with_expr(make_dashboard, "sum(nv_inference_pending_request_count)")
    assert lint_dashboards({LINT_PATH: gauge}, catalog=engines.catalog) == []
    assert [d.code for d in lint_dashboards({LINT_PATH: gauge})] == ["GG410"]
    # a real counter is still one, colon names included
    counter = _with_expr(make_dashboard, 'sum(vllm:num_preemptions_total{job="vllm-code"})')
    [finding] = lint_dashboards({LINT_PATH: counter}, catalog=engines.catalog)
    assert "uses counter vllm:num_preemptions_total outside rate()" in finding.message


def test_engine_rows_beyond_a_page_go_to_further_pages(engines: Rendered) -> None:
    from dataclasses import replace

    from guardiangen.render.dashboards.specialist import PAGE_ENGINES

    many = engines.plan.dashboards.engines * 7  # 28 rows: a full page and 4 more
    plan = replace(engines.plan, dashboards=replace(engines.plan.dashboards, engines=many))
    paged = render_spec(engines.spec, plan).dashboards
    rows = {name: [p for p in paged[name]["panels"] if p["title"].startswith("Engine: ")] for name in paged}
    assert "specialist-p3" not in paged
    assert [len(rows["specialist"]), len(rows["specialist-p2"])] == [PAGE_ENGINES, len(many) - PAGE_ENGINES]
    assert paged["specialist"]["panels"][0]["title"] == "Traffic"  # page 1 keeps the specialist's own sections
    assert all(p["title"].startswith("Engine: ") for p in paged["specialist-p2"]["panels"])
    assert paged["specialist-p2"]["uid"] == paged["specialist"]["uid"] + "-p2"
    dashboards = {f"grafana/dashboards/{n}.json": d for n, d in paged.items()}
    assert [d.format_text() for d in lint_dashboards(dashboards, catalog=engines.catalog)] == []
