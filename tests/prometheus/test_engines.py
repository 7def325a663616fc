"""Serving-engine alerts: promtool accepts and tests them, each fires and stays silent, and each
engine gets exactly the alerts its metrics can carry.

The spec (``engines-cluster.yaml``) runs one specialist on each engine with every engine threshold
set; the expectations below follow from the engine catalogue (TGI exports no KV-cache usage, no
time to first token and no preemptions; Triton no running-request count, so no stall alert; Triton
with TensorRT-LLM no per-token latency and no preemptions; the scrape-target alert needs a `job`).
"""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml import YAML

from guardiangen import pipeline
from guardiangen.spec.models import ClusterSpec
from tests.prometheus.helpers import failures, render, run_all, spec_of

SPEC = Path(__file__).with_name("engines-cluster.yaml")

EXPECTED = {
    "code": {  # vLLM 0.13.0, job given
        "EngineKvCacheHigh",
        "EngineRequestsWaitingHigh",
        "EngineStalled",
        "EnginePreemptionsHigh",
        "EngineFirstTokenP95High",
        "EngineInterTokenP95High",
        "EngineTargetDown",
    },
    "math": {  # SGLang 0.5.23: its KV-cache alert is there by default (90%)
        "EngineKvCacheHigh",
        "EngineRequestsWaitingHigh",
        "EngineStalled",
        "EnginePreemptionsHigh",
        "EngineFirstTokenP95High",
        "EngineInterTokenP95High",
        "EngineTargetDown",
    },
    "medical": {"EngineRequestsWaitingHigh", "EngineStalled", "EngineInterTokenP95High", "EngineTargetDown"},  # TGI
    "legal": {"EngineRequestsWaitingHigh", "EngineFirstTokenP95High"},  # Triton, selected by namespace only
    # Triton TensorRT-LLM 0.18.0: the backend's KV-cache fraction, waiting and scheduled requests, Triton's
    # first-response histogram; no per-token latency and no preemption counter
    "finance": {
        "EngineKvCacheHigh",
        "EngineRequestsWaitingHigh",
        "EngineStalled",
        "EngineFirstTokenP95High",
        "EngineTargetDown",
    },
}


def _spec() -> ClusterSpec:
    result = pipeline.validate(str(SPEC))
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def test_engine_rules_pass_promtool_lint_and_their_tests(tmp_path: Path) -> None:
    tree = render(_spec(), tmp_path / "out")
    rules = tree.out / "prometheus/rules/engines.yml"
    tests = tree.out / "prometheus/tests/engines.yml"
    results = run_all([("check", "rules", "--lint=all", "--lint-fatal", str(rules)), ("test", "rules", str(tests))])
    assert not failures(results), failures(results)


def test_each_engine_gets_the_alerts_its_metrics_carry_each_tested_firing_and_silent(tmp_path: Path) -> None:
    tree = render(_spec(), tmp_path / "out")
    prefix = _spec().defaults.alert_name_prefix
    doc = YAML(typ="safe").load((tree.out / "prometheus/rules/engines.yml").read_text())
    found: dict[str, set[str]] = {}
    for group in doc["groups"]:
        for rule in group["rules"]:
            assert rule["labels"]["component"] == "engine"
            found.setdefault(rule["labels"]["specialist"], set()).add(rule["alert"].removeprefix(prefix))
    assert found == EXPECTED
    names = [t["name"] for t in YAML(typ="safe").load((tree.out / "prometheus/tests/engines.yml").read_text())["tests"]]
    for specialist, alerts in EXPECTED.items():
        for alert in alerts:
            cases = {
                n.rsplit(": ", 1)[1] for n in names if re.match(rf"{prefix}{alert} \(specialist={specialist}\)", n)
            }
            assert cases == {"fires", "stays silent"}, (specialist, alert, cases)


def test_engine_alerts_select_the_specialists_own_series(tmp_path: Path) -> None:
    """Model label, job and namespace from the spec; the served model defaults to `model`."""
    text = (render(_spec(), tmp_path / "out").out / "prometheus/rules/engines.yml").read_text()
    assert 'vllm:kv_cache_usage_perc{job="vllm-code",model_name="codellama/CodeLlama-34b-Instruct-hf"}' in text
    assert 'sglang:num_queue_reqs{job="sglang-math",model_name="deepseek-math-7b-rl"}' in text
    assert 'tgi_queue_size{job="tgi-medical"}' in text
    # Triton's first-response histogram is in milliseconds: 0.5 s is compared as 500.
    assert re.search(
        r'nv_inference_first_response_histogram_ms_bucket\{model="saul",namespace="llm-legal"\}.*> 500\n', text
    )


def test_a_spec_without_engines_has_no_engine_rules(tmp_path: Path) -> None:
    data = YAML(typ="safe").load(SPEC.read_text())
    for s in data["specialists"]:
        s.pop("engine", None)
    tree = render(spec_of(data, tmp_path), tmp_path / "out")
    assert not (tree.out / "prometheus/rules/engines.yml").exists()


ENGINE_SLOS = {
    "code-engine-availability",  # vLLM 0.13.0: finished_reason="error" of all finished requests
    "code-engine-inter-token-latency",
    "code-engine-time-to-first-token",
    "legal-engine-availability",  # Triton: failures over successes plus failures
    "legal-engine-time-to-first-token",  # Triton's millisecond histogram
    "finance-engine-availability",  # Triton TensorRT-LLM: Triton core's success and failure counters
    "finance-engine-time-to-first-token",
    "math-engine-availability",  # SGLang: aborted over all requests
    "math-engine-end-to-end-latency",
    "math-engine-queue-time",
    "medical-engine-availability",  # TGI: like Triton
}


def test_engine_slos_pass_promtool_lint_and_their_generated_tests(tmp_path: Path) -> None:
    tree = render(_spec(), tmp_path / "out")
    rules = sorted(p for p in tree.rule_files if "-engine-" in p.name)
    tests = sorted(p for p in tree.test_files if "-engine-" in p.name)
    assert {p.stem.removeprefix("slo-") for p in rules} == ENGINE_SLOS
    assert {p.stem.removeprefix("slo-") for p in tests} == ENGINE_SLOS
    results = run_all(
        [
            *(("check", "rules", "--lint=all", "--lint-fatal", str(p)) for p in rules),
            *(("test", "rules", str(p)) for p in tests),
        ]
    )
    assert not failures(results), failures(results)


def test_triton_first_token_slo_counts_the_millisecond_bucket(tmp_path: Path) -> None:
    """0.5 s is Triton's 500 ms bucket (its first-response histogram counts milliseconds)."""
    rules = render(_spec(), tmp_path / "out").out / "prometheus/rules/slo-legal-engine-time-to-first-token.yml"
    bucket = r'nv_inference_first_response_histogram_ms_bucket{model="saul",namespace="llm-legal",le=~"500(\\.0)?"}'
    assert bucket in rules.read_text()
