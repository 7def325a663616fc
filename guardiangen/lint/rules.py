"""Offline lint of Prometheus rule files (``{"groups": [...]}``) against the metric catalog.

Every ``expr`` is parsed (GG401) and checked by :class:`guardiangen.promql.Analyzer`: unknown
metrics (GG402; recording rules defined anywhere in the linted files are known, an undefined name
with ``:`` is not), type misuse (GG403: bare histograms, rate of a gauge, raw counters, absolute
rates of subset counters such as errors), grouping by high-cardinality labels (GG404),
``histogram_quantile`` without ``sum by (le, ...)`` (GG407), names a serving engine replaced (GG409,
a warning naming the replacement and the release that brought it). Alerts also need a comparison
(GG405) and annotations whose humanize function fits the value's scale (GG406). Conventions
(GG408): recording names ``level:metric:operations``, CamelCase alert names, ``severity`` in
critical/warning/info, a static ``summary`` and a templated ``description``.

Serving-engine metrics (``vllm:num_requests_waiting``, ``nv_inference_request_success``) are
metrics, not recording rules, whatever their colons: the catalog holds those of the engine releases
the spec names, and for foreign rules :func:`lint_catalog` adds every catalogued release of each
engine the spec does not name. An engine the spec names keeps its own release only, so a name that
release does not export (a metric removed or not yet added) is an error that says so.

Positions come from ruamel.yaml round-trip nodes (``.lc``) when present, so
:func:`lint_rule_file` reports the line of each rule's ``expr`` or annotation; plain dicts lint
with line 0 (unknown).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from guardiangen.catalog import Catalog, Scale, Unit, engine_metrics
from guardiangen.catalog import engines as engine_catalog
from guardiangen.diagnostics import (
    GG002_YAML_SYNTAX,
    GG401_PROMQL_SYNTAX,
    GG404_HIGH_CARDINALITY,
    GG405_NO_COMPARISON,
    GG406_WRONG_HUMANIZE,
    GG408_CONVENTION,
    Diagnostic,
    Severity,
    error,
    sort_unique,
    warning,
)
from guardiangen.promql.analyze import Analyzer
from guardiangen.promql.infer import has_comparison, value_side
from guardiangen.promql.meta import Meta
from guardiangen.promql.names import ALERT_NAME_MAX, ALERT_NAME_PATTERN, RECORD_NAME_PATTERN, SEVERITIES

_HUMANIZE = re.compile(r"\$value\s*\|\s*(humanize\w*)|(humanize\w*)\s+\$value")


def lint_rule_file(
    text: str, catalog: Catalog, *, path: str, records: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """Load ``text`` (YAML, round-trip for positions) and lint it; syntax errors are GG002."""
    doc, diags = _load(text, path)
    if doc is None:
        return diags
    return sort_unique([*diags, *lint_rule_groups(doc, catalog, path=path, records=records)])


def lint_rule_files(files: Mapping[str, str], catalog: Catalog) -> list[Diagnostic]:
    """Lint several rule files together: a rule in one may use a recording rule of another."""
    docs: dict[str, Any] = {}
    diags: list[Diagnostic] = []
    for path, text in sorted(files.items()):
        doc, found = _load(text, path)
        diags += found
        if doc is not None:
            docs[path] = doc
    records: dict[str, str] = {}
    static: dict[str, frozenset[str]] = {}
    for doc in docs.values():
        records.update({k: v for k, v in collect_records(doc).items() if k not in records})
        for k, v in collect_record_labels(doc).items():
            static[k] = static.get(k, frozenset()) | v
    for path, doc in docs.items():
        diags += lint_rule_groups(doc, catalog, path=path, records=records, record_labels=static)
    return sort_unique(diags)


def collect_records(docs: Any) -> dict[str, str]:
    """Recording rule name -> expr (the first definition) of a parsed rule file."""
    out: dict[str, str] = {}
    for _, rule in _rules(docs):
        name, expr = rule.get("record"), rule.get("expr")
        if isinstance(name, str) and isinstance(expr, str) and name not in out:
            out[name] = expr
    return out


def collect_record_labels(docs: Any) -> dict[str, frozenset[str]]:
    """Recording rule name -> names of the static `labels:` its rules attach (all definitions):
    a series recorded with ``labels: {slo: x}`` has an ``slo`` label its expression lacks."""
    out: dict[str, frozenset[str]] = {}
    for _, rule in _rules(docs):
        name, labels = rule.get("record"), rule.get("labels")
        if isinstance(name, str) and isinstance(labels, Mapping):
            out[name] = out.get(name, frozenset()) | frozenset(str(k) for k in labels)
    return out


def lint_rule_groups(
    docs: Mapping[str, Any],
    catalog: Catalog,
    *,
    path: str,
    records: Mapping[str, str] | None = None,
    record_labels: Mapping[str, frozenset[str]] | None = None,
) -> list[Diagnostic]:
    """Lint one parsed rule file; ``records`` (and the static labels in ``record_labels``) add
    recording rules defined in other files."""
    known = {**collect_records(docs), **(records or {})}
    static = dict(record_labels or {})
    for k, v in collect_record_labels(docs).items():
        static[k] = static.get(k, frozenset()) | v
    analyzer = Analyzer(lint_catalog(catalog), known, static)
    out: list[Diagnostic] = []
    groups = docs.get("groups") if isinstance(docs, Mapping) else None
    if not isinstance(groups, list):
        return [error(path, *_pos(docs), GG408_CONVENTION, "a rule file needs a `groups:` list")]
    for _, rule in _rules(docs):
        out += _lint_rule(rule, analyzer, path)
    return sort_unique(out)


@functools.lru_cache(maxsize=8)
def lint_catalog(catalog: Catalog) -> Catalog:
    """``catalog`` plus the metrics of every catalogued release of each serving engine it has none
    of (the spec does not name that engine): foreign rules may read any engine."""
    present = {m.exporter for m in catalog}
    releases = [
        engine_catalog.release(engine, version)
        for engine in engine_catalog.ENGINES
        if engine not in present
        for version in engine_catalog.catalogued_versions(engine)
    ]
    added = [m for m in engine_metrics(releases) if m.name not in catalog]
    if not added:
        return catalog
    return Catalog(
        (*catalog, *added),
        gpu=catalog.gpu,
        target_labels=catalog.target_labels,
        postgres_enabled=catalog.postgres_enabled,
    )


def _load(text: str, path: str) -> tuple[Any, list[Diagnostic]]:
    try:
        return YAML(typ="rt").load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        return None, [error(path, line, col, GG002_YAML_SYNTAX, f"YAML syntax error: {exc.problem}")]
    except YAMLError as exc:
        return None, [error(path, 0, 0, GG002_YAML_SYNTAX, f"YAML syntax error: {exc}")]


def _rules(docs: Any) -> list[tuple[Any, Mapping[str, Any]]]:
    groups = docs.get("groups") if isinstance(docs, Mapping) else None
    found: list[tuple[Any, Mapping[str, Any]]] = []
    for group in groups if isinstance(groups, list) else []:
        rules = group.get("rules") if isinstance(group, Mapping) else None
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, Mapping):
                found.append((group, rule))
    return found


def _pos(node: Any, key: str | None = None, *, value: bool = False) -> tuple[int, int]:
    """1-based (line, col) of ``node`` or of its ``key`` (or that key's value); (0, 0) if unknown."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return 0, 0
    try:
        if key is not None and key in node:
            line, col = lc.value(key) if value else lc.key(key)
        else:
            line, col = lc.line, lc.col
    except (KeyError, TypeError, AttributeError):
        return 0, 0
    return int(line) + 1, int(col) + 1


def _lint_rule(rule: Mapping[str, Any], analyzer: Analyzer, path: str) -> list[Diagnostic]:
    record, alert, expr = rule.get("record"), rule.get("alert"), rule.get("expr")
    where = _pos(rule, "expr")
    if (record is None) == (alert is None):
        return [error(path, *_pos(rule), GG408_CONVENTION, "a rule needs exactly one of `record` and `alert`")]
    name = str(record if record is not None else alert)
    if not isinstance(expr, str) or not expr.strip():
        return [error(path, *_pos(rule), GG401_PROMQL_SYNTAX, f'rule "{name}" has no `expr`')]
    ast, findings = analyzer.check(expr)
    out = [_diag(path, where, f.code, f"{name}: {f.message}", f.severity) for f in findings]
    out += _reserved_labels(rule, name, path)
    if ast is None:
        return out
    _, high = analyzer.labels(ast)
    if high and not any(f.code == GG404_HIGH_CARDINALITY for f in findings):
        out.append(
            error(
                path,
                *where,
                GG404_HIGH_CARDINALITY,
                f"{name}: the result keeps high-cardinality label(s) {', '.join(sorted(high))}; aggregate them away",
            )
        )
    if record is not None:
        if not re.fullmatch(RECORD_NAME_PATTERN, name):
            out.append(
                error(
                    path,
                    *_pos(rule, "record", value=True),
                    GG408_CONVENTION,
                    f'recording rule "{name}" does not follow level:metric:operations',
                )
            )
        return out
    out += _lint_alert(rule, name, ast, analyzer, path, where)
    return out


def _reserved_labels(rule: Mapping[str, Any], name: str, path: str) -> list[Diagnostic]:
    """Label names starting with ``__`` are Prometheus' own: promtool refuses ``__name__`` on a rule,
    and the others are dropped or mean something internal."""
    labels = rule.get("labels")
    if not isinstance(labels, Mapping):
        return []
    return [
        error(
            path,
            *_pos(labels, key),
            GG408_CONVENTION,
            f'{name}: label "{key}" starts with "__", which Prometheus reserves for internal use',
        )
        for key in labels
        if isinstance(key, str) and key.startswith("__")
    ]


def _lint_alert(
    rule: Mapping[str, Any], name: str, ast: Any, analyzer: Analyzer, path: str, where: tuple[int, int]
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not has_comparison(ast):
        out.append(
            error(
                path,
                *where,
                GG405_NO_COMPARISON,
                f"{name}: the alert fires whenever the series exists, even at 0: compare it with a threshold",
            )
        )
    elif (absolute := analyzer.absolute_subset_rate(ast)) is not None:
        out.append(_diag(path, where, absolute.code, f"{name}: {absolute.message}", absolute.severity))
    if not re.fullmatch(ALERT_NAME_PATTERN, name) or len(name) > ALERT_NAME_MAX:
        out.append(
            error(
                path,
                *_pos(rule, "alert", value=True),
                GG408_CONVENTION,
                f'alert name "{name}" should be CamelCase, at most {ALERT_NAME_MAX} characters',
            )
        )
    labels = rule.get("labels")
    labels = labels if isinstance(labels, Mapping) else {}
    severity = labels.get("severity")
    if severity not in SEVERITIES:
        at = _pos(labels, "severity", value=True) if "severity" in labels else _pos(rule, "alert")
        out.append(
            error(
                path,
                *at,
                GG408_CONVENTION,
                f"{name}: label severity must be one of {', '.join(SEVERITIES)}, got {severity!r}",
            )
        )
    for key, val in labels.items():
        if isinstance(val, str) and "$value" in val:
            out.append(
                error(
                    path,
                    *_pos(labels, key, value=True),
                    GG408_CONVENTION,
                    f"{name}: label {key} uses $value, which changes the alert's identity",
                )
            )
    annotations = rule.get("annotations")
    annotations = annotations if isinstance(annotations, Mapping) else {}
    out += _annotation_conventions(annotations, name, path, _pos(rule, "alert"))
    value_meta = analyzer.meta(value_side(ast))
    for key, text in annotations.items():
        if isinstance(text, str):
            out += _humanize(text, value_meta, name, key, path, _pos(annotations, key, value=True))
    return out


def _annotation_conventions(
    annotations: Mapping[str, Any], name: str, path: str, at: tuple[int, int]
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    summary, description = annotations.get("summary"), annotations.get("description")
    if not isinstance(summary, str) or not summary.strip():
        out.append(error(path, *at, GG408_CONVENTION, f"{name}: annotation summary is missing"))
    elif "{{" in summary:
        out.append(
            error(
                path,
                *_pos(annotations, "summary", value=True),
                GG408_CONVENTION,
                f"{name}: summary must be a static sentence (no templates); put details in description",
            )
        )
    if not isinstance(description, str) or not description.strip():
        out.append(error(path, *at, GG408_CONVENTION, f"{name}: annotation description is missing"))
    elif "{{" not in description:
        out.append(
            error(
                path,
                *_pos(annotations, "description", value=True),
                GG408_CONVENTION,
                f"{name}: description should be templated (e.g. with $labels or $value)",
            )
        )
    return out


def _humanize(text: str, meta: Meta, name: str, key: str, path: str, at: tuple[int, int]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    scale = meta.effective_scale
    for match in _HUMANIZE.finditer(text):
        fn = match.group(1) or match.group(2)
        problem = None
        if fn == "humanizePercentage" and scale is Scale.PERCENT:
            problem = (
                "humanizePercentage multiplies by 100, but the value is already a 0-100 percentage "
                '(95 prints as 9500%); use {{ printf "%.1f" $value }}%'
            )
        elif fn == "humanizePercentage" and scale is not None and scale is not Scale.RATIO:
            problem = (
                "humanizePercentage multiplies by 100, but the value is not a 0-1 ratio "
                f"(unit {meta.unit.value}); use humanize"
            )
        elif fn == "humanizeDuration" and scale is not None and (meta.unit is not Unit.SECONDS or meta.per_second):
            problem = f"humanizeDuration formats seconds, but the value is in {meta.unit.value}"
        if problem:
            out.append(error(path, *at, GG406_WRONG_HUMANIZE, f"{name}: annotation {key}: {problem}"))
    return out


def _diag(path: str, at: tuple[int, int], code: str, message: str, severity: Severity) -> Diagnostic:
    return (warning if severity is Severity.WARNING else error)(path, at[0], at[1], code, message)
