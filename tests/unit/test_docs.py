"""README sections that are generated from the code are up to date."""

from __future__ import annotations

from guardiangen.readme import codes as docs
from tests.conftest import ROOT


def test_readme_generated_sections_are_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, body in docs.sections().items():
        assert docs.replace_section(readme, name, body) == readme, (
            f"README section {name} is stale; run: python -m guardiangen.readme.codes README.md"
        )


def test_every_code_is_documented_once() -> None:
    table = docs.codes_table()
    for code in docs.CODES:
        assert table.count(f"`{code}`") == 1
