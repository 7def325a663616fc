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
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the hook runs the installed copy
    if home is not None:
        env["PRE_COMMIT_HOME"] = str(home)
    return env


def _try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files", "--verbose"],
        cwd=repo,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hooks_pass_when_out_is_in_sync(user_repo: Path, pre_commit_home: Path) -> None:
    for hook in ("guardiangen-validate", "guardiangen-check"):
        proc = _try_repo(user_repo, hook, pre_commit_home)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Passed" in proc.stdout


def test_check_hook_fails_with_a_diff_when_out_is_stale(user_repo: Path, pre_commit_home: Path) -> None:
    spec = user_repo / "specs" / "cluster.yaml"
    spec.write_text(spec.read_text().replace("repeat_interval: 4h", "repeat_interval: 3h"))
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
    assert "specs/cluster.yaml:" in proc.stdout and 'error[GG202] unknown specialist "maths"' in proc.stdout


def test_repository_uses_its_own_hooks() -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    published = {h["id"]: h for h in yaml.load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    config = yaml.load((ROOT / ".pre-commit-config.yaml").read_text())
    used = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert set(used) == set(published)
    for hook_id, hook in used.items():
        for key in ("entry", "files", "pass_filenames", "always_run"):
            assert hook.get(key) == published[hook_id].get(key), (hook_id, key)
    for manifest, command in (
        (".pre-commit-config.yaml", "validate-config"),
        (".pre-commit-hooks.yaml", "validate-manifest"),
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "pre_commit", command, manifest], cwd=ROOT, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_repository_hooks_run_on_this_checkout() -> None:
    env = _env()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--verbose"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("Passed") == 2
