"""Golden files of the Fluentd target: the reference spec and the minimal spec, byte for byte as
`guardiangen render` writes them. Regenerate after a deliberate change with
`python tests/fluentd/golden/regenerate.py` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardiangen.render import fluentd
from guardiangen.write import canonical
from tests.conftest import REFERENCE_SPEC

from .grammar import validate
from .test_render import MINIMAL_SPEC, load_spec, render_text

GOLDEN = Path(__file__).parent / "golden"
CASES = {"reference": REFERENCE_SPEC, "minimal": MINIMAL_SPEC}
REGENERATE = "python tests/fluentd/golden/regenerate.py"


def rendered_files(case: str) -> dict[str, bytes]:
    """The Fluentd target's files for a case, as the writer makes them (manifest left out)."""
    spec_path = CASES[case]
    files = {fluentd.CONFIG: render_text(load_spec(spec_path))}
    return {path: data for path, data in canonical(files, spec_path.name).items() if path in files}


def expected_files(case: str) -> Path:
    return GOLDEN / case


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    for relpath, data in rendered_files(case).items():
        golden = expected_files(case) / relpath
        assert golden.is_file(), f"{golden} is missing; run: {REGENERATE}"
        assert golden.read_bytes() == data, f"{golden} differs from a fresh render; if intended, run: {REGENERATE}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_files_pass_the_oracle(case: str) -> None:
    """The committed text itself (with the writer's header) is what fluentd reads."""
    golden = expected_files(case) / fluentd.CONFIG
    assert [str(d) for d in validate(golden.read_text(encoding="utf-8"))] == []


def test_no_stray_golden_files() -> None:
    expected = {expected_files(c) / p for c in CASES for p in rendered_files(c)}
    found = {p for p in GOLDEN.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")}
    assert found == expected, f"stray or missing golden files; run: {REGENERATE}"
