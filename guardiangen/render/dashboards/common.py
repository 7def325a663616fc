"""Small helpers shared by the dashboard builders: spec text in markdown, label alternations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from guardiangen.promql import Matcher, regex
from guardiangen.promql.text import regex_literal

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")

SPECIALIST_LABEL = "specialist_type"
GUARDIAN_LABEL = "guardian_type"


def md(text: str) -> str:
    """Spec text escaped for Grafana's markdown (tables, emphasis and raw HTML stay inert)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A markdown table; cells must already be escaped with :func:`md`."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def any_of(label: str, values: Iterable[str]) -> Matcher:
    """``label=~"a|b"`` matching exactly these values (regex metacharacters escaped)."""
    return regex(label, "|".join(regex_literal(v) for v in sorted(set(values))))
