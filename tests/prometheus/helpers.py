"""Helpers of the Prometheus rules tests: spec variants, in-process rendering, promtool runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from guardiangen import pipeline
from guardiangen.plan.model import Plan
from guardiangen.spec.models import ClusterSpec
from guardiangen.write import write_tree
from tests.conftest import REFERENCE_SPEC, render_files

RULES_DIR, TESTS_DIR = "prometheus/rules", "prometheus/tests"


def promtool() -> str:
    """The promtool binary; a clear failure (not a skip) when missing: CI installs it."""
    path = shutil.which("promtool") or ("/usr/bin/promtool" if Path("/usr/bin/promtool").exists() else None)
    if path is None:
        pytest.fail("`promtool` not found: install the Debian package prometheus (.ci/run does)")
    return path


def reference_data() -> dict[str, Any]:
    from ruamel.yaml import YAML

    data: dict[str, Any] = YAML(typ="safe", pure=True).load(REFERENCE_SPEC.read_text(encoding="utf-8"))
    return data


def validate_data(data: dict[str, Any], tmp_path: Path) -> pipeline.Validated:
    """Validate a spec given as plain data (written as JSON, which is YAML)."""
    path = tmp_path / "cluster.yaml"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return pipeline.validate(str(path))


def spec_of(data: dict[str, Any], tmp_path: Path) -> ClusterSpec:
    result = validate_data(data, tmp_path)
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def plan_of(spec: ClusterSpec) -> Plan:
    return pipeline.plan(spec)


@dataclass(frozen=True)
class Rendered:
    out: Path

    @property
    def rule_files(self) -> list[Path]:
        return sorted((self.out / RULES_DIR).glob("*.yml"))

    @property
    def test_files(self) -> list[Path]:
        return sorted((self.out / TESTS_DIR).glob("*.yml"))


def render(spec: ClusterSpec, out: Path) -> Rendered:
    """Every target rendered in-process and written to ``out``, as ``guardiangen render`` does."""
    write_tree(out, render_files(spec))
    return Rendered(out)


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=timeout)


def run_all(commands: Iterable[tuple[str, ...]]) -> list[tuple[tuple[str, ...], subprocess.CompletedProcess[str]]]:
    """Run promtool commands in parallel (each test file takes seconds); results in input order."""
    commands = list(commands)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = list(pool.map(lambda c: run(*c), commands))
    return list(zip(commands, results, strict=True))


def failures(results: list[tuple[tuple[str, ...], subprocess.CompletedProcess[str]]]) -> str:
    """A report of every failed command with promtool's output (empty when all passed)."""
    return "\n\n".join(
        f"$ promtool {' '.join(cmd)}\n{proc.stdout}{proc.stderr}" for cmd, proc in results if proc.returncode != 0
    )
