"""Corrupted specs never produce a traceback: diagnostics (well-formed, positioned), or a spec that renders.

The in-process pipeline must return diagnostics instead of raising; the CLI (in-process through
typer's runner for every example, as a subprocess for a sample) exits 0 or 1 and prints only
diagnostic lines.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from guardiangen.cli import app
from tests.fuzz.fields import with_values
from tests.fuzz.harness import (
    SPEC_NAME,
    Outcome,
    cli,
    diagnostic_problems,
    examples,
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
    _diagnostics_not_tracebacks(*case)


@fuzz(60)
@given(case=corrupted_data())
def test_data_corruptions_give_diagnostics_not_tracebacks(case: tuple[bytes, list[str]]) -> None:
    _diagnostics_not_tracebacks(*case)


def _diagnostics_not_tracebacks(data: bytes, log: list[str]) -> None:
    """Validated in-process and through the CLI: diagnostics or success, never a traceback."""
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


# ------------------------------------------------------------------------------ odd numbers, everywhere

ODD_NUMBERS: dict[str, str] = {
    "nan": ".nan",
    "inf": ".inf",
    "-inf": "-.inf",
    "-0.0": "-0.0",
    "huge-float": "1.0e308",
    "huge-int": "1" + "0" * 100,
    "negative": "-1",
    "zero": "0",
    "tiny": "1.0e-300",
    "bool": "true",
    "string": '"1"',
    "null": "null",
    "list": "[1]",
}


def _number_paths(node: Any, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _number_paths(v, (*at, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _number_paths(v, (*at, i))]
    return [at] if isinstance(node, int | float) and not isinstance(node, bool) else []


def _numeric_spec() -> dict[str, Any]:
    """The full base spec with every numeric setting written out."""
    data = with_values("closed", {})
    data["specialists"][0]["thresholds"] = {
        "timeout_ratio_max_percent": 1,
        "error_ratio_max_percent": 5,
        "latency_p95_max_seconds": 10,
        "quality_mean_min": 0.7,
        "throughput_drop_percent": 50,
        "tokens_per_second_min": 20,
    }
    data["guardians"][0]["thresholds"] = {
        "evaluation_latency_p95_max_seconds": 2,
        "false_positive_rate_max": 0.1,
        "prediction_accuracy_min": 0.8,
        "evaluation_coverage_min_percent": 90,
    }
    data["gpu_inventory"]["thresholds"] = {
        "utilization_high_percent": 95,
        "memory_used_high_percent": 95,
        "temperature_margin_celsius": 5,
    }
    data["node_thresholds"].update(
        cpu_utilization_max_percent=90, memory_utilization_max_percent=90, disk_utilization_max_percent=85
    )
    data["postgres"].update(connection_utilization_max_percent=80, mean_query_time_max_seconds=0.5)
    data["logging"]["fluentd_metrics_port"] = 24231
    data["logging"]["elasticsearch"]["major_version"] = 8
    data["metrics"].append({"name": "fuzz_wait_seconds", "type": "histogram", "buckets": [0.1, 1, 10]})
    return data


def _with_numbers(paths: list[tuple[str | int, ...]], literal: str) -> str:
    data = _numeric_spec()
    for path in paths:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = "@@odd@@"
    return json.dumps(data, indent=1).replace('"@@odd@@"', literal)


@pytest.mark.parametrize("name", sorted(ODD_NUMBERS))
def test_every_number_field_takes_odd_numbers_without_a_traceback(name: str) -> None:
    """Every numeric field of a full spec gets the odd value at once (the cross-field checks read the
    raw document, so all of them see it); with GG_FUZZ_EXAMPLES > 1 also one field at a time."""
    paths = _number_paths(_numeric_spec())
    assert len(paths) > 30
    batches = [paths] + ([[p] for p in paths] if examples(1) > 1 else [])
    with tempfile.TemporaryDirectory() as tmp:
        for batch in batches:
            outcome = _check(Path(tmp), _with_numbers(batch, ODD_NUMBERS[name]).encode(), [f"{name} at {batch}"])
            if outcome.spec is not None and (
                name in ("nan", "inf", "-inf", "bool", "string", "list") or len(batch) > 1
            ):
                problem = f"{name} accepted in {batch}"
                assert not unexplained([problem]), problem
