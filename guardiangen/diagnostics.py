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


# Stable codes, grouped by stage: a code keeps its meaning forever (a new meaning gets a new code).
# Code that produces a diagnostic names its code by one of these constants; the README's table is
# generated from CODES (`python -m guardiangen.readme.codes README.md`).
# load: YAML itself
GG001_UNREADABLE = "GG001"
GG002_YAML_SYNTAX = "GG002"
GG003_TAB_INDENT = "GG003"
GG004_DUPLICATE_KEY = "GG004"
GG005_NOT_A_MAPPING = "GG005"
GG006_YAML_FEATURE = "GG006"
# spec: shape and values
GG101_UNKNOWN_KEY = "GG101"
GG102_WRONG_TYPE = "GG102"
GG103_MISSING_KEY = "GG103"
GG104_BAD_DURATION = "GG104"
GG105_OUT_OF_RANGE = "GG105"
GG106_BAD_NAME = "GG106"
GG107_INVALID_VALUE = "GG107"
GG108_BAD_API_VERSION = "GG108"
# spec: cross-references, uniqueness and settings that only make sense together
GG201_DUPLICATE = "GG201"
GG202_UNKNOWN_SPECIALIST = "GG202"
GG203_UNKNOWN_GPU = "GG203"
GG204_UNKNOWN_RECEIVER = "GG204"
GG205_UNKNOWN_METRIC = "GG205"
GG206_INCONSISTENT = "GG206"
GG207_NOT_A_BUCKET = "GG207"
GG208_UNKNOWN_ALERT = "GG208"
GG209_ALERTMANAGER_VERSION = "GG209"
GG210_PROFILE_CANNOT = "GG210"
GG211_GPU_OVERCOMMIT = "GG211"
GG212_RESERVED_LABEL = "GG212"
GG213_ROUTE_NEVER_MATCHES = "GG213"
GG214_ROUTE_FOREIGN_LABEL = "GG214"
GG215_ENGINE_VERSION = "GG215"
GG216_ENGINE_CANNOT = "GG216"
GG217_ENGINE_SHARED = "GG217"
GG218_METRIC_USE = "GG218"
# spec: safety
GG301_INLINE_SECRET = "GG301"
# lint of generated or foreign rules and dashboards
GG401_PROMQL_SYNTAX = "GG401"
GG402_UNKNOWN_METRIC = "GG402"
GG403_TYPE_MISUSE = "GG403"
GG404_HIGH_CARDINALITY = "GG404"
GG405_NO_COMPARISON = "GG405"
GG406_WRONG_HUMANIZE = "GG406"
GG407_QUANTILE_WITHOUT_LE = "GG407"
GG408_CONVENTION = "GG408"
GG409_DEPRECATED_METRIC = "GG409"
GG410_DASHBOARD = "GG410"
GG420_TOOL_PROBLEM = "GG420"
GG421_TOOL_MISSING = "GG421"
# check: drift between out/ and a fresh render
GG501_CHANGED = "GG501"
GG502_MISSING = "GG502"
GG503_NO_LONGER_GENERATED = "GG503"
# write
GG601_WRITE_FAILED = "GG601"
# doctor: a running Prometheus and Alertmanager checked against the spec's render
GG701_UNREACHABLE = "GG701"
GG702_NO_SERIES = "GG702"
GG703_TYPE_DIFFERS = "GG703"
GG704_LABEL_VALUE = "GG704"
GG705_BUCKET_MISSING = "GG705"
GG706_RULES_NOT_LOADED = "GG706"
GG707_RULES_STALE = "GG707"
GG708_RULE_FAILING = "GG708"
GG709_TARGET_DOWN = "GG709"
GG710_ALERTMANAGER_CONFIG = "GG710"
GG711_BUDGET = "GG711"
# internal
GG900_INTERNAL = "GG900"

