"""Hostile text in every string field of the spec: refused with a clear positioned error, or escaped
correctly in every output format it reaches.

For each hostile value, every open field of the base spec (tests/fuzz/fields.py) gets it at once;
each diagnostic is attributed to the field at its position. Refusals must carry a spec code and
name the field. The fields that accepted it are rendered together and compared with the sentinel
render (tests/fuzz/escaping.py): each must read back exactly in YAML, JSON, PromQL matchers, Go
templates, Alertmanager matchers, Grafana text and provisioning files and Fluentd config, without
adding active syntax; the hostile tree must also pass promtool check rules, amtool check-config,
the Fluentd oracle and our own lint. Closed fields (enums, durations, versions...) must refuse
every hostile value.

``python -m tests.fuzz.test_hostile_text`` prints the field table (field -> refused / where and how
accepted values land).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from guardiangen.diagnostics import Diagnostic, Severity, one_line
from guardiangen.load import Positions, load_text
from tests.fuzz.escaping import Comparer
from tests.fuzz.fields import (
    FIELDS,
    REFERENCES,
    Field,
    get_value,
    model_string_paths,
    open_fields,
    real_path,
    sentinel,
    set_value,
    table_path,
    with_values,
)
from tests.fuzz.harness import (
    diagnostic_problems,
    examples,
    explain,
    lint_errors,
    render,
    run_tools,
    validate_bytes,
    write_out,
)
from tests.fuzz.known import unexplained
from tests.fuzz.specgen import to_yaml

HOSTILE: dict[str, str] = {
    "double-quote": 'say "hi"',
    "single-quote": "it's",
    "backslash": "back\\slash",
    "trailing-backslash": "end\\",
    "go-template": "{{ $value }}",
    "go-template-call": '{{ template "x" . }}',
    "go-template-tight": "{{.CommonLabels}}",
    "go-braces": "}}{{",
    "ruby-code": "#{`id`}",
    "ruby-env": "#{ENV['HOME']}",
    "shell-var": "${HOME}",
    "grafana-var": "$__user",
    "newline": "line\nbreak",
    "crlf": "cr\r\nlf",
    "tab": "tab\there",
    "fluentd-close": "</match>\n<match **>\n  @type stdout\n</match>",
    "fluentd-tag": "</match>",
    "yaml-colon": "key: value",
    "yaml-dash": "- item",
    "yaml-anchor": "&anchor",
    "yaml-tag": "!!python/object:os.system",
    "yaml-comment": "a #comment",
    "yaml-flow": "{a: [b, c]}",
    "yaml-bool": "yes",
    "yaml-null": "~",
    "yaml-doc": "---",
    "rtl-override": "\u202eevil\u202c",
    "zero-width": "zero\u200bwidth\ufeff",
    "line-separator": "a\u2028b\u2029c",
    "next-line": "a\x85b",
    "unicode": "ünïcødé ✓ 日本語 🚀",
    "lone-surrogate": "\ud800x",  # written as a "\ud800" escape: not text UTF-8 can hold
    "html": "<script>alert(1)</script>",
    "markdown": "*bold* [link](http://x) `code` | pipe",
    "promql": '"} or vector(1) or {a="',
    "regex": ".*|(a)+",
    "percent": "100%25 %s",
    "empty": "",
    "padded": "  padded  ",
    "long-10KiB": "x" * 10240,
    "long-unicode": "é" * 600,
}
# The default run takes one value of each kind; GG_FUZZ_EXAMPLES > 1 (a larger fuzz run) takes them all.
DEFAULT_HOSTILE = (
    "double-quote", "trailing-backslash", "go-template", "go-braces", "ruby-code", "shell-var", "newline", "crlf",
    "fluentd-close", "yaml-colon", "yaml-anchor", "line-separator", "zero-width", "unicode", "markdown", "promql",
    "empty", "long-10KiB",
)  # fmt: skip
VARIANTS = ("main", "apikey", "am26", "mimir")  # rendered; "closed" is only validated
# codes a refusal of a hostile value may carry: wrong type/pattern/length/value, and the cross checks
REFUSAL_CODES = {
    "GG102",
    "GG104",
    "GG105",
    "GG106",
    "GG107",
    "GG201",
    "GG202",
    "GG203",
    "GG204",
    "GG205",
    "GG206",
    "GG208",
    "GG209",
    "GG210",
    "GG212",
    "GG213",
}
CROSS_REFERENCE_CODES = {"GG201", "GG202", "GG203", "GG204", "GG205", "GG206", "GG208", "GG209", "GG210", "GG213"}


# ------------------------------------------------------------------------------ probing


@dataclass
class Probe:
    """What one hostile value did in one variant."""

    refused: dict[int, list[Diagnostic]] = field(default_factory=dict)
    accepted: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    landed: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    tools: list[str] = field(default_factory=list)


def _positions_of(f: Field, spec: dict[str, Any], positions: Positions) -> set[tuple[int, int]]:
    """Where diagnostics about field ``f`` may point: its value, its key, the places that refer to it."""
    out: set[tuple[int, int]] = set()
    for path in (f.path, *REFERENCES.get(f.path, ())):
        real = real_path(spec, path)
        out |= {p for p in (positions.values.get(real), positions.keys.get(real)) if p}
    return out


def _attribute(
    fields: list[tuple[int, Field]], spec: dict[str, Any], positions: Positions, diags: list[Diagnostic]
) -> tuple[dict[int, list[Diagnostic]], list[Diagnostic]]:
    by_position: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, f in fields:
        for pos in _positions_of(f, spec, positions):
            by_position[pos].append(i)
    refused: dict[int, list[Diagnostic]] = defaultdict(list)
    stray = []
    for d in diags:
        owners = by_position.get((d.line, d.col), [])
        for i in owners:
            refused[i].append(d)
        if not owners:
            stray.append(d)
    return dict(refused), stray


def _refusal_problems(f: Field, h: str, diags: list[Diagnostic], spec: dict[str, Any]) -> list[str]:
    out = []
    names = [Field(real_path(spec, p)).dotted for p in (f.path, *REFERENCES.get(f.path, ()))]
    for d in diags:
        if d.code not in REFUSAL_CODES:
            out.append(f"{f.dotted}: refused {h[:40]!r} with unexpected code: {d.format_text()}")
        names_field = any(one_line(n) in d.message for n in names)  # messages escape line breaks
        if not names_field and d.code not in CROSS_REFERENCE_CODES:
            out.append(f"{f.dotted}: refusal of {h[:40]!r} does not name the field: {d.format_text()}")
    return out


def _spec_text(spec: dict[str, Any]) -> str:
    return _spec_doc(spec)[0]


def _spec_doc(spec: dict[str, Any]) -> tuple[str, Positions]:
    """YAML a user could write for ``spec``: raw UTF-8 where YAML reads it back, escapes where it does not
    (a raw NEL or U+2028 in a plain scalar is a line break to a YAML 1.1 reader)."""
    want = json.dumps(spec, sort_keys=True)
    for options in ({"fast": True}, {}, {"ascii_only": True}):
        try:
            text = to_yaml(spec, **options)
        except UnicodeEncodeError:  # a lone surrogate: only an escape can write it
            continue
        doc, _ = load_text(text, "x")
        if doc is not None and json.dumps(doc.data, sort_keys=True) == want:
            return text, doc.positions
    raise AssertionError("the test's YAML does not round-trip")


_BENIGN_PARSED: dict[str, dict[str, Any]] = defaultdict(dict)


@cache
def benign(variant: str) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        outcome = validate_bytes(Path(tmp), _spec_text(with_values(variant, {})))
        assert outcome.spec is not None, explain(outcome.diagnostics)
        return render(outcome.spec)


def _refusals(
    directory: Path, variant: str, h: str, fields: list[tuple[int, Field]], fixed: list[int], result: Probe
) -> list[int]:
    """Put ``h`` into ``fields`` (and the already accepted ``fixed``), take out every field a diagnostic
    points at, until the spec validates; returns the fields that accept ``h``."""
    candidates = [i for i, _ in fields]
    for _ in range(4):  # refusals can hide one another (a model validator runs once its fields pass)
        spec = with_values(variant, dict.fromkeys([*fixed, *candidates], h))
        text, positions = _spec_doc(spec)
        outcome = validate_bytes(directory, text)
        if outcome.spec is not None:
            return candidates
        result.problems += diagnostic_problems(outcome.diagnostics, outcome.path, outcome.data)
        # Only errors refuse a value; warnings (a route on a label no generated alert carries) do not.
        errors = [d for d in outcome.diagnostics if d.severity is Severity.ERROR]
        refused, stray = _attribute(fields, spec, positions, errors)
        for d in stray:
            result.problems.append(f"diagnostic at no hostile field: {d.format_text()!r}")
        if not refused:
            result.problems.append("refused, but no diagnostic points at a field:\n" + explain(outcome.diagnostics))
            return []
        for i, diags in refused.items():
            result.refused[i] = diags
            result.problems += _refusal_problems(FIELDS[i], h, diags, spec)
        candidates = [i for i in candidates if i not in refused]
    result.problems.append("still refused after taking out every refused field")
    return []


@cache
def free_fields() -> frozenset[int]:
    """Open fields that take text with spaces and punctuation (the rest are identifiers of some kind)."""
    result = Probe()
    with tempfile.TemporaryDirectory() as tmp:
        fields = [x for x in open_fields("main") if not x[1].is_key]
        return frozenset(_refusals(Path(tmp), "main", "a b, c!", fields, [], result))


IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/-]*")


def probe(variant: str, h: str, *, tools: bool = True) -> Probe:
    result = Probe()
    # the main variant carries every field; the others only add the fields that need them
    fields = [(i, f) for i, f in open_fields(variant) if variant == "main" or f.variant == variant]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        # a mapping key and its value share a position in diagnostics: probe keys after values
        values = _refusals(directory, variant, h, [x for x in fields if not x[1].is_key], [], result)
        keys = _refusals(directory, variant, h, [x for x in fields if x[1].is_key], values, result)
        candidates = values + keys
        result.accepted = candidates
        if IDENTIFIER.fullmatch(h):
            # A plain identifier taken by many name fields merges what they name (two teams become one):
            # the outputs change shape by design. Such a value is inert anyway; compare the free fields.
            for i in candidates:
                if i not in free_fields():
                    result.landed[i].add("identifier: not compared")
            candidates = [i for i in candidates if i in free_fields()]
        if not candidates:
            return result
        outcome = validate_bytes(directory, _spec_text(with_values(variant, dict.fromkeys(candidates, h))))
        assert outcome.spec is not None, explain(outcome.diagnostics)
        try:
            files = render(outcome.spec)
        except Exception as exc:  # a finding: a valid spec must render
            result.problems.append(f"render raised {type(exc).__name__}: {exc}")
            return result
        subs: dict[str, str] = {}
        for i in candidates:
            s = sentinel(i, FIELDS[i].case)
            subs[s] = h
            if s.lower() != s:
                subs[s.lower()] = h.lower()
        comparer = Comparer(subs)
        comparer.trees(benign(variant), files, _BENIGN_PARSED[variant])
        result.problems += [str(m) for m in comparer.mismatches]
        for i in candidates:
            for s in (sentinel(i, FIELDS[i].case), sentinel(i, FIELDS[i].case).lower()):
                result.landed[i] |= comparer.landed.get(s, set())
        out = write_out(files, directory / "out")
        result.problems += [d.format_text() for d in lint_errors(out, outcome.spec)]
        if tools:
            run = run_tools(out, rule_tests=False, amtool_check=variant != "am26")
            result.tools = run.ran
            result.problems += run.problems
    return result


def _closed_refusals(
    variant: str, fields: list[tuple[int, Field]], h: str
) -> tuple[dict[int, list[Diagnostic]], list[Diagnostic], Any]:
    spec = with_values(variant, {})
    for _, f in fields:
        set_value(spec, f.path, f.prefix + h + f.suffix)
    text, positions = _spec_doc(spec)
    with tempfile.TemporaryDirectory() as tmp:
        outcome = validate_bytes(Path(tmp), text)
    refused, stray = _attribute(fields, spec, positions, outcome.diagnostics)
    return refused, stray, spec


def probe_closed(h: str) -> list[str]:
    """Every closed field refuses ``h``, with a positioned diagnostic that names it. All of a variant's
    closed fields get ``h`` at once; one that seems to accept it is tried again alone (a refusal of one
    field can hide a check of another: a metric of an unknown type is never checked for `subset_of`)."""
    problems = []
    for variant in (*VARIANTS, "closed"):
        closed = [(i, f) for i, f in enumerate(FIELDS) if f.closed and f.variant == variant]
        if not closed:
            continue
        refused, _, spec = _closed_refusals(variant, closed, h)
        for i, f in closed:
            diags, where = refused.get(i), spec
            stray: list[Diagnostic] = []
            if not diags:
                alone, stray, where = _closed_refusals(variant, [(i, f)], h)
                diags = alone.get(i)
            if not diags and stray:
                problems.append(f"{variant}: {f.dotted}: refused only at no field: {stray[0].format_text()}")
            elif not diags:
                problems.append(f"{variant}: closed field {f.dotted} accepts {h[:40]!r}")
            else:
                problems += _refusal_problems(f, h, diags, where)
    return problems


# ------------------------------------------------------------------------------ tests


def test_every_string_field_of_the_model_is_in_the_table() -> None:
    covered = {table_path(f.path) for f in FIELDS}
    missing = sorted(model_string_paths() - covered)
    assert not missing, f"add these spec fields to tests/fuzz/fields.py FIELDS: {missing}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_sentinels_are_valid_and_land_somewhere(variant: str) -> None:
    files = benign(variant)
    assert files
    spec = with_values(variant, {})
    for i, f in open_fields(variant):
        assert sentinel(i, f.case) in str(get_value(spec, f.path))


@pytest.mark.parametrize("name", sorted(HOSTILE) if examples(1) > 1 else DEFAULT_HOSTILE)
def test_hostile_value_is_refused_or_escaped_everywhere(name: str) -> None:
    h = HOSTILE[name]
    problems = []
    for variant in VARIANTS:
        result = probe(variant, h, tools=variant == "main")
        problems += [f"[{variant}] {p}" for p in result.problems]
    problems = unexplained([*problems, *probe_closed(h)])
    assert not problems, f"{len(problems)} problem(s) with {name} = {h[:60]!r}:\n" + "\n".join(problems[:40])


# ------------------------------------------------------------------------------ the field table


def field_table() -> str:
    """Markdown: field -> which hostile values are refused (and how) / where accepted ones land."""
    rows: dict[int, dict[str, Any]] = defaultdict(lambda: {"refused": {}, "accepted": [], "landed": set()})
    for name, h in HOSTILE.items():
        for variant in VARIANTS:
            result = probe(variant, h, tools=False)
            for i, diags in result.refused.items():
                rows[i]["refused"][name] = sorted({d.code for d in diags})
            for i in result.accepted:
                rows[i]["accepted"].append(name)
                rows[i]["landed"] |= result.landed[i]
    lines = [
        f"| field | refused (of {len(HOSTILE)}) | accepted | lands in (format: how) |",
        "|---|---|---|---|",
    ]
    for i, f in enumerate(FIELDS):
        if f.closed:
            lines.append(f"| `{f.dotted}` | all (closed set) | - | - |")
            continue
        row = rows.get(i)
        if row is None:
            continue
        codes = sorted({c for cs in row["refused"].values() for c in cs})
        accepted = sorted(set(row["accepted"]))
        landed = "; ".join(sorted(row["landed"])) or ("not emitted" if accepted else "-")
        lines.append(
            f"| `{f.dotted}` | {len(row['refused'])} ({', '.join(codes)}) | "
            f"{len(accepted)}: {', '.join(accepted[:12])}{' ...' if len(accepted) > 12 else ''} | {landed} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(field_table())
