"""Static checks run as part of the suite: mypy --strict, ruff and the import contracts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_mypy_strict() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "guardiangen"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "guardiangen", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--config", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )


def test_import_contracts_hold() -> None:
    """The layers of the pipeline, renderers that never reach the spec, no cycles (pyproject.toml)."""
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 3 kept, 0 broken." in proc.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("render/prometheus.py", "from guardiangen.plan import cluster", "Renderers read the plan"),
        ("plan/links.py", "from guardiangen.plan.rules import core", "No import cycles"),
        ("spec/models.py", "if TYPE_CHECKING:\n    from guardiangen.plan.model import Plan", "One direction"),
    ],
)
def test_import_contracts_catch_an_arrow_against_the_flow(tmp_path: Path, module: str, line: str, broken: str) -> None:
    """Each contract fails on a copy of the package with one such import added (TYPE_CHECKING too)."""
    shutil.copytree(ROOT / "guardiangen", tmp_path / "guardiangen")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "guardiangen" / module
    text = path.read_text(encoding="utf-8")
    if "TYPE_CHECKING" in line and "from typing import" not in text.split("\n\n\n")[0]:
        line = "from typing import TYPE_CHECKING\n" + line
    path.write_text(text + "\n" + line + "  # noqa\n", encoding="utf-8")
    proc = _lint_imports(tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{broken}" in proc.stdout.split("Broken contracts")[-1], proc.stdout


def test_no_module_imports_itself_back() -> None:
    """No cycle between any two modules, a package and its own modules included (which the
    acyclic_siblings contract does not look at); grimp reads every import, TYPE_CHECKING ones too."""
    from graphlib import CycleError, TopologicalSorter

    import grimp

    graph = grimp.build_graph("guardiangen", cache_dir=None)
    order = TopologicalSorter({m: graph.find_modules_directly_imported_by(m) for m in graph.modules})
    try:
        order.prepare()
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
