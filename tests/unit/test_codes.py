"""Diagnostic codes: named once beside their table, and produced through those names only."""

from __future__ import annotations

import re

from guardiangen import diagnostics
from guardiangen.diagnostics import CODES
from tests.conftest import ROOT

CONSTANTS = {name: value for name, value in vars(diagnostics).items() if re.fullmatch(r"GG\d{3}_[A-Z0-9_]+", name)}


def test_every_constant_names_its_own_code_and_has_a_meaning() -> None:
    assert CONSTANTS, "no code constants found"
    for name, value in CONSTANTS.items():
        assert name.startswith(value + "_"), f"{name} holds {value}"
    assert sorted(CONSTANTS.values()) == sorted(CODES), "a code without a constant, or a constant without a meaning"
    assert len(set(CONSTANTS.values())) == len(CONSTANTS), "two constants for one code"


def test_no_module_spells_a_code_as_a_string() -> None:
    """A code appears as text only in the table; everywhere else it is produced by its constant."""
    literal = re.compile(r"""["']GG\d{3}["']""")
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "guardiangen").rglob("*.py"))
        if path.name != "diagnostics.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert not found, "\n".join(found)


def test_codes_of_the_split_gg206_keep_distinct_meanings() -> None:
    """GG206 keeps "inconsistent settings"; version gates and profile limits have codes of their own."""
    assert CODES["GG206"].startswith("inconsistent settings")
    assert "Alertmanager version" in CODES["GG209"]
    assert "deployment profile" in CODES["GG210"]
