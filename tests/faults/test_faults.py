"""Faults during `render`: out/ is always the complete old tree or the complete new one.

Disk-full and read-only cases mount a small tmpfs or a read-only bind inside a private mount
namespace (`unshare -m`, or `unshare -rm` for a non-root developer), so nothing leaks to the host.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guardiangen import pipeline
from tests.conftest import REFERENCE_SPEC, ROOT, render_files, run_cli


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _changed_spec(tmp: Path) -> Path:
    spec = tmp / "changed.yaml"
    spec.write_text(REFERENCE_SPEC.read_text().replace("repeat_interval: 4h", "repeat_interval: 3h"))
    return spec


def _in_namespace(script: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """Run a bash script in a private mount namespace with the CLI available as $GG."""
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    env = {**os.environ, "GG": f"{sys.executable} -m guardiangen", "T": str(tmp), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*unshare, "bash", "-euo", "pipefail", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def test_disk_full_keeps_the_old_tree(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert run_cli("render", str(REFERENCE_SPEC), "--out", str(reference)).returncode == 0
    # tmpfs charges whole 4 KiB pages per file
    size_kib = sum(4 * (len(b) // 4096 + 1) for b in _tree(reference).values())
    changed = _changed_spec(tmp_path)
    # Room for the old tree and a little more, but not for a second full copy beside it.
    proc = _in_namespace(
        f"""
        mkdir -p "$T/disk"
        mount -t tmpfs -o size={size_kib + size_kib // 2}k tmpfs "$T/disk"
        cp -a "$T/reference" "$T/disk/out"
        rc=0; $GG render {changed} --out "$T/disk/out" > "$T/stdout" || rc=$?
        echo "rc=$rc"
        ls -a "$T/disk" > "$T/listing"
        cp -a "$T/disk/out" "$T/after"
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "rc=1" in proc.stdout
    message = (tmp_path / "stdout").read_text()
    assert "error[GG601]" in message and "no space left on the device" in message
    assert "previous output is unchanged" in message
    assert _tree(tmp_path / "after") == _tree(reference)
    assert (tmp_path / "listing").read_text().split() == [".", "..", "out"]  # no staging leftovers


def test_read_only_output_keeps_the_old_tree(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert run_cli("render", str(REFERENCE_SPEC), "--out", str(reference)).returncode == 0
    changed = _changed_spec(tmp_path)
    proc = _in_namespace(
        f"""
        mkdir -p "$T/site" "$T/ro"
        cp -a "$T/reference" "$T/site/out"
        mount --bind "$T/site" "$T/ro" && mount -o remount,bind,ro "$T/ro"
        rc=0; $GG render {changed} --out "$T/ro/out" > "$T/stdout" || rc=$?
        echo "rc=$rc"
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "rc=1" in proc.stdout
    assert "read-only file system" in (tmp_path / "stdout").read_text()
    assert _tree(tmp_path / "site" / "out") == _tree(reference)


def test_sigkill_at_random_points_never_leaves_a_partial_tree(tmp_path: Path) -> None:
    old_spec, new_spec = REFERENCE_SPEC, _changed_spec(tmp_path)
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    assert run_cli("render", str(old_spec), "--out", str(old_dir)).returncode == 0
    assert run_cli("render", str(new_spec), "--out", str(new_dir)).returncode == 0
    old, new = _tree(old_dir), _tree(new_dir)
    assert old != new
    start = time.perf_counter()
    assert run_cli("render", str(new_spec), "--out", str(tmp_path / "timing")).returncode == 0
    duration = time.perf_counter() - start
    rng = random.Random(20261127)
    outcomes = {"old": 0, "new": 0}
    for _ in range(12):
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(old_dir, out)
        proc = subprocess.Popen(
            [sys.executable, "-m", "guardiangen", "render", str(new_spec), "--out", str(out)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        tree = _tree(out)
        assert tree in (old, new), "out/ holds a mix of the old and new trees"
        outcomes["old" if tree == old else "new"] += 1
        # the next run cleans up whatever the killed one left beside out/
        assert run_cli("render", str(new_spec), "--out", str(out)).returncode == 0
        assert _tree(out) == new
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []
    assert sum(outcomes.values()) == 12


def test_spec_removed_after_it_was_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "cluster.yaml"
    shutil.copy(REFERENCE_SPEC, spec)
    result = pipeline.validate(str(spec))
    spec.unlink()  # gone mid-run: rendering works from what was read, never re-reads the file
    assert result.spec is not None
    files = render_files(result.spec)
    assert files == render_files(pipeline.validate(str(REFERENCE_SPEC)).spec)  # type: ignore[arg-type]


def test_spec_removed_before_it_was_read(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("render", str(REFERENCE_SPEC), "--out", str(out)).returncode == 0
    before = _tree(out)
    proc = run_cli("render", str(tmp_path / "vanished.yaml"), "--out", str(out))
    assert proc.returncode == 1
    assert "error[GG001] no such file" in proc.stdout
    assert _tree(out) == before
