"""Serving engines end to end: recorded engine expositions, a real Prometheus, the generated engine rules and panels.

The four-engine spec (tests/prometheus/engines-cluster.yaml) is rendered with the engine versions
the recordings under tests/fixtures/engines come from, each specialist's engine selector set to the
recording's model label value and to this run's scrape job. The loopback exporter serves the
recordings (:mod:`.recorded`: names, labels and distributions as recorded, counters growing), plus
synthetic series only for what no recording holds: TGI and Triton TensorRT-LLM (none was recorded) and the catalogued
metrics a recording lacks (:data:`NOT_RECORDED`). A real Prometheus scrapes it and evaluates every
generated rule; every query of the specialist dashboard's engine rows must return series.

This module's ``rendered`` and ``exporter`` fixtures replace the conftest's for its tests; the
conftest's ``alertmanager`` and ``prometheus`` fixtures run on them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from guardiangen import pipeline
from guardiangen.plan.model import EngineView
from tests.alertmanager.helpers import render_to
from tests.conftest import ROOT
from tests.e2e import exporter as exporter_mod
from tests.e2e import webhook
from tests.e2e.conftest import HISTORY_SECONDS, JOB, Rendered
from tests.e2e.processes import Server
from tests.e2e.recorded import recorded_series
from tests.e2e.test_e2e import instant, unhealthy_rules, wait_scraped

ENGINES_SPEC = ROOT / "tests" / "prometheus" / "engines-cluster.yaml"
RATE_INTERVAL = "2m"  # stands for Grafana's $__rate_interval

# specialist -> (engine version, recording, the recording's model label value); see PROVENANCE.md
RECORDED = {
    "code": ("0.10.0", "vllm-0.10.0-v0.prom", "Qwen/Qwen3-0.6B"),
    "math": ("0.3.6", "sglang-0.3.x.prom", "meta-llama/Llama-3.1-8B-Instruct"),
    "legal": ("2.48.0", "triton-2.48-2.51.prom", "densenet_onnx"),
}
# Catalogued signal metrics a recording lacks (tests/unit/test_engine_expositions.py says why: the
# recording is of vLLM's V0 engine, these are V1's): served synthetic so that their panels are judged too.
NOT_RECORDED = {
    "code": {"vllm:kv_cache_usage_perc", "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total"},
    "math": set(),
    "legal": set(),
}


def _spec_data(sink_url: str) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(ENGINES_SPEC.read_text(encoding="utf-8"))
    data["defaults"].update(scrape_interval="1s", rule_evaluation_interval="1s")
    data["alerting"]["receivers"] = [{"name": "team-slack", "webhook": {"url": f"{sink_url}team-slack"}}]
    for s in data["specialists"]:
        engine = s["engine"]
        engine.pop("namespace", None)
        engine["job"] = JOB
        if s["name"] in RECORDED:
            version, _, model = RECORDED[s["name"]]
            engine.update(version=version, served_model_name=model)
        # SLOs and thresholds the recorded (older) releases cannot carry are GG216 errors: drop them
        slos, thresholds = engine.setdefault("slos", {}), engine.setdefault("thresholds", {})
        if s["name"] in ("code", "math"):  # vLLM before 0.13.0, SGLang before 0.4.10: no failed requests
            slos.pop("availability", None)
        if s["name"] == "math":  # SGLang 0.3.6: retractions only in a gauge, no queue-time histogram
            thresholds["preemptions_per_second_max"] = None
            slos.pop("queue_time", None)
        if s["name"] == "legal":  # Triton before 2.52.0 has no first-response histogram
            slos.pop("time_to_first_token", None)
            thresholds["time_to_first_token_p95_max_seconds"] = None
    return data


@pytest.fixture(scope="module")
def rendered(workdir: Path, sink: webhook.WebhookSink) -> Rendered:
    (workdir / "spec").mkdir()
    path = workdir / "spec" / "cluster.yaml"
    path.write_text(json.dumps(_spec_data(sink.url), indent=1), encoding="utf-8")
    result = pipeline.validate(str(path))
    assert result.spec is not None, "\n".join(d.format_text() for d in result.diagnostics)
    out = workdir / "out"
    render_to(result.spec, out)
    return Rendered(result.spec, pipeline.catalog(result.spec), out)


@pytest.fixture(scope="module")
def engines(rendered: Rendered) -> tuple[EngineView, ...]:
    return pipeline.plan(rendered.spec).dashboards.engines


def engine_series(rendered: Rendered, engines: tuple[EngineView, ...]) -> list[exporter_mod.Series]:
    """The recordings, relabelled to each specialist's selector, and synthetic series for the rest."""
    out: list[exporter_mod.Series] = []
    for e in engines:
        selector = dict(e.selector)
        recorded = []
        if e.specialist in RECORDED:
            recorded = recorded_series(RECORDED[e.specialist][1], rendered.catalog, **selector)
        have = {s.metric for s in recorded}
        made: set[tuple[str, tuple[tuple[str, str], ...]]] = set()  # one synthetic series per metric and matchers
        for source in e.release.signals.values():
            m = rendered.catalog.get(source.metric.name)  # the catalog's labels: the release's plus `namespace`
            if m.name in have or (m.name, source.matchers) in made:
                continue
            assert e.specialist not in RECORDED or m.name in NOT_RECORDED[e.specialist], (
                f"{m.name} ({e.specialist}) is a signal of {e.release.engine} {e.release.version} but not recorded"
            )
            # `job` is no exposed label: Prometheus attaches the scrape job's
            chosen = selector | dict(source.matchers)
            labels = {label: chosen.get(label, "0") for label in m.labels}
            value: exporter_mod.Value
            if m.type.value == "histogram":
                value = exporter_mod.Histogram(2.0, {m.buckets[0]: 1.0})
            elif m.type.value == "counter":
                value = exporter_mod.Counter(2.0)
            else:
                value = exporter_mod.Gauge(0.5 if m.selected(source.matchers).unit.value == "ratio" else 3.0)
            recorded.append(exporter_mod.Series(m.name, tuple(sorted(labels.items())), value))
            made.add((m.name, source.matchers))
        out += recorded
    return out


