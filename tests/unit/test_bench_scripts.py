"""The benchmark scripts run (on a tiny fleet) and print the tables the READMEs quote."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_render_scale_prints_a_row_per_size() -> None:
    out = _run("render_scale.py", "--sizes", "3,10", "--runs", "1")
    rows = re.findall(r"^\| (\d+) \| ([\d.]+) s \| 1 \| (\d+) MiB \| ([\d.]+) MiB \| (\d+) \|$", out, re.M)
    assert [r[0] for r in rows] == ["3", "10"]
    assert all(float(r[1]) > 0 and int(r[2]) > 0 and int(r[4]) > 10 for r in rows)


def test_render_phases_prints_every_step() -> None:
    out = _run("render_phases.py", "--sizes", "3", "--runs", "1")
    # validate plan render write total, then the runbooks' parts of plan and render
    assert re.search(r"^\| 3 \|( [\d.]+ s \|){7}$", out, re.M), out


def test_gen_spec_makes_specs_that_validate(tmp_path: Path) -> None:
    spec = tmp_path / "cluster.yaml"
    spec.write_text(_run("gen_spec.py", "25"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "guardiangen", "validate", str(spec)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_doctor_offline_prints_every_step() -> None:
    out = _run("doctor_offline.py", "--sizes", "3", "--runs", "1")
    # validate plan render expectations total, then the rule count and the request count
    row = re.search(r"^\| 3 \|(?: [\d.]+ s \|){5} ([\d,]+) \| (\d+) \|$", out, re.M)
    assert row and int(row.group(1).replace(",", "")) > 10 and int(row.group(2)) >= 7, out
