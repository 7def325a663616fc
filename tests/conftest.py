"""Shared fixtures: the repository root, the reference spec, and a CLI runner."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from guardiangen.plan.model import Plan
    from guardiangen.render.context import RenderContext
    from guardiangen.spec.models import ClusterSpec, OutputProfile

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_SPEC = ROOT / "specs" / "cluster.yaml"


@pytest.fixture
def root() -> Path:
    return ROOT


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess (exit codes and streams as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "guardiangen", *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def valid_spec(path: Path | str) -> ClusterSpec:
    """The validated spec at ``path``; fails the test with every diagnostic when it does not validate."""
    from guardiangen import pipeline

    result = pipeline.validate(str(path))
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def plan_of(spec: ClusterSpec, profile: OutputProfile | None = None, **changes: Any) -> Plan:
    """The real plan of ``spec`` (``pipeline.plan``), with ``changes`` replacing parts of it."""
    from guardiangen import pipeline

    plan = pipeline.plan(spec, profile)
    return replace(plan, **changes) if changes else plan


def render_files(spec: ClusterSpec, spec_name: str = "cluster.yaml", plan: Plan | None = None) -> dict[str, bytes]:
    """Every output file of ``spec`` (or of ``plan``, made from it) as ``guardiangen render`` writes them."""
    from guardiangen import pipeline

    return pipeline.render(plan if plan is not None else plan_of(spec), spec_name)


def render_context(plan: Plan, templates: Path | None = None) -> RenderContext:
    """What a target renders from: ``plan``, and the shipped templates unless ``templates`` is given."""
    from guardiangen.render.context import RenderContext
    from guardiangen.templates import templates_dir

    return RenderContext(plan=plan, templates=templates_dir(templates))