@pytest.fixture(scope="module")
def exporter(rendered: Rendered, engines: tuple[EngineView, ...]) -> Iterator[exporter_mod.Exporter]:
    series = engine_series(rendered, engines)
    assert exporter_mod.check(rendered.catalog, series) == []
    e = exporter_mod.serve(rendered.catalog, series, origin=time.time() - HISTORY_SECONDS)
    try:
        yield e
    finally:
        e.stop()


def test_the_recordings_are_served_as_recorded(rendered: Rendered, engines: tuple[EngineView, ...]) -> None:
    served = {(s.metric, s.labels) for s in engine_series(rendered, engines)}
    for e in engines:
        if e.specialist not in RECORDED:
            continue
        for s in recorded_series(RECORDED[e.specialist][1], rendered.catalog, **dict(e.selector)):
            assert (s.metric, s.labels) in served
        signals = {source.metric.name for source in e.release.signals.values()}
        recorded = {s.metric for s in recorded_series(RECORDED[e.specialist][1], rendered.catalog)}
        assert signals - recorded == NOT_RECORDED[e.specialist], e.specialist
    # the selector really is the recording's model label (a wrong one would select nothing below)
    assert ("model_name", "Qwen/Qwen3-0.6B") in dict((e.specialist, e.selector) for e in engines)["code"]


def test_every_generated_rule_evaluates_cleanly_on_engine_series(prometheus: Server, rendered: Rendered) -> None:
    bad = unhealthy_rules(prometheus, rendered)
    assert not bad, "rules that fail to evaluate:\n" + "\n".join(bad)


def engine_queries(rendered: Rendered) -> list[tuple[str, str]]:
    """(where, expr) of every target in the specialist dashboard's engine rows."""
    dashboard = json.loads((rendered.out / "grafana" / "dashboards" / "specialist.json").read_text())
    out = []
    for row in dashboard["panels"]:
        if row["type"] == "row" and row["title"].startswith("Engine: "):
            for panel in row["panels"]:
                for target in panel["targets"]:
                    where = f"{row['title']} / {panel['title']} / {target['refId']}"
                    out.append((where, target["expr"].replace("$__rate_interval", RATE_INTERVAL)))
    return out


def test_every_engine_panel_query_returns_series(prometheus: Server, rendered: Rendered) -> None:
    queries = engine_queries(rendered)
    assert len(queries) > 20  # four engine rows
    wait_scraped(prometheus)
    empty = [f"{where}: {expr}" for where, expr in queries if not instant(prometheus, expr)]
    assert not empty, "engine panel queries without series:\n" + "\n".join(empty)
