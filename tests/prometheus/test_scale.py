"""Large fleets: per-owner alerts are split into bounded rule groups and files, and rules that
differ only by their owners' names share one test file (guardiangen.plan.shapes).

A 60-specialist spec from bench/gen_spec.py (30 GPU nodes, 6 guardians) has more owners than
:data:`~guardiangen.plan.rules.core.CHUNK_OWNERS`; the reference spec has fewer and keeps one
group per domain.
"""

from __future__ import annotations

import importlib.util
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from guardiangen.plan.model import Plan, Rule, RuleGroup
from guardiangen.plan.rules.core import CHUNK_OWNERS
from guardiangen.spec.models import ClusterSpec
from tests.prometheus.helpers import TESTS_DIR, Rendered, failures, plan_of, render, run_all, spec_of
from tests.prometheus.test_promtool import _cases_for

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gen_spec.py"
CHUNK = re.compile(r"-\d{3}$")


def fleet_data() -> dict[str, Any]:
    loader = importlib.util.spec_from_file_location("gen_spec", BENCH)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    data: dict[str, Any] = module.spec(60)
    return data


@pytest.fixture(scope="module")
def fleet_spec(tmp_path_factory: pytest.TempPathFactory) -> ClusterSpec:
    data = fleet_data()
    path = tmp_path_factory.mktemp("fleet")
    with (path / "cluster.yaml").open("w", encoding="utf-8") as f:
        YAML().dump(data, f)
    return spec_of(data, path)


