"""Rule lint and serving-engine metrics: names with colons that an engine exports are metrics, not
recording rules; names an engine replaced are a GG409 warning naming the replacement and the release
that brought it (issue #16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardiangen import pipeline
from guardiangen.catalog import Catalog, build_catalog
from guardiangen.catalog.engines import deprecations, release
from guardiangen.diagnostics import Diagnostic, Severity
from guardiangen.lint.rules import lint_catalog, lint_rule_file
from guardiangen.lint.run import lint_tree
from tests.conftest import ROOT

# A foreign rule file as a user writes it: findings point at its `expr:` key, line 6, column 9.
FOREIGN = """groups:
  - name: my-vllm
    rules:
      - alert: VllmRequestsQueued
        for: 5m
        expr: {expr}
        labels:
          severity: warning
        annotations:
          summary: Requests are queueing in vLLM.
          description: "{{{{ $value }}}} requests are waiting on {{{{ $labels.model_name }}}}."
"""
EXPR_AT = (6, 9)


@pytest.fixture(scope="module")
def no_engines() -> Catalog:
    return build_catalog(gpu_exporter="dcgm")


def _lint(catalog: Catalog, expr: str) -> list[Diagnostic]:
    return lint_rule_file(FOREIGN.format(expr=expr), catalog, path="mine.yml")


def _keys(diags: list[Diagnostic]) -> list[tuple[int, int, str, Severity]]:
    return [(d.line, d.col, d.code, d.severity) for d in diags]


def test_a_foreign_rule_on_num_requests_waiting_lints_clean(no_engines: Catalog) -> None:
    assert _lint(no_engines, "sum by (model_name) (vllm:num_requests_waiting) > 10") == []


@pytest.mark.parametrize(
    "expr",
    [
        "histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:time_to_first_token_seconds_bucket[5m]))) > 2",
        "max by (model_name) (sglang:num_queue_reqs) > 100",
        "sum(rate(tgi_request_failure[5m])) / sum(rate(tgi_request_success[5m])) > 0.01",
        "sum by (model) (rate(nv_inference_request_failure[5m])) > 1",
    ],
)
def test_any_engine_s_metrics_lint_clean_in_foreign_rules(no_engines: Catalog, expr: str) -> None:
    assert _lint(no_engines, expr) == []


def test_engine_metrics_keep_their_types_in_foreign_rules(no_engines: Catalog) -> None:
    (diag,) = _lint(no_engines, "rate(vllm:num_requests_waiting[5m]) > 1")
    assert (diag.code, diag.severity) == ("GG403", Severity.ERROR)
    assert "is a gauge" in diag.message


def test_a_colon_name_no_engine_exports_is_still_an_unrecorded_recording_rule(no_engines: Catalog) -> None:
    (diag,) = _lint(no_engines, "vllm:no_such_metric > 1")
    assert diag.code == "GG402"
    assert "looks like a recording rule" in diag.message


def test_a_deprecated_name_is_a_positioned_warning_naming_replacement_and_version(no_engines: Catalog) -> None:
    diags = _lint(no_engines, "max by (model_name) (vllm:gpu_cache_usage_perc) > 0.9")
    assert _keys(diags) == [(*EXPR_AT, "GG409", Severity.WARNING)]
    message = diags[0].message
    assert message.startswith('VllmRequestsQueued: "vllm:gpu_cache_usage_perc" is deprecated')
    assert "vLLM 0.9.2" in message
    assert "use vllm:kv_cache_usage_perc" in message


def test_a_deprecated_histogram_s_series_names_the_replacement_s_series(no_engines: Catalog) -> None:
    expr = "histogram_quantile(0.9, sum by (le) (rate(vllm:time_per_output_token_seconds_bucket[5m]))) > 0.2"
    (diag,) = _lint(no_engines, expr)
    assert diag.code == "GG409"
    assert "vLLM 0.10.2" in diag.message
    assert diag.message.endswith("use vllm:inter_token_latency_seconds_bucket")


def test_every_catalogued_rename_is_reported(no_engines: Catalog) -> None:
    assert deprecations()
    for d in deprecations():
        m = lint_catalog(no_engines).get(d.name)
        selector = {"counter": f"rate({d.name}[5m])", "histogram": f"rate({d.name}_count[5m])"}.get(
            m.type.value, d.name
        )
        diags = _lint(no_engines, f"sum({selector}) > 1")
        assert _keys(diags) == [(*EXPR_AT, "GG409", Severity.WARNING)], d
        assert d.replacement in diags[0].message and d.since in diags[0].message


def test_no_warning_when_the_spec_s_release_predates_the_rename() -> None:
    # vLLM 0.9.1 has only vllm:gpu_cache_usage_perc: there is nothing to switch to yet.
    catalog = build_catalog(engines=(release("vllm", "0.9.1"),))
    assert _lint(catalog, "max by (model_name) (vllm:gpu_cache_usage_perc) > 0.9") == []


def test_warning_when_the_spec_s_release_has_both_names() -> None:
    catalog = build_catalog(engines=(release("vllm", "0.10.0"),))
    diags = _lint(catalog, "max by (model_name) (vllm:gpu_cache_usage_perc) > 0.9")
    assert [d.code for d in diags] == ["GG409"]


def test_a_name_the_spec_s_release_no_longer_exports_is_an_error_saying_so() -> None:
    catalog = build_catalog(engines=(release("vllm", "0.13.0"),))
    diags = _lint(catalog, "max by (model_name) (vllm:gpu_cache_usage_perc) > 0.9")
    assert _keys(diags) == [(*EXPR_AT, "GG402", Severity.ERROR)]
    message = diags[0].message
    assert "looks like a recording rule" not in message
    assert "the vLLM release the spec names does not export it" in message
    assert "0.9.2 replaced it with vllm:kv_cache_usage_perc" in message


def test_lint_catalog_adds_only_engines_the_spec_does_not_name() -> None:
    catalog = build_catalog(engines=(release("vllm", "0.13.0"),))
    extended = lint_catalog(catalog)
    assert "vllm:gpu_cache_usage_perc" not in extended  # vLLM is named: its release decides
    assert "sglang:num_queue_reqs" in extended and "tgi_queue_size" in extended
    assert "nv_inference_request_success" in extended
    assert set(catalog.names()) <= set(extended.names())


def test_guardiangen_lint_reports_a_foreign_rule_file_in_the_out_tree(tmp_path: Path) -> None:
    """Through `lint_tree`, as `guardiangen lint` runs it, with the reference spec's catalog."""
    spec = pipeline.validate(str(ROOT / "specs" / "cluster.yaml")).spec
    assert spec is not None
    rules = tmp_path / "prometheus" / "rules"
    rules.mkdir(parents=True)
    (rules / "mine.yml").write_text(
        FOREIGN.format(expr="max by (model_name) (sglang:num_queue_reqs) > 100 or vllm:gpu_cache_usage_perc > 0.9"),
        encoding="utf-8",
    )
    diags = lint_tree(tmp_path, pipeline.catalog(spec))
    # The reference spec runs vLLM 0.13.0, which no longer exports the old KV-cache gauge.
    assert [(d.path.rsplit("/", 1)[-1], d.line, d.col, d.code) for d in diags] == [("mine.yml", *EXPR_AT, "GG402")]
    assert "vllm:kv_cache_usage_perc" in diags[0].message
