"""Every catalogued release of every engine: a specialist on it with every threshold and SLO the
release can carry validates, and its rules pass `promtool check rules --lint=all --lint-fatal` and
their generated `promtool test rules`.

The four-engine spec (test_engines.py) judges one release per engine; this one judges the data of
all of them, so a catalogue entry with a wrong type, bucket or matcher fails here even when no
other spec names that release. What a release can carry comes from its signals; latency SLOs take
the middle bucket boundary of their histogram (GG207 accepts only boundaries).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from guardiangen import pipeline
from guardiangen.catalog import engines as eng
from guardiangen.lint.run import lint_tree
from guardiangen.spec.engine_checks import LATENCY_SLO_SIGNALS, THRESHOLD_SIGNALS, availability_missing, bucket_seconds
from tests.prometheus.helpers import failures, render, run_all, spec_of

BASE = Path(__file__).with_name("engines-cluster.yaml")
THRESHOLDS: dict[str, Any] = {
    "kv_cache_usage_max_percent": 90,
    "waiting_requests_max": 10,
    "preemptions_per_second_max": 0.5,
    "time_to_first_token_p95_max_seconds": 2,
    "inter_token_latency_p95_max_seconds": 0.1,
}


def _distinct_releases() -> list[tuple[str, str]]:
    """Every catalogued release whose signals read other metric definitions (type, unit, labels,
    buckets, help), matchers or parts than an older release of its engine: the others would
    render the same rules."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for engine in eng.ENGINES:
        for version in eng.catalogued_versions(engine):
            sources = eng.release(engine, version).signals.items()
            key = (
                engine,
                *sorted((s.value, src.metric.model_dump_json(), src.matchers, src.part) for s, src in sources),
            )
            if key not in seen:
                seen.add(key)
                out.append((engine, version))
    return out


RELEASES = _distinct_releases()


def _engine(engine: str, version: str, n: int) -> dict[str, Any]:
    r = eng.release(engine, version)
    thresholds = {
        field: (THRESHOLDS[field] if all(r.signal(s) for s in signals) else None)
        for field, signals in THRESHOLD_SIGNALS.items()
    }
    slos: dict[str, Any] = {}
    if availability_missing(r) is None:
        slos["availability"] = {"objective_percent": 99.5}
    for field, signal in LATENCY_SLO_SIGNALS.items():
        source = r.signal(signal)
        if source is not None and source.metric.buckets:
            bounds = bucket_seconds(source.metric)
            slos[field] = {"objective_percent": 95, "threshold_seconds": float(bounds[len(bounds) // 2])}
    block: dict[str, Any] = {"name": engine, "version": version, "job": f"job-{n}", "thresholds": thresholds}
    if slos:
        block["slos"] = slos
    return block


def _spec_data() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(BASE.read_text(encoding="utf-8"))
    data["specialists"] = [
        {"name": f"s{n}", "team": "platform", "model": f"model-{n}", "engine": _engine(engine, version, n)}
        for n, (engine, version) in enumerate(RELEASES)
    ]
    for g in data["guardians"]:
        g["watches"] = ["s0"]
    return data


def test_the_spec_covers_every_engine_and_every_change_of_its_signals() -> None:
    assert {engine for engine, _ in RELEASES} == set(eng.ENGINES)
    assert ("vllm", "0.9.2") in RELEASES and ("vllm", "0.10.0") not in RELEASES  # 0.10.0 reads what 0.9.2 does
    assert [v for e, v in RELEASES if e == "triton-trtllm"] == ["0.13.0", "0.16.0", "0.18.0"]


def test_two_releases_of_one_engine_keep_their_own_buckets(tmp_path: Path) -> None:
    """SGLang 0.3.6 has a 0.75 s TTFT bucket that 0.5.23 lacks; the catalog defines the metric once
    (by the newest release), so the older specialist's SLO must still count its own bucket."""
    assert 0.75 in eng.release("sglang", "0.3.6").signal(eng.Signal.TIME_TO_FIRST_TOKEN).metric.buckets  # type: ignore[union-attr]
    assert 0.75 not in eng.release("sglang", "0.5.23").signal(eng.Signal.TIME_TO_FIRST_TOKEN).metric.buckets  # type: ignore[union-attr]
    data = _spec_data()
    ttft = {"objective_percent": 95, "threshold_seconds": 0.75}
    data["specialists"] = [
        {
            "name": f"s{n}",
            "team": "platform",
            "model": f"m{n}",
            "engine": {"name": "sglang", "version": v, "job": f"j{n}"},
        }
        for n, v in enumerate(("0.3.6", "0.5.23"))
    ]
    data["specialists"][0]["engine"]["slos"] = {"time_to_first_token": ttft}
    tree = render(spec_of(data, tmp_path), tmp_path / "out")
    rules = (tree.out / "prometheus/rules/slo-s0-engine-time-to-first-token.yml").read_text(encoding="utf-8")
    assert r'sglang:time_to_first_token_seconds_bucket{job="j0",model_name="m0",le=~"0\\.75"}' in rules


def test_every_engine_release_renders_rules_promtool_accepts_and_tests(tmp_path: Path) -> None:
    spec = spec_of(_spec_data(), tmp_path)
    tree = render(spec, tmp_path / "out")
    # guardiangen's own lint (units, counters, buckets, selectors) finds no error; warnings are the
    # deprecated names the older releases still export (GG409)
    findings = lint_tree(tree.out, pipeline.catalog(spec))
    assert [d.format_text() for d in findings if d.severity.value == "error"] == []
    assert {d.code for d in findings} <= {"GG409"}
    rules = [p for p in tree.rule_files if p.name.startswith(("engines", "slo"))]  # large trees are chunked
    tests = [p for p in tree.test_files if p.name.startswith(("engines", "slo"))]
    text = "".join(p.read_text(encoding="utf-8") for p in rules)
    assert all(f'job="job-{n}"' in text for n in range(len(RELEASES)))  # every release got rules
    results = run_all(
        [
            ("check", "rules", "--lint=all", "--lint-fatal", *map(str, rules)),
            *(("test", "rules", str(p)) for p in tests),
        ]
    )
    assert not failures(results), failures(results)
