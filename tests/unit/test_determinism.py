"""Same spec, same bytes: across hash seeds and against the committed out/."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import REFERENCE_SPEC, ROOT, run_cli


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_byte_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    trees = []
    for seed in ("0", "4242"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = run_cli("render", str(REFERENCE_SPEC), "--out", str(out), env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        trees.append(_tree(out))
    assert trees[0] == trees[1]
    assert len(trees[0]) > 1


def test_committed_out_is_up_to_date() -> None:
    proc = run_cli("check", "specs/cluster.yaml", "--out", "out")
    assert proc.returncode == 0, (
        "out/ is stale; run `guardiangen render specs/cluster.yaml --out out` and commit it\n" + proc.stdout[-3000:]
    )


def test_validate_does_not_import_the_rendering_stack() -> None:
    code = (
        "import sys\n"
        "from guardiangen.cli import app\n"
        "try:\n    app(['validate', 'specs/cluster.yaml'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('grafanalib', 'jinja2'))\n"
        "print(heavy)\n"
    )
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"
