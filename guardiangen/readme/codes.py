"""README sections generated from the code, so documentation cannot drift from behaviour.

`python -m guardiangen.readme.codes` rewrites them in README.md; a test fails when they are stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from guardiangen.diagnostics import CODES


def codes_table() -> str:
    rows = ["| code | meaning |", "|---|---|"]
    rows += [f"| `{code}` | {meaning} |" for code, meaning in CODES.items()]
    return "\n".join(rows) + "\n"


def sections() -> dict[str, str]:
    """Marker name -> generated Markdown."""
    from guardiangen.readme.engines import engines_table

    return {"codes-table": codes_table(), "engines-table": engines_table()}


def replace_section(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {re.escape(name)}:start -->\n).*?(<!-- {re.escape(name)}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"README has no <!-- {name}:start/end --> markers")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def main(argv: list[str]) -> int:
    readme = Path(argv[0]) if argv else Path("README.md")
    text = readme.read_text(encoding="utf-8")
    for name, body in sections().items():
        text = replace_section(text, name, body)
    readme.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
