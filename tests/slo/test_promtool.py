"""The reference spec's SLO rules and generated tests against the real promtool.

``promtool check rules --lint=all --lint-fatal`` must be clean (no duplicate rules, Sloth #211),
every generated ``promtool test rules`` file must pass, and the generated tests must fail when the
rules are wrong: a test suite that passes on broken rules proves nothing.
"""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from guardiangen.plan.slo import testgen as slo_tests
from guardiangen.plan.slo.rules import SloRules
from tests.conftest import REFERENCE_SPEC
from tests.slo.conftest import SloTree, load_spec, needs_promtool, promtool, promtool_each, render_slo_files

pytestmark = needs_promtool


def test_rules_pass_promtool_lint(slo_tree: SloTree) -> None:
    assert len(slo_tree.rule_files) == 11  # 10 on the reference instrumentation, 1 on code's vLLM
    proc = promtool("check", "rules", "--lint=all", "--lint-fatal", *slo_tree.rule_files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "duplicate" not in (proc.stdout + proc.stderr).lower()


def test_generated_tests_pass(slo_tree: SloTree, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    results = promtool_each(lambda f: ["test", "rules", f], slo_tree.test_files)
    elapsed = time.monotonic() - started
    failed = [r.stdout + r.stderr for r in results if r.returncode != 0]
    assert not failed, "\n".join(failed)
    assert len(results) == 11
    with capsys.disabled():
        print(f"\n  promtool test rules: {len(results)} SLO test files in {elapsed:.1f}s (4 at a time)")


def test_every_planned_check_is_asserted(planned: dict[str, SloRules]) -> None:
    """The model refuses to assert outcomes that depend on the Prometheus version or on rounding;
    for the reference spec no check may be lost that way."""
    for slo_id, r in planned.items():
        wanted = sum(len(s.checks) for s in slo_tests.scenarios(r))
        built = slo_tests.build(r)
        kept = sum(len({t.eval_time for t in case.alert_rule_tests}) for case in built.tests)
        assert kept == wanted, slo_id


def _mutated(slo_tree: SloTree, tmp_path: Path, file: str, old: str, new: str, only: str) -> str:
    """promtool's output for the tests of ``file`` whose name contains ``only``, after replacing
    ``old`` by ``new`` in its rules (only the tests that can notice, to keep this fast)."""
    copy = tmp_path / "prometheus"
    shutil.copytree(slo_tree.root / "prometheus", copy)
    rules = copy / "rules" / file
    text = rules.read_text(encoding="utf-8")
    assert old in text, old
    rules.write_text(text.replace(old, new), encoding="utf-8")
    yaml = YAML(typ="rt")
    tests = copy / "tests" / file
    doc: Any = yaml.load(tests.read_text(encoding="utf-8"))
    doc["tests"] = [t for t in doc["tests"] if only in t["name"]]
    assert doc["tests"], only
    with tests.open("w", encoding="utf-8") as f:
        yaml.dump(doc, f)
    proc = promtool("test", "rules", tests)
    assert proc.returncode != 0, f"the tests of {file} still pass with {new!r} instead of {old!r}"
    return proc.stdout + proc.stderr


SEL = '{slo="code-availability"}'
MEAN_OF_RATIOS = (
    f"sum_over_time(slo:bad_events:rate5m{SEL}[6h]) / (sum_over_time(slo:all_events:rate5m{SEL}[6h]) > 0)",
    f"avg_over_time(slo:error_ratio:rate5m{SEL}[6h])",
)


@pytest.mark.parametrize(
    ("old", "new", "only"),
    [
        pytest.param("> 0.0144)", "> 0.0164)", "15x", id="page threshold (14.4x) too high"),
        pytest.param(f"rate1h{SEL} > 0.0144", f"rate2h{SEL} > 0.0144", "15x", id="page pair on the wrong window"),
        pytest.param("> 0.006)", "> 0.0075)", "steady 7x", id="page 6h/30m threshold too high"),
        pytest.param("> 0.003)", "> 0.0035)", "uneven", id="ticket 1d/2h threshold too high"),
        pytest.param("> 0.001)", "> 0.0009)", "0.9x", id="ticket 3d/6h threshold too low"),
        pytest.param("[3d])", "[1d])", "uneven", id="3d window records 1d"),
        pytest.param(*MEAN_OF_RATIOS, "uneven", id="mean of ratios instead of ratio of sums"),
        pytest.param(" > 0)", ")", "zero traffic", id="no zero-traffic guard"),
        pytest.param(f" or on () slo:all_events:rate5m{SEL} * 0", "", "no error series", id="no bad-events fallback"),
        pytest.param("for: 5m", "for: 15m", "no input", id="no-data alert too slow"),
        pytest.param('status="error"}', "}", "0.9x", id="every request counted as bad"),
    ],
)
def test_generated_tests_catch_wrong_rules(slo_tree: SloTree, tmp_path: Path, old: str, new: str, only: str) -> None:
    _mutated(slo_tree, tmp_path, "slo-code-availability.yml", old, new, only)


def test_generated_tests_catch_wrong_histogram_and_coverage_rules(slo_tree: SloTree, tmp_path: Path) -> None:
    # An equality matcher on the Python client's le="10.0" misses Go's le="10" (the 0.9x scenario).
    _mutated(slo_tree, tmp_path / "le", "slo-code-latency.yml", r'le=~"10(\\.0)?"', 'le="10.0"', "0.9x")
    # Without the per-specialist clamp, one specialist's double evaluation hides another's misses.
    _mutated(slo_tree, tmp_path / "clamp", "slo-quality-coverage.yml", "clamp_min(", "(", "evaluated twice")


def _variant(tmp_path: Path) -> Path:
    """The reference spec with other periods (7d to 90d, 4w, 31d), objectives and tier switches."""
    yaml = YAML(typ="rt")
    doc: Any = yaml.load(REFERENCE_SPEC.read_text(encoding="utf-8"))
    code, math, medical, legal = doc["specialists"]
    code["slos"]["availability"].update({"objective_percent": 99.99, "period": "7d"})
    code["slos"]["latency"].update({"period": "14d"})
    del code["slos"]["quality"]
    math["slos"]["availability"].update({"period": "90d", "burn_alerts": {"page": False, "ticket": True}})
    math["slos"]["latency"].update({"objective_percent": 97.5, "period": "4w"})
    medical["slos"] = {"quality": {"objective_percent": 80, "period": "3d", "minimum_score": 0.8}}
    legal["slos"]["availability"].update({"burn_alerts": {"page": False, "ticket": False}, "no_data": "alert"})
    doc["guardians"][0]["slos"]["coverage"].update({"objective_percent": 99.95, "period": "31d"})
    out = io.StringIO()
    yaml.dump(doc, out)
    path = tmp_path / "variant.yaml"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_other_periods_objectives_and_switches_pass(tmp_path: Path) -> None:
    tree = render_slo_files(load_spec(_variant(tmp_path)), tmp_path / "out", full=False)
    lint = promtool("check", "rules", "--lint=all", "--lint-fatal", *tree.rule_files)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    results = promtool_each(lambda f: ["test", "rules", f], tree.test_files)
    failed = [r.stdout + r.stderr for r in results if r.returncode != 0]
    assert not failed, "\n".join(failed)
