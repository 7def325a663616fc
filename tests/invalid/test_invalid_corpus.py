"""Every spec in tests/invalid/ yields exactly the diagnostics in its .expected file, exit code 1;
those in tests/invalid/warnings/ are valid with warnings, exit code 0.

Regenerate an expectation after a deliberate change of messages with
    python tests/invalid/regenerate.py CASE
and review the diff before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.invalid.regenerate import cases, expected_exit

HERE = Path(__file__).resolve().parent
CASES = cases()


def test_corpus_is_large_enough() -> None:
    assert len([c for c in CASES if expected_exit(c) == 1]) >= 30
    assert [c for c in CASES if expected_exit(c) == 0], "no warning case"


@pytest.mark.parametrize("case", CASES)
def test_invalid_spec(case: str) -> None:
    spec = HERE / f"{case}.yaml"
    expected = (HERE / f"{case}.expected").read_text(encoding="utf-8")
    proc = run_cli("validate", f"tests/invalid/{case}.yaml")
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.returncode == expected_exit(case), proc.stdout + proc.stderr
    assert proc.stdout == expected, (
        f"diagnostics of {spec.name} changed; if intended, run: python tests/invalid/regenerate.py {case}"
    )
