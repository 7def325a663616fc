"""`guardiangen metrics --engine NAME@VERSION`: one catalogued engine release, its metrics and signals."""

from __future__ import annotations

import json

from guardiangen.catalog.engines import Signal, release
from tests.conftest import run_cli


def test_table_lists_the_release_its_metrics_and_every_signal() -> None:
    proc = run_cli("metrics", "--engine", "vllm@0.11.1")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("vLLM 0.11.0 (the catalogued release for 0.11.1); model label: model_name\n")
    r = release("vllm", "0.11.1")
    for m in r.metrics:
        assert f"\n{m.name} " in out
    assert f"\n{len(r.metrics)} metrics\n" in out
    for s in Signal:
        assert f"\n{s.value} " in out
    assert "kv_cache_usage          vllm:kv_cache_usage_perc" in out


def test_json_carries_metrics_signals_and_why_a_signal_is_missing() -> None:
    proc = run_cli("metrics", "--engine", "tgi@3.3.7", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["engine"], doc["version"], doc["model_label"]) == ("tgi", "3.3.7", None)
    assert doc["signals"]["requests_failed"]["metric"] == "tgi_request_failure"
    assert "no time-to-first-token metric" in doc["missing"]["time_to_first_token"]
    assert {m["name"] for m in doc["metrics"]} == {m.name for m in release("tgi", "3.3.7").metrics}


def test_bad_engine_choices_are_usage_errors() -> None:
    for choice, says in (
        ("vllm", "is not NAME@VERSION"),
        ("vllm@0.1", "older than every release"),
        ("nginx@1.0", 'unknown engine "nginx"'),
    ):
        proc = run_cli("metrics", "--engine", choice)
        assert proc.returncode == 2, choice
        assert says in proc.stderr, (choice, proc.stderr)
    proc = run_cli("metrics", "specs/cluster.yaml", "--engine", "vllm@0.11.0")
    assert proc.returncode == 2 and "not both" in proc.stderr