@pytest.fixture(scope="module")
def fleet_tree(fleet_spec: ClusterSpec, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return render(fleet_spec, tmp_path_factory.mktemp("fleet-out") / "out")


@pytest.fixture(scope="module")
def fleet_plan(fleet_spec: ClusterSpec) -> Plan:
    return plan_of(fleet_spec)


def test_the_reference_spec_keeps_one_group_per_domain(reference_plan: Plan) -> None:
    assert not [g.name for g in reference_plan.rules.groups if CHUNK.search(g.name)]


def test_chunks_are_bounded_and_tested_alone(fleet_plan: Plan) -> None:
    chunks = [g for g in fleet_plan.rules.groups if CHUNK.search(g.name)]
    assert {CHUNK.sub("", g.name) for g in chunks} >= {"gpu", "specialists", "guardians"}
    for group in chunks:
        owners = {owner_key_of(rule.labels) for rule in group.rules}
        assert 0 < len(owners) <= CHUNK_OWNERS, group.name
        assert group.file == group.name
        tests = [
            t for t in fleet_plan.rules.tests if group.file in t.rule_files or (group.file, group.file) in t.covers
        ]
        assert tests, group.name
        for t in tests:
            # Only one chunk's alerts are loaded (this one's, or the one standing for it), after
            # the domain group whose records they read.
            assert [f for f in t.rule_files if CHUNK.search(f)] == [t.rule_files[-1]]
            assert t.group_eval_order == t.rule_files


def owner_key_of(labels: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The owner of an alert from its rule labels, as :func:`guardiangen.plan.rules.chunks.owner_key`
    reads its definition (identity labels only)."""
    return tuple((k, v) for k, v in labels if k not in ("team", "component", "severity", "cluster"))


def unit_of(group: RuleGroup) -> str:
    """The rule set a group belongs to: its rules file, or its SLO in a file of several SLOs."""
    if group.name.startswith("slo-") and not group.name.startswith(f"{group.file}-"):
        return group.name.rsplit("-", 1)[0]  # slo-<id>-short / -long
    return group.file


def test_every_alert_of_a_large_fleet_has_a_firing_and_a_silent_case(fleet_plan: Plan) -> None:
    """Every alert of a tested rule set has both cases; a covered set's alerts have them in the
    set standing for it (that its rules are the same up to names is checked below)."""
    standing_for = {name: t.rule_files[-1] for t in fleet_plan.rules.tests for _, name in t.covers}
    rules: dict[str, list[Rule]] = {}
    for group in (*fleet_plan.rules.groups, *fleet_plan.rules.test_copies):
        rules.setdefault(unit_of(group) if group in fleet_plan.rules.groups else group.file, []).extend(group.rules)
    missing = []
    for unit in {unit_of(g) for g in fleet_plan.rules.groups}:
        tested = standing_for.get(unit, unit)
        for rule in rules[tested]:
            if rule.is_alert:
                firing, silent = _cases_for(rule, tested, fleet_plan.rules.tests)
                if not (firing and silent):
                    missing.append(f"{rule.alert} {dict(rule.labels)}: {firing} firing, {silent} silent")
    assert not missing, "\n".join(missing)


def test_large_fleets_share_tests_between_rules_of_one_shape(fleet_plan: Plan) -> None:
    """The fleet's owners are alike (bench/gen_spec.py), so most rule sets are covered, not tested."""
    tested = {t.rule_files[-1] for t in fleet_plan.rules.tests}
    stands_for: dict[str, str] = {}
    for t in fleet_plan.rules.tests:
        for _, c in t.covers:
            assert stands_for.setdefault(c, t.rule_files[-1]) == t.rule_files[-1], c  # one test file and its -daily
    covered = list(stands_for)
    assert not tested & set(covered)
    assert tested | set(covered) == {unit_of(g) for g in fleet_plan.rules.groups}  # every rule set, once
    slo_units = {unit_of(g) for g in fleet_plan.rules.groups if g.name.startswith("slo-")}
    assert len([c for c in covered if c.startswith("slo-")]) > len(slo_units) * 3 // 4
    # 30 GPU nodes make chunks of 25 and 5 nodes: two shapes, nothing covered there.
    assert {CHUNK.sub("", c) for c in covered if CHUNK.search(c)} == {"specialists", "guardians"}


def test_the_slos_of_a_large_fleet_share_rules_files(fleet_plan: Plan) -> None:
    """60 specialists and 6 guardians: SLO rules in files of 25 owners, not one file per SLO; the
    tested SLOs' groups are copied beside their tests, verbatim."""
    slo_files = {g.file for g in fleet_plan.rules.groups if g.name.startswith("slo-")}
    assert slo_files == {"slo-001", "slo-002", "slo-003"}
    deployed = {g.name: g for g in fleet_plan.rules.groups}
    assert fleet_plan.rules.test_copies
    for copy in fleet_plan.rules.test_copies:
        assert replace(copy, file=deployed[copy.name].file) == deployed[copy.name]


def test_an_owner_unlike_the_others_gets_tests_of_its_own(fleet_plan: Plan, tmp_path: Path) -> None:
    """One specialist with another latency objective: its SLO and its chunk get test files of their
    own; the fleet's other SLO tests stay as they were."""
    data = fleet_data()
    data["specialists"][30]["slos"]["latency"]["threshold_seconds"] = 30
    plan = plan_of(spec_of(data, tmp_path))
    tested = {t.rule_files[-1] for t in plan.rules.tests}
    assert "slo-s00030-latency" in tested
    assert "slo-s00030-latency" not in {n for t in plan.rules.tests for _, n in t.covers}
    assert tested - {t.rule_files[-1] for t in fleet_plan.rules.tests} == {"slo-s00030-latency"}
    data["specialists"][30]["thresholds"]["latency_p95_max_seconds"] = 12.5
    plan = plan_of(spec_of(data, tmp_path))
    chunk = next(g.file for g in plan.rules.groups if CHUNK.search(g.file) and "s00030" in repr(g.rules))
    assert chunk in {t.rule_files[-1] for t in plan.rules.tests}


def test_covered_rules_are_the_tested_rules_with_other_names(fleet_tree: Rendered) -> None:
    """Independently of guardiangen.plan.shapes: map the tested rules' owner names to the covered
    rules', position by position as the owner labels list them, token by token over the rules as
    ruamel writes them; the result must be the covered rules, byte for byte."""
    tree = fleet_tree
    checked = 0
    for test_file in sorted((tree.out / TESTS_DIR).glob("*.yml")):
        text = test_file.read_text(encoding="utf-8")
        covered = re.findall(r"^#   \.\./rules/(.+)\.yml(?:: (.+)-\*)?$", text, re.MULTILINE)
        if not covered:
            continue
        tested = YAML(typ="safe").load(text)["rule_files"][-1].removesuffix(".yml")
        base = _groups_text(test_file.parent / f"{tested}.yml")
        for file, name in covered:
            other = _groups_text(tree.out / "prometheus/rules" / f"{file}.yml", name or None)
            mapping = dict(zip(_owner_names(base), _owner_names(other), strict=True))
            renamed = _rename(base, mapping)
            assert renamed == other, f"{name or file} is not {tested} with other names"
            checked += 1
    assert checked > 100


def _groups_text(path: Path, prefix: str | None = None) -> str:
    """The groups of a rules file (those named ``<prefix>-*`` only, if given) as ruamel writes them."""
    doc = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    groups = [g for g in doc["groups"] if prefix is None or g["name"].startswith(f"{prefix}-")]
    assert groups, (path, prefix)
    buffer, writer = io.StringIO(), YAML(typ="safe")
    writer.default_flow_style = False  # a label per line, as the owner-label pattern reads them
    writer.dump({"groups": groups}, buffer)
    return buffer.getvalue()


def _rename(text: str, mapping: dict[str, str]) -> str:
    return re.sub(r"[A-Za-z0-9_.-]+", lambda m: mapping.get(m.group(0), m.group(0)), text)


_OWNER_LABELS = re.compile(
    r"^(?:\s*-?\s*name|\s+(?:specialist|specialist_type|guardian|guardian_type|Hostname|slo)): (\S+)$"
    r'|specialist_(?:type|id)=~"([^"]+)"',
    re.M,
)


def _owner_names(rules_text: str) -> list[str]:
    """The group names, owner label values and watched specialists (``specialist_type=~"a|b"``) of
    a rules file in order of first appearance, SLO ids split into owner and kind (``s00001-latency``
    names ``s00001``)."""
    names: list[str] = []
    for m in _OWNER_LABELS.finditer(rules_text):
        values = [m.group(1)] if m.group(1) else m.group(2).split("|")
        for value in values:
            for v in (value, *value.rsplit("-", 1)[:1]):
                if v not in names:
                    names.append(v)
    return names


def test_the_test_files_of_a_large_fleet_pass_promtool(fleet_tree: Rendered) -> None:
    """Every chunk's test file and every SLO's (loading the copy of its groups) under the real
    promtool: one per shape, so few."""
    tree = fleet_tree
    names = sorted(
        p.stem
        for p in (tree.out / TESTS_DIR).glob("*.yml")
        if CHUNK.search(p.stem.removesuffix("-daily")) or p.stem.startswith("slo-")
    )
    assert 10 <= len(names) <= 30, names
    results = run_all(("test", "rules", str(tree.out / TESTS_DIR / f"{n}.yml")) for n in names)
    assert not failures(results), failures(results)
