"""`render --out` never damages what it would replace, and `--templates` problems are usage errors.

Each refusal exits 2 with one line on stderr and leaves every file as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_SPEC, ROOT, run_cli

MANIFEST = ".guardiangen-manifest.json"


def snapshot(root: Path) -> dict[str, str]:
    """Every entry below ``root`` (files by content, directories and links by kind)."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A user's working directory with the reference spec in it."""
    (tmp_path / "cluster.yaml").write_text(REFERENCE_SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def render(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return run_cli("render", *args, cwd=work, env=env)


def assert_refused(work: Path, proc: subprocess.CompletedProcess[str], before: dict[str, str], why: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("guardiangen: refusing to write into ") and why in proc.stderr, proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert snapshot(work) == before


def test_out_that_is_a_file_or_the_spec(work: Path) -> None:
    (work / "notes.txt").write_text("mine\n")
    before = snapshot(work)
    assert_refused(work, render(work, "cluster.yaml", "--out", "notes.txt"), before, "it is a file")
    assert_refused(work, render(work, "cluster.yaml", "--out", "cluster.yaml"), before, "it is a file")


def test_out_that_holds_the_spec(work: Path) -> None:
    (work / "specs").mkdir()
    shutil.move(work / "cluster.yaml", work / "specs" / "cluster.yaml")
    (work / "specs" / MANIFEST).write_text('{"files": {}}')  # even one that looks generated
    before = snapshot(work)
    proc = render(work, "specs/cluster.yaml", "--out", "specs", "--force")
    assert_refused(work, proc, before, "it holds specs/cluster.yaml")


@pytest.mark.parametrize("out", [".", "..", "/"])
def test_out_that_is_or_holds_the_working_directory(work: Path, out: str) -> None:
    before = snapshot(work)
    assert_refused(work, render(work, "cluster.yaml", "--out", out, "--force"), before, "working directory")


def test_out_that_is_a_repository_root_even_with_force(work: Path) -> None:
    repo = work / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / MANIFEST).write_text('{"files": {}}')
    before = snapshot(work)
    assert_refused(work, render(work, "cluster.yaml", "--out", "repo", "--force"), before, "holds .git")


def test_non_empty_foreign_directory_needs_force(work: Path) -> None:
    (work / "site").mkdir()
    (work / "site" / "index.html").write_text("<p>mine</p>\n")
    before = snapshot(work)
    proc = render(work, "cluster.yaml", "--out", "site")
    assert_refused(work, proc, before, "pass --force")
    proc = render(work, "cluster.yaml", "--out", "site", "--force")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (work / "site" / "index.html").read_text() == "<p>mine</p>\n"
    assert (work / "site" / MANIFEST).is_file() and (work / "site" / "prometheus" / "rules").is_dir()


def test_empty_and_new_directories_are_fine(work: Path) -> None:
    (work / "empty").mkdir()
    for out in ("empty", "new/nested"):
        proc = render(work, "cluster.yaml", "--out", out)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (work / out / MANIFEST).is_file()


def test_foreign_files_links_and_empty_directories_survive_a_render(work: Path) -> None:
    assert render(work, "cluster.yaml", "--out", "out").returncode == 0
    out = work / "out"
    (out / "README.md").write_text("ours, not generated\n")
    (out / "prometheus" / "local.yml").write_text("groups: []\n")
    (out / "keep" / "deeper").mkdir(parents=True)
    (out / "keep" / "also-empty").mkdir()
    (work / "elsewhere").mkdir()
    (work / "elsewhere" / "f").write_text("x\n")
    (out / "linked").symlink_to(work / "elsewhere")
    (out / "link-to-file").symlink_to("README.md")
    foreign = {p: v for p, v in snapshot(out).items() if p.split("/")[0] in ("README.md", "keep", "link-to-file")}
    foreign |= {"prometheus/local.yml": snapshot(out)["prometheus/local.yml"], "linked": snapshot(out)["linked"]}
    proc = render(work, "cluster.yaml", "--out", "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = snapshot(out)
    assert {p: after.get(p) for p in foreign} == foreign
    assert (work / "elsewhere" / "f").read_text() == "x\n"  # a linked directory is never entered


def test_out_that_is_a_link_to_a_directory_stays_a_link(work: Path) -> None:
    (work / "real").mkdir()
    (work / "out").symlink_to("real")
    for _ in range(2):
        proc = render(work, "cluster.yaml", "--out", "out")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (work / "out").is_symlink() and (work / "real" / MANIFEST).is_file()


# ------------------------------------------------------------------------------- --templates


def assert_usage(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("guardiangen: --templates ") and len(proc.stderr.splitlines()) == 1
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", ["render", "check"])
def test_templates_that_do_not_exist_or_are_a_file(work: Path, command: str) -> None:
    before = snapshot(work)
    assert_usage(run_cli(command, "cluster.yaml", "--templates", "nowhere", cwd=work), "no such directory")
    assert_usage(run_cli(command, "cluster.yaml", "--templates", "cluster.yaml", cwd=work), "not a directory")
    assert snapshot(work) == before


def test_templates_missing_a_shipped_template(work: Path) -> None:
    shutil.copytree(ROOT / "templates", work / "mine")
    (work / "mine" / "alertmanager" / "slack.tmpl").unlink()
    assert_usage(render(work, "cluster.yaml", "--templates", "mine"), "lacks", "alertmanager/slack.tmpl")
    assert not (work / "out").exists()


def test_templates_with_a_syntax_error_name_the_file_and_line(work: Path) -> None:
    shutil.copytree(ROOT / "templates", work / "mine")
    path = work / "mine" / "fluentd" / "sources.conf.j2"
    lines = path.read_text(encoding="utf-8").count("\n")
    with path.open("a", encoding="utf-8") as f:
        f.write("{% if %}\n")
    proc = render(work, "cluster.yaml", "--templates", "mine")
    assert_usage(proc, f"mine/fluentd/sources.conf.j2:{lines + 1}:")
    assert not (work / "out").exists()


def test_a_full_copy_of_the_templates_renders_the_same_bytes(work: Path) -> None:
    shutil.copytree(ROOT / "templates", work / "mine")
    assert render(work, "cluster.yaml", "--out", "a").returncode == 0
    assert render(work, "cluster.yaml", "--out", "b", "--templates", "mine").returncode == 0
    assert snapshot(work / "a") == snapshot(work / "b")
