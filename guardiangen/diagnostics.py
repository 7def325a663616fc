"""Positioned diagnostics: one type for every finding, one reporter for every format.

Every stage (load, spec, lint, check) produces :class:`Diagnostic` values instead of raising, so a
user sees every problem in one run. Codes are stable and documented in :data:`CODES`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


# Stable codes, grouped by stage. The README's table is generated from the same data by a test.
CODES: dict[str, str] = {
    # load: YAML itself
    "GG001": "the file cannot be read",
    "GG002": "YAML syntax error",
    "GG003": "a tab character is used for indentation",
    "GG004": "a mapping key appears twice",
    "GG005": "the document is empty or not a mapping",
    "GG006": "YAML feature not allowed in a spec (anchors/aliases across, tags, or a non-string key)",
    # spec: shape and values
    "GG101": "unknown key",
    "GG102": "wrong type",
    "GG103": "required key missing",
    "GG104": "invalid duration",
    "GG105": "value out of range",
    "GG106": "name does not match the allowed pattern",
    "GG107": "invalid value",
    "GG108": "unsupported apiVersion or kind",
    # spec: cross-references and uniqueness
    "GG201": "duplicate name",
    "GG202": "reference to an unknown specialist",
    "GG203": "reference to an unknown GPU node or GPU model",
    "GG204": "reference to an unknown receiver or time interval",
    "GG205": "reference to an unknown metric or label",
    "GG206": "inconsistent settings",
    "GG207": "SLO threshold is not a histogram bucket boundary",
    "GG208": "alert override names an alert that is not generated",
    # spec: safety
    "GG301": "secret written inline; reference it by file or environment variable",
    # lint of generated or foreign rules and dashboards
    "GG401": "PromQL does not parse",
    "GG402": "selector names a metric that is not in the catalog",
    "GG403": "metric used in a way its type does not allow",
    "GG404": "aggregation groups by a high-cardinality label",
    "GG405": "alert expression has no comparison",
    "GG406": "annotation humanizes a value with the wrong scale",
    "GG407": "histogram_quantile without sum by (le, ...)",
    "GG408": "rule naming or labelling convention violated",
    "GG410": "dashboard problem",
    "GG420": "external tool reported a problem",
    "GG421": "external tool is missing",
    # check: drift between out/ and a fresh render
    "GG501": "generated file differs from a fresh render",
    "GG502": "generated file is missing",
    "GG503": "file listed in the manifest is no longer generated",
    # write
    "GG601": "output could not be written",
    # internal
    "GG900": "internal error",
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding at a position. ``line``/``col`` are 1-based; 0 means unknown."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        # Messages quote user text (unknown keys, names); a line break in it would split the
        # one-line `path:line:col: ...` contract that editors and CI parsers rely on.
        object.__setattr__(self, "message", one_line(self.message))

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.code, self.message)

    def format_text(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        return f"{where}: {self.severity.value}[{self.code}] {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }

    def format_github(self) -> str:
        level = {"error": "error", "warning": "warning", "info": "notice"}[self.severity.value]
        props = [f"file={_gh_prop(self.path)}"]
        if self.line:
            props += [f"line={self.line}", f"col={self.col or 1}"]
        props.append(f"title={_gh_prop(self.code)}")
        return f"::{level} {','.join(props)}::{_gh_data(self.message)}"


_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters and line separators written as escapes (``\\n``, ``\\x07``)."""
    if not _LINE_BREAKING.search(text):
        return text
    return _LINE_BREAKING.sub(lambda m: repr(m.group())[1:-1], text)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def error(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, code, message, Severity.ERROR)


def warning(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, code, message, Severity.WARNING)


def sort_unique(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by position, duplicates removed: the order every reporter prints."""
    return sorted(set(diags), key=Diagnostic.sort_key)


def has_errors(diags: Iterable[Diagnostic], fail_on: Severity = Severity.ERROR) -> bool:
    return any(d.severity.rank >= fail_on.rank for d in diags)


FORMATS = ("text", "json", "github")


def render(diags: Sequence[Diagnostic], fmt: str) -> str:
    """All diagnostics in one of :data:`FORMATS`; text ends with a one-line summary."""
    ordered = sort_unique(diags)
    if fmt == "json":
        return json.dumps([d.as_dict() for d in ordered], indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        return "".join(d.format_github() + "\n" for d in ordered)
    lines = [d.format_text() for d in ordered]
    if ordered:
        errors = sum(1 for d in ordered if d.severity is Severity.ERROR)
        warnings = sum(1 for d in ordered if d.severity is Severity.WARNING)
        lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "".join(line + "\n" for line in lines)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` for the closest choice, or an empty string."""
    import difflib

    match = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""
