"""Corrupted specs never produce a traceback: diagnostics (well-formed, positioned), or a spec that renders.

The in-process pipeline must return diagnostics instead of raising; the CLI (in-process through
typer's runner for every example, as a subprocess for a sample) exits 0 or 1 and prints only
diagnostic lines.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from guardiangen.cli import app
from tests.fuzz.harness import (
    SPEC_NAME,
    Outcome,
    cli,
    diagnostic_problems,
    explain,
    fuzz,
    render,
    short,
    validate_bytes,
    write_spec,
)
from tests.fuzz.known import unexplained
from tests.fuzz.mutate import corrupted_data, corrupted_text

SUMMARY_RE = re.compile(r"^[0-9]+ error\(s\), [0-9]+ warning\(s\)$")


def _check(directory: Path, data: bytes, log: list[str]) -> Outcome:
    context = f"\n--- edits: {log}\n--- spec ---\n{short(data)}"
    try:
        outcome = validate_bytes(directory, data)
    except BaseException as exc:  # the finding: validate must never raise
        raise AssertionError(f"validate raised {type(exc).__name__}: {short(str(exc), 500)}{context}") from exc
    problems = unexplained(diagnostic_problems(outcome.diagnostics, outcome.path, outcome.data))
    assert not problems, "\n".join(problems) + context
    if outcome.spec is None:
        assert any(d.severity.value == "error" for d in outcome.diagnostics), "refused without an error" + context
    else:
        assert not outcome.diagnostics, explain(outcome.diagnostics) + context
        try:
            files = render(outcome.spec)
        except Exception as exc:
            problem = f"accepted spec does not render: {type(exc).__name__}: {exc}"
            assert not unexplained([problem]), problem + context
            return outcome
        assert files
    return outcome


def _cli_in_process(path: Path, outcome: Outcome, log: list[str]) -> None:
    context = f"\n--- edits: {log}\n--- spec ---\n{short(outcome.data)}"
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code in (0, 1), f"exit {result.exit_code}: {result.stdout}{result.stderr}{context}"
    assert result.exit_code == (0 if outcome.spec is not None else 1), context
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert result.stderr == "", result.stderr + context
    stdout = result.stdout
    for d in outcome.diagnostics:  # a multi-line diagnostic of a known, open bug (see known.py)
        text = d.format_text()
        if len(text.splitlines()) > 1 and not unexplained([f"diagnostic spans lines: {text!r}"]):
            stdout = stdout.replace(text, d.path + ":")
    for line in stdout.splitlines():
        ok = line == f"{path}: ok" or SUMMARY_RE.match(line) or line.startswith(f"{path}:")
        assert ok, f"unexpected output line {line!r}{context}"


@fuzz(60)
@given(case=corrupted_text())
def test_text_corruptions_give_diagnostics_not_tracebacks(case: tuple[bytes, list[str]]) -> None:
    data, log = case
    with tempfile.TemporaryDirectory() as tmp:
        outcome = _check(Path(tmp), data, log)
        _cli_in_process(outcome.path, outcome, log)


@fuzz(60)
@given(case=corrupted_data())
def test_data_corruptions_give_diagnostics_not_tracebacks(case: tuple[bytes, list[str]]) -> None:
    data, log = case
    with tempfile.TemporaryDirectory() as tmp:
        outcome = _check(Path(tmp), data, log)
        _cli_in_process(outcome.path, outcome, log)


@fuzz(3)
@given(case=st.one_of(corrupted_text(), corrupted_data()), fmt=st.sampled_from(["text", "json", "github"]))
def test_cli_subprocess_exit_code_and_streams(case: tuple[bytes, list[str]], fmt: str) -> None:
    """The real console entry point: exit 0/1, nothing on stderr, never a traceback."""
    data, log = case
    with tempfile.TemporaryDirectory() as tmp:
        path = write_spec(Path(tmp), data)
        proc = cli("validate", "--format", fmt, SPEC_NAME, cwd=Path(tmp))
        context = f"\n--- edits: {log}\n--- spec ---\n{short(data)}"
        assert proc.returncode in (0, 1), f"exit {proc.returncode}: {proc.stdout}{proc.stderr}{context}"
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr + context
        assert not unexplained([proc.stderr] if proc.stderr else []), proc.stderr + context
        assert path.read_bytes() == data, "validate changed the spec file"
