"""The multi-cluster label: stamped on every rule and on the promtool expectations that see it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from guardiangen.plan import catalog_for
from guardiangen.plan.model import ExpectedSample, Plan, PromqlExprTest, Rule, RuleGroup, RulesPlan, labels
from guardiangen.render.profiles.content import stamp_cluster_label
from guardiangen.spec.models import OutputProfile
from tests.profiles.conftest import make_spec, render, yaml_documents

CATALOG = catalog_for(make_spec())


def test_unset_label_changes_nothing(plan: Plan) -> None:
    assert stamp_cluster_label(plan, make_spec(), CATALOG) is plan


def test_every_recording_and_alerting_rule_gets_the_label(plan: Plan) -> None:
    stamped = stamp_cluster_label(plan, make_spec({"cluster_label": "cluster"}), CATALOG)
    rules = [r for g in stamped.rules.groups for r in g.rules]
    assert {r.is_alert for r in rules} == {True, False}
    for rule in rules:
        assert ("cluster", "llm-guardian-prod") in rule.labels
        assert list(rule.labels) == sorted(rule.labels)


def test_promtool_expectations_follow(plan: Plan) -> None:
    stamped = stamp_cluster_label(plan, make_spec({"cluster_label": "k8s_cluster"}), CATALOG)
    (case,) = stamped.rules.tests[0].tests
    (alert,) = case.alert_rule_tests[0].exp_alerts
    assert ("k8s_cluster", "llm-guardian-prod") in alert.labels
    (sample,) = case.promql_expr_tests[0].exp_samples
    assert sample.labels == (
        'specialist:requests:rate5m{component="specialist",specialist="code", k8s_cluster="llm-guardian-prod"}'
    )


def test_samples_gain_the_label_exactly_where_the_result_keeps_it() -> None:
    """Decided by the PromQL label inference: raw series lack the label, recorded series have it,
    functions and scalar arithmetic keep it, aggregations without it in `by` drop it."""
    rule = Rule(expr="sum by (job) (up)", record="job:up:sum")
    tests = (
        PromqlExprTest("up", "1m", (ExpectedSample('up{job="a"}', "1"),)),
        PromqlExprTest("sum(job:up:sum)", "1m", (ExpectedSample("{}", "1"),)),
        PromqlExprTest("job:up:sum", "1m", (ExpectedSample("job:up:sum", "1"),)),
        PromqlExprTest("abs(job:up:sum / 2 - 1) < bool 0.1", "1m", (ExpectedSample('{job="a"}', "1"),)),
        PromqlExprTest("sum by (job, cluster) (job:up:sum)", "1m", (ExpectedSample('{job="a"}', "1"),)),
        PromqlExprTest("absent(nothing_here)", "1m", (ExpectedSample("{}", "1"),)),
    )
    from guardiangen.plan.model import InputSeries, UnitTestCase, UnitTestFile

    case = UnitTestCase("c", "1m", (InputSeries("up", "1"),), promql_expr_tests=tests)
    plan = Plan(rules=RulesPlan((RuleGroup("g", (rule,)),), (UnitTestFile("t", ("rules",), "1m", (case,)),)))
    stamped = stamp_cluster_label(plan, make_spec({"cluster_label": "cluster"}), CATALOG)
    samples = [t.exp_samples[0].labels for t in stamped.rules.tests[0].tests[0].promql_expr_tests]
    assert samples == [
        'up{job="a"}',
        "{}",
        'job:up:sum{cluster="llm-guardian-prod"}',
        '{job="a", cluster="llm-guardian-prod"}',
        '{job="a", cluster="llm-guardian-prod"}',
        "{}",
    ]


def test_a_rule_that_already_sets_the_label_differently_is_an_error() -> None:
    rule = Rule(expr="up == 0", alert="Down", labels=labels(cluster="elsewhere"))
    plan = Plan(rules=RulesPlan((RuleGroup("g", (rule,)),)))
    with pytest.raises(ValueError, match='rule Down already sets cluster="elsewhere"'):
        stamp_cluster_label(plan, make_spec({"cluster_label": "cluster"}), CATALOG)


def test_the_label_reaches_every_profile(plan: Plan) -> None:
    spec = make_spec({"cluster_label": "cluster"})
    stamped = stamp_cluster_label(plan, spec, CATALOG)
    for profile in OutputProfile:
        plain, files = render(spec, profile, stamped)
        for text in [t for p, t in plain.items() if p.startswith("prometheus/rules/")] + list(files.values()):
            for doc in yaml_documents(text):
                groups = doc.get("groups") or doc.get("spec", {}).get("groups", [])
                for group in groups:
                    for rule in group["rules"]:
                        assert rule["labels"]["cluster"] == "llm-guardian-prod"


@pytest.mark.parametrize("label", [None, "cluster"])
def test_promtool_tests_pass_with_and_without_the_label(label: str | None, plan: Plan, tmp_path: Path) -> None:
    spec = make_spec({"cluster_label": label} if label else {})
    plain, _ = render(spec, OutputProfile.PLAIN, stamp_cluster_label(plan, spec, CATALOG))
    for relpath, text in plain.items():
        target = tmp_path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    test_file = tmp_path / "prometheus" / "tests" / "specialists.yml"
    _numeric_sample_values(test_file)
    proc = subprocess.run(["promtool", "test", "rules", str(test_file)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _numeric_sample_values(test_file: Path) -> None:
    """promtool 2.42 reads ``exp_samples[].value`` only as a YAML number; the plain renderer writes the
    plan's exact decimal text as a string. Not this module's concern, so convert before running."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    doc = yaml.load(test_file.read_text(encoding="utf-8"))
    for case in doc["tests"]:
        for expr_test in case.get("promql_expr_test", []):
            for sample in expr_test["exp_samples"]:
                sample["value"] = float(sample["value"])
    with test_file.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)


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
