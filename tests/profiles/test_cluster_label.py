"""The multi-cluster label: stamped on every rule as it is built, and on the promtool expectations."""

from __future__ import annotations

import subprocess
from pathlib import Path

import promql_parser
import pytest

from guardiangen.plan.model import Plan, Rule, labels
from guardiangen.plan.stamp import stamped as stamped_labels
from guardiangen.spec.models import OutputProfile
from tests.conftest import plan_of
from tests.profiles.conftest import make_spec, render, yaml_documents

LABEL = "k8s_cluster"  # the reference spec's alert_labels already set `cluster` on every alert
PAIR = (LABEL, "llm-guardian-prod")


@pytest.fixture(scope="module")
def stamped() -> Plan:
    return plan_of(make_spec({"cluster_label": LABEL}))


def _rules(plan: Plan) -> list[Rule]:
    return [r for g in (*plan.rules.groups, *plan.rules.test_copies) for r in g.rules]


def test_unset_label_changes_nothing() -> None:
    plan = plan_of(make_spec())
    assert not any(name == LABEL for r in _rules(plan) for name, _ in r.labels)
    assert stamped_labels(labels(a="1"), (), "rule r") == labels(a="1")


def test_every_recording_and_alerting_rule_gets_the_label(stamped: Plan) -> None:
    rules = _rules(stamped)
    assert {r.is_alert for r in rules} == {True, False}
    for rule in rules:
        assert PAIR in rule.labels, rule.name
        assert list(rule.labels) == sorted(rule.labels)


def test_promtool_expectations_follow(stamped: Plan) -> None:
    """Expected alerts carry their rule's labels, expected samples of recorded series its static labels."""
    text = f'{LABEL}="llm-guardian-prod"'
    alerts = samples = 0
    for test in stamped.rules.tests:
        for case in test.tests:
            for alert_test in case.alert_rule_tests:
                for alert in alert_test.exp_alerts:
                    assert PAIR in alert.labels, (test.name, case.name)
                    alerts += 1
            for expr_test in case.promql_expr_tests:
                for sample in expr_test.exp_samples:
                    assert text in sample.labels, (test.name, case.name, sample.labels)
                    samples += 1
    assert alerts > 100 and samples > 100


def test_expression_tests_read_only_recorded_series_and_aggregate_nothing(stamped: Plan) -> None:
    """Why every expected sample carries the label (see guardiangen.plan.stamp): each generated
    expression test reads recorded series of the plan, and nothing in it aggregates the label away."""
    records = {r.record for r in _rules(stamped) if r.record}
    seen = 0

    def walk(node: object) -> None:
        nonlocal seen
        assert not isinstance(node, promql_parser.AggregateExpr), node
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name in records, node.name
            seen += 1
        for attr in ("expr", "lhs", "rhs", "args"):
            child = getattr(node, attr, None)
            for c in child if isinstance(child, list) else [child]:
                if c is not None and not isinstance(c, str | int | float):
                    walk(c)

    for test in stamped.rules.tests:
        for case in test.tests:
            for expr_test in case.promql_expr_tests:
                walk(promql_parser.parse(expr_test.expr))
    assert seen > 100


def test_a_rule_that_already_sets_the_label_differently_is_an_error() -> None:
    with pytest.raises(ValueError, match='rule Down already sets cluster="elsewhere"'):
        stamped_labels(labels(cluster="elsewhere"), (("cluster", "llm-guardian-prod"),), "rule Down")


def test_the_label_reaches_every_profile() -> None:
    spec = make_spec({"cluster_label": "cluster"})
    for profile in OutputProfile:
        plain, files = render(spec, profile)
        for text in [t for p, t in plain.items() if p.startswith("prometheus/rules/")] + list(files.values()):
            for doc in yaml_documents(text):
                groups = doc.get("groups") or doc.get("spec", {}).get("groups", [])
                for group in groups:
                    for rule in group["rules"]:
                        assert rule["labels"]["cluster"] == "llm-guardian-prod"


def test_reference_rules_and_their_tests_pass_promtool_with_the_label(tmp_path: Path) -> None:
    """The real rules plan, stamped: every generated promtool test still passes."""
    from tests.conftest import REFERENCE_SPEC, run_cli

    spec = tmp_path / "cluster.yaml"
    spec.write_text(REFERENCE_SPEC.read_text(encoding="utf-8") + "\noutput:\n  cluster_label: cluster\n")
    out = tmp_path / "out"
    proc = run_cli("render", str(spec), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rules = sorted((out / "prometheus" / "rules").glob("*.yml"))
    for path in rules:
        for group in yaml_documents(path.read_text(encoding="utf-8"))[0]["groups"]:
            assert all(r["labels"]["cluster"] == "llm-guardian-prod" for r in group["rules"])
    tests = sorted((out / "prometheus" / "tests").glob("*.yml"))
    for argv in (["check", "rules", *map(str, rules)], ["test", "rules", *map(str, tests)]):
        proc = subprocess.run(["promtool", *argv], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
