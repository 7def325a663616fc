"""Shared helpers of the Alertmanager tests: spec variants, in-process rendering, amtool."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from guardiangen import pipeline
from guardiangen.plan.model import RoutingRow
from guardiangen.render.alertmanager import quote_matcher_value
from guardiangen.spec.models import ClusterSpec
from guardiangen.write import write_tree
from tests.conftest import render_files

HERE = Path(__file__).resolve().parent
E2E_SPEC = HERE / "e2e-cluster.yaml"


def binary(name: str) -> str:
    """Path of a tool the tests need; a clear failure (not a skip) when it is missing: CI installs it."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        pytest.fail(f"`{name}` not found: install the Debian package prometheus-alertmanager (.ci/run does)")
    return path


def load_data(path: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML

    data: dict[str, Any] = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return data


def validate_data(data: dict[str, Any], tmp_path: Path, name: str = "cluster.yaml") -> pipeline.Validated:
    """Validate a spec given as plain data (written as JSON, which is YAML)."""
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return pipeline.validate(str(path))


def spec_of(data: dict[str, Any], tmp_path: Path) -> ClusterSpec:
    result = validate_data(data, tmp_path)
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def render_to(spec: ClusterSpec, out: Path) -> Path:
    """Render every target into ``out``; the path of the Alertmanager config."""
    write_tree(out, render_files(spec))
    return out / "alertmanager" / "alertmanager.yml"


def amtool(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary("amtool"), *args], capture_output=True, text=True, timeout=timeout)


def label_args(labels: Iterable[tuple[str, str]]) -> list[str]:
    """amtool takes labels as equality matchers; quote values the same way the config does."""
    return [f"{name}={quote_matcher_value(value)}" for name, value in labels]


def routes_test(config: Path, labels: Sequence[tuple[str, str]], receivers: Sequence[str]) -> str | None:
    """None when amtool routes ``labels`` to exactly ``receivers`` (order included), else a report."""
    proc = amtool(
        "config",
        "routes",
        "test",
        f"--config.file={config}",
        f"--verify.receivers={','.join(receivers)}",
        *label_args(labels),
    )
    if proc.returncode == 0:
        return None
    return f"{dict(labels)} -> expected {list(receivers)}, amtool: {proc.stdout.strip()} {proc.stderr.strip()}"


def routes_test_all(config: Path, rows: Sequence[RoutingRow]) -> list[str]:
    """Run :func:`routes_test` for every row, a few processes at a time; the failures."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = pool.map(lambda row: routes_test(config, row.labels, row.receivers), rows)
        return [r for r in results if r is not None]
