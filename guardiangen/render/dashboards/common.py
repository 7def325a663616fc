"""Small helpers shared by the dashboard builders: spec text in markdown, label alternations, legends."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from guardiangen import promql as q
from guardiangen.promql import Matcher, regex
from guardiangen.promql.text import regex_literal
from guardiangen.render.dashboards.panels import RATE, Query

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")

QUANTILES = ("0.50", "0.95", "0.99")
"""The latency quantiles the dashboards draw: p50, p95, p99."""


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


def legend(label: str) -> str:
    """A legend showing the series' value of ``label``."""
    return "{{" + label + "}}"


def quantiles(duration: q.Series, by: tuple[str, ...], prefix: str) -> list[Query]:
    """The :data:`QUANTILES` of a duration histogram, one line per group of ``by``, legends ``<prefix> p95``..."""
    return [Query(q.quantile(k, duration, RATE, by), f"{prefix} p{k[2:]}") for k in QUANTILES]
