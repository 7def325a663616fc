"""Random valid specs: validation accepts them, they render, and the tree passes every check.

Example counts are modest by default; ``GG_FUZZ_EXAMPLES=10`` runs ten times as many.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.harness import (
    SPEC_NAME,
    cli,
    diagnostic_problems,
    explain,
    fuzz,
    lint_errors,
    parse_every_file,
    render,
    run_tools,
    short,
    tree,
    validate_bytes,
    write_out,
)
from tests.fuzz.known import unexplained
from tests.fuzz.specgen import to_yaml, valid_specs


def _render(spec: Any, text: str) -> dict[str, bytes] | None:
    """The rendered files; None when rendering fails for a known, still open product bug."""
    try:
        return render(spec)
    except Exception as exc:
        problem = f"render raised {type(exc).__name__}: {exc}"
        assert not unexplained([problem]), problem + "\n--- spec ---\n" + short(text)
        return None


def _accepted(directory: Path, data: dict[str, Any], *, flow: bool | None = False) -> Any:
    text = to_yaml(data, flow=flow)
    outcome = validate_bytes(directory, text)
    assert outcome.spec is not None and not outcome.diagnostics, (
        "a valid spec was refused:\n" + explain(outcome.diagnostics) + "\n--- spec ---\n" + short(text)
    )
    assert not diagnostic_problems(outcome.diagnostics, outcome.path, outcome.data)
    return outcome.spec, text


@fuzz(12)
@given(data=valid_specs(), flow=st.sampled_from([False, None]))
def test_valid_spec_validates_renders_and_passes_our_checks(data: dict[str, Any], flow: bool | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec, text = _accepted(Path(tmp), data, flow=flow)
        files = _render(spec, text)
        if files is None:
            return
        assert files, "nothing rendered"
        again = render(spec)
        assert again == files, f"two renders differ: {sorted(k for k in files if files[k] != again.get(k))}"
        problems = parse_every_file(files)
        assert not problems, "\n".join(problems) + "\n--- spec ---\n" + short(text)
        out = write_out(files, Path(tmp) / "out")
        errors = lint_errors(out, spec)
        assert not errors, explain(errors) + "\n--- spec ---\n" + short(text)


@fuzz(2)
@given(data=valid_specs(tool_compatible=True, max_specialists=3))
def test_valid_spec_passes_promtool_and_amtool(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec, text = _accepted(Path(tmp), data)
        files = _render(spec, text)
        if files is None:
            return
        run = run_tools(write_out(files, Path(tmp) / "out"))
        assert "promtool check rules" in run.ran and "amtool check-config" in run.ran
        problems = unexplained(run.problems)
        assert not problems, "\n".join(problems) + "\n--- spec ---\n" + short(text)


@fuzz(2)
@given(data=valid_specs(max_specialists=3), seed=st.sampled_from(["0", "1", "4242", "31337"]))
def test_render_bytes_do_not_depend_on_the_hash_seed(data: dict[str, Any], seed: str) -> None:
    """The CLI in a subprocess under another PYTHONHASHSEED writes the bytes this process renders."""
    with tempfile.TemporaryDirectory() as tmp:
        spec, text = _accepted(Path(tmp), data)
        files = _render(spec, text)
        if files is None:
            return
        out = Path(tmp) / "cli-out"
        proc = cli("render", str(Path(tmp) / SPEC_NAME), "--out", str(out), seed=seed)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        written = tree(out)
        assert written.keys() == files.keys()
        differ = sorted(k for k in files if files[k] != written[k])
        assert not differ, f"PYTHONHASHSEED={seed} changes {differ}\n--- spec ---\n{short(text)}"
