"""Shared builders for the profile tests: specs with an ``output:`` section, a synthetic rules plan,
synthetic dashboards, and renders of any profile without touching the disk."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
from ruamel.yaml import YAML

from guardiangen.plan.model import (
    AlertRuleTest,
    ExpectedAlert,
    ExpectedSample,
    InputSeries,
    PromqlExprTest,
    Rule,
    RuleGroup,
    RulesPlan,
    UnitTestCase,
    UnitTestFile,
    labels,
)
from guardiangen.render import RenderContext, render_all
from guardiangen.render.profiles import envelope_files
from guardiangen.spec.models import ClusterSpec, OutputProfile
from tests.conftest import REFERENCE_SPEC, plan_of, render_context

PROFILES = tuple(OutputProfile)
ENVELOPES = tuple(p for p in OutputProfile if p is not OutputProfile.PLAIN)


def reference_data() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(REFERENCE_SPEC.read_text(encoding="utf-8"))
    return data


def make_spec(output: dict[str, Any] | None = None, **top: Any) -> ClusterSpec:
    """The reference spec with an ``output:`` section (and any top-level sections replaced)."""
    data = copy.deepcopy(reference_data())
    if output is not None:
        data["output"] = output
    data.update(top)
    return ClusterSpec.model_validate_json(json.dumps(data), strict=True)


def synthetic_rules() -> RulesPlan:
    """Two rules files, recording and alerting rules, group limit and interval, a multi-line expression
    and templated annotations, plus a promtool test that exercises both kinds of rule."""
    recording = Rule(
        expr="sum by (specialist) (rate(specialist_requests_total[5m]))",
        record="specialist:requests:rate5m",
        labels=labels(component="specialist"),
    )
    idle = Rule(
        expr="specialist:requests:rate5m < 1",
        alert="LLMGuardianSpecialistIdle",
        for_="10m",
        keep_firing_for="5m",
        labels=labels(severity="warning", team="code-platform", component="specialist"),
        annotations=labels(
            summary="Specialist serves few requests",
            description="{{ $labels.specialist }} serves {{ $value }} requests per second",
        ),
    )
    ratio = Rule(
        expr='(\n  sum by (specialist) (rate(specialist_requests_total{status="error"}[5m]))\n)\n/\n'
        "(\n  sum by (specialist) (rate(specialist_requests_total[5m]))\n)",
        record="specialist:request_errors:ratio_rate5m",
    )
    groups = (
        RuleGroup("specialists.recording", (recording, ratio), interval="30s", limit=1000, file="specialists"),
        RuleGroup("specialists.alerts", (idle,), interval="30s", file="specialists"),
        RuleGroup(
            "slo.code.availability",
            (Rule(expr="1 - specialist:request_errors:ratio_rate5m", record="slo:sli:ratio_rate5m"),),
            file="slo",
        ),
    )
    expected = ExpectedAlert(
        labels=labels(component="specialist", severity="warning", specialist="code", team="code-platform"),
        annotations=labels(summary="Specialist serves few requests", description="code serves 0.5 requests per second"),
    )
    case = UnitTestCase(
        name="idle specialist",
        interval="1m",
        input_series=(InputSeries('specialist_requests_total{specialist="code",status="ok"}', "0+30x40"),),
        alert_rule_tests=(AlertRuleTest("20m", "LLMGuardianSpecialistIdle", (expected,)),),
        promql_expr_tests=(
            PromqlExprTest(
                "specialist:requests:rate5m",
                "20m",
                (ExpectedSample('specialist:requests:rate5m{component="specialist",specialist="code"}', "0.5"),),
            ),
        ),
    )
    tests = (UnitTestFile("specialists", ("specialists",), "30s", (case,)),)
    return RulesPlan(groups=groups, tests=tests)


def dashboard(uid: str, panels: int = 2, padding: int = 0) -> str:
    """A small dashboard as the grafana target writes it (pretty JSON); ``padding`` makes it big."""
    body = {
        "uid": uid,
        "title": f"Synthetic {uid} – ≥ unicode",
        "schemaVersion": 39,
        "panels": [
            {"id": i, "type": "timeseries", "title": f"Panel {i}", "description": "x" * padding}
            for i in range(1, panels + 1)
        ],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def context(spec: ClusterSpec, profile: OutputProfile, rules: RulesPlan | None = None) -> RenderContext:
    """The render context of ``spec`` with ``profile`` in force; ``rules`` replace the spec's rules plan."""
    plan = plan_of(spec, profile)
    return render_context(plan if rules is None else replace(plan, rules=rules, slos=()))


def render(
    spec: ClusterSpec,
    profile: OutputProfile,
    rules: RulesPlan | None = None,
    dashboards: dict[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """(plain files, envelope files) of one profile; ``dashboards`` stand in for grafana/dashboards/*.json."""
    ctx = context(spec, profile, rules)
    plain = render_all(replace(ctx, plan=replace(ctx.plan, deployment=replace(ctx.plan.deployment, profile="plain"))))
    for name, text in (dashboards or {}).items():
        plain[f"grafana/dashboards/{name}.json"] = text
    return plain, envelope_files(ctx, plain)


def yaml_documents(text: str) -> list[Any]:
    """Every document of a YAML stream, parsed the way kubectl would (safe loader, YAML 1.2)."""
    return [d for d in YAML(typ="safe", pure=True).load_all(text) if d is not None]


@pytest.fixture
def rules() -> RulesPlan:
    return synthetic_rules()