CODES: dict[str, str] = {
    GG001_UNREADABLE: "the file cannot be read",
    GG002_YAML_SYNTAX: "YAML syntax error",
    GG003_TAB_INDENT: "a tab character is used for indentation",
    GG004_DUPLICATE_KEY: "a mapping key appears twice",
    GG005_NOT_A_MAPPING: "the document is empty or not a mapping",
    GG006_YAML_FEATURE: "YAML feature not allowed in a spec (anchors/aliases across, tags, or a non-string key)",
    GG101_UNKNOWN_KEY: "unknown key",
    GG102_WRONG_TYPE: "wrong type",
    GG103_MISSING_KEY: "required key missing",
    GG104_BAD_DURATION: "invalid duration",
    GG105_OUT_OF_RANGE: "value out of range",
    GG106_BAD_NAME: "name does not match the allowed pattern",
    GG107_INVALID_VALUE: "invalid value",
    GG108_BAD_API_VERSION: "unsupported apiVersion or kind",
    GG201_DUPLICATE: "duplicate name",
    GG202_UNKNOWN_SPECIALIST: "reference to an unknown specialist",
    GG203_UNKNOWN_GPU: "reference to an unknown GPU node or GPU model",
    GG204_UNKNOWN_RECEIVER: "reference to an unknown receiver or time interval",
    GG205_UNKNOWN_METRIC: "reference to an unknown metric or label",
    GG206_INCONSISTENT: "inconsistent settings (e.g. an e-mail receiver without `alerting.smtp`)",
    GG207_NOT_A_BUCKET: "SLO threshold is not a histogram bucket boundary",
    GG208_UNKNOWN_ALERT: "alert override names an alert that is not generated",
    GG209_ALERTMANAGER_VERSION: "setting the target Alertmanager version (`defaults.alertmanager_version`) lacks",
    GG210_PROFILE_CANNOT: "setting the deployment profile or the multi-cluster label cannot carry out",
    GG211_GPU_OVERCOMMIT: "warning: `gpu_placement` puts more GPUs on a node than its `gpu_count`",
    GG212_RESERVED_LABEL: "label name reserved by Prometheus or set by the generated rules themselves",
    GG213_ROUTE_NEVER_MATCHES: "route matches a label value no generated alert can carry",
    GG214_ROUTE_FOREIGN_LABEL: "warning: route matches a label no generated alert carries (only foreign alerts can)",
    GG215_ENGINE_VERSION: "serving engine or version guardiangen has no metric catalogue for",
    GG216_ENGINE_CANNOT: "serving engine does not export what a threshold, SLO or selector needs",
    GG217_ENGINE_SHARED: "warning: several specialists select the same serving-engine series",
    GG218_METRIC_USE: "metric SLO or alert uses a metric its type or labels cannot serve (e.g. a gauge as events)",
    GG301_INLINE_SECRET: "secret written inline; reference it by file or environment variable",
    GG401_PROMQL_SYNTAX: "PromQL does not parse",
    GG402_UNKNOWN_METRIC: "selector names a metric that is not in the catalog",
    GG403_TYPE_MISUSE: "metric used in a way its type does not allow",
    GG404_HIGH_CARDINALITY: "aggregation groups by a high-cardinality label",
    GG405_NO_COMPARISON: "alert expression has no comparison",
    GG406_WRONG_HUMANIZE: "annotation humanizes a value with the wrong scale",
    GG407_QUANTILE_WITHOUT_LE: "histogram_quantile without sum by (le, ...)",
    GG408_CONVENTION: "rule naming or labelling convention violated",
    GG409_DEPRECATED_METRIC: "warning: a serving engine renamed this metric; use the name that replaced it",
    GG410_DASHBOARD: "dashboard problem",
    GG420_TOOL_PROBLEM: "external tool reported a problem",
    GG421_TOOL_MISSING: "external tool is missing",
    GG501_CHANGED: "generated file differs from a fresh render",
    GG502_MISSING: "generated file is missing",
    GG503_NO_LONGER_GENERATED: "file listed in the manifest is no longer generated",
    GG601_WRITE_FAILED: "output could not be written",
    GG701_UNREACHABLE: "server cannot be reached, refuses the request, or does not answer as its API should",
    GG702_NO_SERIES: "metric the generated rules read has no series on the server",
    GG703_TYPE_DIFFERS: "metric's type on the server differs from the catalog's",
    GG704_LABEL_VALUE: "no series carries the label value the spec names (with the values seen)",
    GG705_BUCKET_MISSING: "histogram on the server lacks the bucket boundary an SLO's threshold needs",
    GG706_RULES_NOT_LOADED: "generated rule group is not loaded",
    GG707_RULES_STALE: "loaded rule group differs from the fresh render (an older rules file)",
    GG708_RULE_FAILING: "loaded generated rule fails to evaluate",
    GG709_TARGET_DOWN: "scrape target of the spec's series is down",
    GG710_ALERTMANAGER_CONFIG: "Alertmanager's loaded configuration differs from the rendered one",
    GG711_BUDGET: "request or time budget ran out before every check ran",
    GG900_INTERNAL: "internal error",
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
