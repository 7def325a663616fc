"""The published pre-commit hooks, run by the real `pre-commit try-repo` in a scratch repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_SPEC, ROOT, run_cli


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module: installing guardiangen into it is the slow part."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A user's repository: a spec and its rendered out/, committed."""
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    shutil.copy(REFERENCE_SPEC, repo / "specs" / "cluster.yaml")
    assert run_cli("render", "specs/cluster.yaml", "--out", "out", cwd=repo, env=_env()).returncode == 0
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "spec and out")
    return repo


def _env(home: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if home is not None:
        env["PRE_COMMIT_HOME"] = str(home)
    return env


def _try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files", "--verbose"],
        cwd=repo, env=_env(home), capture_output=True, text=True, timeout=900,
    )


def test_hooks_pass_when_out_is_in_sync(user_repo: Path, pre_commit_home: Path) -> None:
    for hook in ("guardiangen-validate", "guardiangen-check"):
        proc = _try_repo(user_repo, hook, pre_commit_home)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Passed" in proc.stdout


def test_check_hook_fails_with_a_diff_when_out_is_stale(user_repo: Path, pre_commit_home: Path) -> None:
    spec = user_repo / "specs" / "cluster.yaml"
    spec.write_text(spec.read_text().replace("rule_evaluation_interval: 30s", "rule_evaluation_interval: 1m"))
    proc = _try_repo(user_repo, "guardiangen-check", pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "error[GG501]" in proc.stdout
    assert "--- a/" in proc.stdout and "+++ b/" in proc.stdout
    assert "out is stale: run `guardiangen render" in proc.stdout


def test_validate_hook_fails_with_positioned_errors(user_repo: Path, pre_commit_home: Path) -> None:
    spec = user_repo / "specs" / "cluster.yaml"
    spec.write_text(spec.read_text().replace("watches: [code, math]", "watches: [code, maths]"))
    proc = _try_repo(user_repo, "guardiangen-validate", pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert 'specs/cluster.yaml:' in proc.stdout and 'error[GG202] unknown specialist "maths"' in proc.stdout
