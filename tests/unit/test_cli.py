"""The CLI as a user runs it: exit codes, formats, atomic render, check, schema, init."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import REFERENCE_SPEC, ROOT, run_cli


def test_version_and_help() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("guardiangen ")
    proc = run_cli("--help")
    assert proc.returncode == 0
    assert "Exit codes: 0 clean; 1 findings" in " ".join(proc.stdout.split())


def test_usage_error_exits_2() -> None:
    assert run_cli("render", "--no-such-option").returncode == 2
    assert run_cli("no-such-command").returncode == 2


def test_validate_reference_spec() -> None:
    proc = run_cli("validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "specs/cluster.yaml: ok\n"


def test_validate_missing_file() -> None:
    proc = run_cli("validate", "does/not/exist.yaml")
    assert proc.returncode == 1
    assert proc.stdout.startswith("does/not/exist.yaml: error[GG001] no such file")


def test_formats_carry_the_same_diagnostics() -> None:
    case = "tests/invalid/many-errors-at-once.yaml"
    text = run_cli("validate", case).stdout.splitlines()[:-1]
    as_json = json.loads(run_cli("validate", case, "--format", "json").stdout)
    github = run_cli("validate", case, "--format", "github").stdout.splitlines()
    assert len(text) == len(as_json) == len(github) >= 3
    for line, item, gh in zip(text, as_json, github, strict=True):
        assert line == f"{item['path']}:{item['line']}:{item['col']}: error[{item['code']}] {item['message']}"
        assert gh.startswith(
            f"::error file={item['path']},line={item['line']},col={item['col']},title={item['code']}::"
        )


def test_render_then_check_then_drift(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("render", str(REFERENCE_SPEC), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / ".guardiangen-manifest.json").exists()
    proc = run_cli("check", str(REFERENCE_SPEC), "--out", str(out))
    assert proc.returncode == 0, proc.stdout
    manifest = json.loads((out / ".guardiangen-manifest.json").read_text())
    victim = sorted(manifest["files"])[0]
    (out / victim).write_text((out / victim).read_text() + "# hand edit\n")
    proc = run_cli("check", str(REFERENCE_SPEC), "--out", str(out))
    assert proc.returncode == 1
    assert f"+++ b/{victim}" in proc.stdout and "-# hand edit" in proc.stdout
    assert "error[GG501]" in proc.stdout
    assert (out / victim).read_text().endswith("# hand edit\n")  # check never writes


def test_invalid_spec_leaves_out_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("render", str(REFERENCE_SPEC), "--out", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    bad = tmp_path / "bad.yaml"
    bad.write_text(REFERENCE_SPEC.read_text().replace("objective_percent: 99.9", "objective_percent: 100"))
    proc = run_cli("render", str(bad), "--out", str(out))
    assert proc.returncode == 1 and "GG105" in proc.stdout
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before


def test_schema_command_matches_committed_file() -> None:
    proc = run_cli("schema")
    assert proc.returncode == 0
    committed = (ROOT / "specs" / "cluster.schema.json").read_text()
    assert proc.stdout == committed, "run: guardiangen schema > specs/cluster.schema.json"


def test_init_writes_a_valid_spec(tmp_path: Path) -> None:
    target = tmp_path / "new" / "cluster.yaml"
    assert run_cli("init", str(target)).returncode == 0
    assert run_cli("validate", str(target)).returncode == 0
    assert run_cli("init", str(target)).returncode == 2  # refuses to overwrite
    assert run_cli("init", str(target), "--force").returncode == 0


def test_reference_spec_validates_against_its_json_schema() -> None:
    import jsonschema
    from ruamel.yaml import YAML

    schema = json.loads((ROOT / "specs" / "cluster.schema.json").read_text())
    data = YAML(typ="safe", pure=True).load(REFERENCE_SPEC.read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(json.dumps(data)))


def test_every_schema_property_is_documented() -> None:
    schema = json.loads((ROOT / "specs" / "cluster.schema.json").read_text())
    undocumented = [
        f"{name}.{prop}"
        for name, definition in {"ClusterSpec": schema, **schema["$defs"]}.items()
        for prop, body in definition.get("properties", {}).items()
        if not body.get("description")
    ]
    assert undocumented == []


def test_internal_error_is_one_line_and_exit_3(tmp_path: Path) -> None:
    """A bug inside a renderer (simulated: the Prometheus target raises) is one line and exit 3."""
    (tmp_path / "sitecustomize.py").write_text(
        "import guardiangen.render.prometheus as p\n"
        "def broken(ctx):\n    raise RuntimeError('simulated bug')\n"
        "p.TARGET = p.Target(p.TARGET.name, p.TARGET.description, broken)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    proc = run_cli("render", str(REFERENCE_SPEC), "--out", str(tmp_path / "out"), env=env)
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (
        "guardiangen: internal error: RuntimeError: simulated bug (re-run with --traceback for details)\n"
    )
    assert not (tmp_path / "out").exists()
