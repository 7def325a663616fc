"""Large fleets: per-owner alerts are split into bounded rule groups, files and test files.

A 60-specialist spec from bench/gen_spec.py (30 GPU nodes, 6 guardians) has more owners than
:data:`~guardiangen.plan.rules_core.CHUNK_OWNERS`; the reference spec has fewer and keeps one
group per domain.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from guardiangen.plan.model import Plan
from guardiangen.plan.rules_core import CHUNK_OWNERS
from guardiangen.spec.models import ClusterSpec
from tests.prometheus.helpers import TESTS_DIR, Rendered, failures, plan_of, render, run_all, spec_of
from tests.prometheus.test_promtool import _cases_for

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gen_spec.py"
CHUNK = re.compile(r"-\d{3}$")


@pytest.fixture(scope="module")
def fleet_spec(tmp_path_factory: pytest.TempPathFactory) -> ClusterSpec:
    loader = importlib.util.spec_from_file_location("gen_spec", BENCH)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    data = module.spec(60)
    path = tmp_path_factory.mktemp("fleet")
    with (path / "cluster.yaml").open("w", encoding="utf-8") as f:
        YAML().dump(data, f)
    return spec_of(data, path)


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
        tests = [t for t in fleet_plan.rules.tests if group.file in t.rule_files]
        assert tests, group.name
        for t in tests:
            # Only this chunk's alerts are loaded, after the domain group whose records they read.
            assert [f for f in t.rule_files if CHUNK.search(f)] == [group.file]
            assert t.group_eval_order == t.rule_files


def owner_key_of(labels: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The owner of an alert from its rule labels, as :func:`guardiangen.plan.rules.owner_key`
    reads its definition (identity labels only)."""
    return tuple((k, v) for k, v in labels if k not in ("team", "component", "severity", "cluster"))


def test_every_alert_of_a_large_fleet_has_a_firing_and_a_silent_case(fleet_plan: Plan) -> None:
    missing = []
    for group in fleet_plan.rules.groups:
        for rule in group.rules:
            if rule.is_alert:
                firing, silent = _cases_for(rule, group.file, fleet_plan.rules.tests)
                if not (firing and silent):
                    missing.append(f"{rule.alert} {dict(rule.labels)}: {firing} firing, {silent} silent")
    assert not missing, "\n".join(missing)


def test_last_chunks_pass_promtool(fleet_spec: ClusterSpec, tmp_path: Path) -> None:
    """The smallest chunk of each domain under the real promtool (the full set is slow)."""
    tree: Rendered = render(fleet_spec, tmp_path / "out")
    names = sorted(p.stem for p in (tree.out / TESTS_DIR).glob("*.yml") if CHUNK.search(p.stem))
    last: dict[str, str] = {}
    for name in names:
        last[CHUNK.sub("", name)] = name
    results = run_all(("test", "rules", str(tree.out / TESTS_DIR / f"{n}.yml")) for n in last.values())
    assert not failures(results), failures(results)
