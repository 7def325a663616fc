"""The real tools as lint steps: promtool and amtool, each result a diagnostic.

A tool that is asked for but not on PATH is an error (GG421), never a silent skip: a CI gate that
passes because its tool vanished is worse than no gate.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from guardiangen.diagnostics import GG420_TOOL_PROBLEM, GG421_TOOL_MISSING, Diagnostic, error

TIMEOUT_S = 600


def _run(argv: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


def _missing(tool: str, label: str) -> Diagnostic:
    return error(
        label,
        0,
        0,
        GG421_TOOL_MISSING,
        f"`{tool}` is not on PATH; install it (Debian: prometheus / "
        "prometheus-alertmanager) or run lint without --with-tools",
    )


def _failure(path: str, step: str, proc: subprocess.CompletedProcess[str]) -> list[Diagnostic]:
    if proc.returncode == 0:
        return []
    output = (proc.stdout + proc.stderr).strip().splitlines()
    detail = " | ".join(line.strip() for line in output if line.strip())[:2000] or f"exit {proc.returncode}"
    return [error(path, 0, 0, GG420_TOOL_PROBLEM, f"{step} failed: {detail}")]


def run_tools(out_dir: Path) -> list[Diagnostic]:
    label = out_dir.as_posix()
    return _promtool(out_dir, label) + _amtool(out_dir, label)


def _promtool(out_dir: Path, label: str) -> list[Diagnostic]:
    promtool = shutil.which("promtool")
    if promtool is None:
        return [_missing("promtool", label)]
    diags: list[Diagnostic] = []
    for rules in sorted((out_dir / "prometheus" / "rules").glob("*.yml")):
        proc = _run([promtool, "check", "rules", "--lint=all", "--lint-fatal", str(rules)])
        diags += _failure(f"{label}/prometheus/rules/{rules.name}", "promtool check rules", proc)
    tests_dir = out_dir / "prometheus" / "tests"
    for test in sorted(tests_dir.glob("*.yml")):
        proc = _run([promtool, "test", "rules", test.name], cwd=tests_dir)
        diags += _failure(f"{label}/prometheus/tests/{test.name}", "promtool test rules", proc)
    return diags


def _amtool(out_dir: Path, label: str) -> list[Diagnostic]:
    config = out_dir / "alertmanager" / "alertmanager.yml"
    if not config.exists():
        return []
    amtool = shutil.which("amtool")
    if amtool is None:
        return [_missing("amtool", label)]
    path = f"{label}/alertmanager/alertmanager.yml"
    diags = _failure(path, "amtool check-config", _run([amtool, "check-config", str(config)]))
    if diags:
        return diags
    table = out_dir / "alertmanager" / "routing-table.yml"
    for i, row in enumerate(_rows(table)):
        labels = [f"{k}={v}" for k, v in sorted(row["labels"].items())]
        receivers = ",".join(row["receivers"])
        proc = _run(
            [amtool, "config", "routes", "test", f"--config.file={config}", f"--verify.receivers={receivers}", *labels]
        )
        diags += _failure(
            f"{label}/alertmanager/routing-table.yml", f"routes test of row {i + 1} ({' '.join(labels)})", proc
        )
    return diags


def _rows(table: Path) -> list[dict[str, Any]]:
    from ruamel.yaml import YAML

    if not table.exists():
        return []
    data = YAML(typ="safe", pure=True).load(table.read_text(encoding="utf-8")) or {}
    rows = data.get("rows", []) if isinstance(data, dict) else []
    return [r for r in rows if isinstance(r, dict) and isinstance(r.get("labels"), dict)]
