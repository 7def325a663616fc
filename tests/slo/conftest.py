"""Fixtures of the SLO tests: the reference spec, its SLO rules and tests rendered into tmp, promtool."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from guardiangen import pipeline
from guardiangen.catalog import Catalog
from guardiangen.plan import slo
from guardiangen.plan.slo import rules as slo_rules
from guardiangen.plan.slo.rules import SloRules
from guardiangen.plan.slo.sli import collect
from guardiangen.render import prometheus
from guardiangen.spec.catalog import catalog_for
from guardiangen.spec.models import ClusterSpec
from guardiangen.write import canonical
from tests.conftest import REFERENCE_SPEC, plan_of, render_context, render_files

PROMTOOL = shutil.which("promtool")
# promtool is installed by .ci/run (Debian package `prometheus`); a missing one fails, never skips.
needs_promtool = pytest.mark.e2e


@dataclass(frozen=True)
class SloTree:
    """The SLO files of a render, written below ``root`` as ``prometheus/{rules,tests}/slo-*.yml``."""

    root: Path

    @property
    def rule_files(self) -> list[Path]:
        return sorted((self.root / "prometheus" / "rules").glob("slo-*.yml"))

    @property
    def test_files(self) -> list[Path]:
        return sorted((self.root / "prometheus" / "tests").glob("slo-*.yml"))


def load_spec(path: Path | str = REFERENCE_SPEC) -> ClusterSpec:
    result = pipeline.validate(str(path))
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def render_slo_files(spec: ClusterSpec, root: Path, *, full: bool = True) -> SloTree:
    """Render ``spec`` in-process and write only the SLO rule and test files below ``root``.

    ``full`` runs the whole pipeline, as ``guardiangen render`` does; otherwise only the SLO plan
    goes through the Prometheus renderer (the same bytes for these files, in a fraction of the time).
    """
    if full:
        files = {k: v.decode("utf-8") for k, v in render_files(spec).items()}
    else:
        slos, rules = slo.build(spec, catalog_for(spec))
        ctx = render_context(plan_of(spec, rules=rules, slos=slos))
        files = {k: canonical_text(k, v) for k, v in prometheus.render(ctx).items()}
    for relpath, text in files.items():
        if Path(relpath).name.startswith("slo-") and relpath.startswith("prometheus/"):
            target = root / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return SloTree(root)


def canonical_text(relpath: str, text: str) -> str:
    return canonical({relpath: text}, "cluster.yaml")[relpath].decode("utf-8")


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *map(str, args)], capture_output=True, text=True, timeout=600)


def promtool_each(
    args: Callable[[Path], list[str | Path]], files: list[Path]
) -> list[subprocess.CompletedProcess[str]]:
    """promtool once per file, a few at a time: each test file is independent."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda f: promtool(*args(f)), files))


@pytest.fixture(scope="session")
def reference_spec() -> ClusterSpec:
    return load_spec()


@pytest.fixture(scope="session")
def catalog(reference_spec: ClusterSpec) -> Catalog:
    return catalog_for(reference_spec)


@pytest.fixture(scope="session")
def planned(reference_spec: ClusterSpec, catalog: Catalog) -> dict[str, SloRules]:
    """Each reference SLO's rules, by SLO id."""
    return {d.id: slo_rules.build(reference_spec, d) for d in collect(reference_spec, catalog)}


@pytest.fixture(scope="session")
def slo_tree(reference_spec: ClusterSpec, tmp_path_factory: pytest.TempPathFactory) -> SloTree:
    return render_slo_files(reference_spec, tmp_path_factory.mktemp("slo") / "out")
