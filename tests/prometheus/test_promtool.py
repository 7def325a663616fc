"""The rendered reference rules under the real promtool: lint-clean, and every generated test passes.

Also: every alert of the plan has a firing and a silent case, every recording rule an exact
``promql_expr_test``, the offline lint finds nothing, and a wrong threshold or annotation in the
rules makes the generated tests fail (they test something).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from guardiangen.lint.rules import lint_rule_files
from guardiangen.plan import rules
from guardiangen.plan.model import Plan, Rule, UnitTestFile
from guardiangen.spec.catalog import catalog_for
from guardiangen.spec.models import ClusterSpec
from tests.prometheus.helpers import RULES_DIR, TESTS_DIR, Rendered, failures, run, run_all


def test_every_rules_file_passes_promtool_check_with_all_lints(reference_tree: Rendered) -> None:
    assert reference_tree.rule_files
    results = run_all(("check", "rules", "--lint=all", "--lint-fatal", str(f)) for f in reference_tree.rule_files)
    assert not failures(results), failures(results)


def test_every_generated_test_file_passes_promtool(reference_tree: Rendered) -> None:
    assert reference_tree.test_files
    results = run_all(("test", "rules", str(f)) for f in reference_tree.test_files)
    assert not failures(results), failures(results)


def _cases_for(rule: Rule, group_file: str, tests: tuple[UnitTestFile, ...]) -> tuple[int, int]:
    """(firing, silent) assertions about ``rule`` in test files that load its rules file.

    Firing: an expected alert carrying all of the rule's labels. Silent: a check of the rule's
    name at which no such alert is expected. Rules sharing a name differ in their labels.
    """
    static = set(rule.labels)
    firing = silent = 0
    for test in tests:
        if group_file not in test.rule_files:
            continue
        for case in test.tests:
            for check in case.alert_rule_tests:
                if check.alertname != rule.alert:
                    continue
                if any(static <= set(e.labels) for e in check.exp_alerts):
                    firing += 1
                else:
                    silent += 1
    return firing, silent


def test_every_alert_has_a_firing_and_a_silent_case(reference_plan: Plan) -> None:
    missing = []
    for group in reference_plan.rules.groups:
        for rule in group.rules:
            if rule.is_alert:
                firing, silent = _cases_for(rule, group.file, reference_plan.rules.tests)
                if not (firing and silent):
                    missing.append(f"{rule.alert} {dict(rule.labels)}: {firing} firing, {silent} silent")
    assert not missing, "\n".join(missing)


def test_every_recording_rule_is_checked_exactly(reference_spec: ClusterSpec, reference_plan: Plan) -> None:
    domains = {d.name for d in rules.domains(reference_spec, catalog_for(reference_spec))}
    checked = {
        (test.name, t.expr)
        for test in reference_plan.rules.tests
        for case in test.tests
        for t in case.promql_expr_tests
    }
    unchecked = [
        f"{group.file}: {rule.record}"
        for group in reference_plan.rules.groups
        if group.file in domains
        for rule in group.rules
        if rule.record and (group.file, rule.record) not in checked
    ]
    assert not unchecked, unchecked


def test_offline_lint_finds_nothing_in_the_component_rules(
    reference_spec: ClusterSpec, reference_tree: Rendered
) -> None:
    catalog = catalog_for(reference_spec)
    ours = {d.name for d in rules.domains(reference_spec, catalog)}
    files = {str(p): p.read_text(encoding="utf-8") for p in reference_tree.rule_files if p.stem in ours}
    assert len(files) == len(ours)
    found = lint_rule_files(files, catalog)
    assert not found, "\n".join(d.format_text() for d in found)


def _mutated_test_run(reference_tree: Rendered, tmp_path: Path, rule_name: str, field: str, old: str, new: str) -> str:
    """promtool's verdict on specialists.yml after replacing ``old`` by ``new`` in ``field`` (``expr``
    or an annotation) of the rule named ``rule_name`` (the first one: specialist code's)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style, yaml.width = False, 1 << 16  # block style, no folded expressions
    copy = tmp_path / "prometheus"
    shutil.copytree(reference_tree.out / "prometheus", copy)
    rules_file = copy / "rules" / "specialists.yml"
    doc = yaml.load(rules_file.read_text(encoding="utf-8"))
    rule = next(r for g in doc["groups"] for r in g["rules"] if rule_name in (r.get("alert"), r.get("record")))
    holder = rule if field == "expr" else rule["annotations"]
    assert old in holder[field], holder[field]
    holder[field] = holder[field].replace(old, new, 1)
    with rules_file.open("w", encoding="utf-8") as out:
        yaml.dump(doc, out)
    proc = run("test", "rules", str(copy / "tests" / "specialists.yml"))
    return proc.stdout + proc.stderr if proc.returncode else ""


def test_generated_tests_catch_a_wrong_threshold(reference_tree: Rendered, tmp_path: Path) -> None:
    # 5.5% errors must fire and 4.5% must not: a threshold of 6% breaks the firing case.
    report = _mutated_test_run(
        reference_tree, tmp_path, "LLMGuardianSpecialistErrorRatioHigh", "expr", "> 0.05", "> 0.06"
    )
    assert "LLMGuardianSpecialistErrorRatioHigh (specialist=code) [warning]: fires" in report


def test_generated_tests_catch_a_wrong_humanize_function(reference_tree: Rendered, tmp_path: Path) -> None:
    name = "LLMGuardianSpecialistErrorRatioHigh"
    report = _mutated_test_run(reference_tree, tmp_path, name, "description", "humanizePercentage", "humanize")
    assert "FAILED" in report and "failed over the last 5m" in report


def test_generated_tests_catch_a_broken_recording_rule(reference_tree: Rendered, tmp_path: Path) -> None:
    name = "specialist_type:specialist_errors_per_requests:ratio_rate5m"
    report = _mutated_test_run(
        reference_tree, tmp_path, name, "expr", "specialist_errors_total", "specialist_timeouts_total"
    )
    assert name in report


def test_rendered_tree_matches_the_plan(reference_plan: Plan, reference_tree: Rendered) -> None:
    names = {p.stem for p in reference_tree.test_files}
    assert {t.name for t in reference_plan.rules.tests} <= names
    assert {g.file for g in reference_plan.rules.groups} == {p.stem for p in reference_tree.rule_files}
    for path in reference_tree.test_files:
        for ref in re.findall(r"\.\./rules/([\w.-]+)\.yml", path.read_text(encoding="utf-8")):
            assert (reference_tree.out / RULES_DIR / f"{ref}.yml").is_file(), (path, ref)
    assert (reference_tree.out / TESTS_DIR).is_dir()
