"""What every fuzz test does with a spec: validate, render, check the tree, run the real tools.

Everything goes through the public pipeline API (``guardiangen.pipeline``) and the rendered tree,
so whatever targets are registered get covered without this module knowing them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

from guardiangen import pipeline
from guardiangen.diagnostics import Diagnostic, Severity
from guardiangen.generated_labels import STATIC_LABELS
from guardiangen.lint.run import lint_tree
from guardiangen.plan.model import Plan
from guardiangen.spec import route_checks
from guardiangen.spec.catalog import catalog_for
from guardiangen.spec.models import ClusterSpec
from guardiangen.write import write_tree
from tests.conftest import render_files, run_cli

SPEC_NAME = "cluster.yaml"
EXAMPLES_ENV = "GG_FUZZ_EXAMPLES"


def examples(default: int) -> int:
    """``GG_FUZZ_EXAMPLES`` scales every fuzz test (a multiple of each test's own modest default)."""
    scale = os.environ.get(EXAMPLES_ENV)
    if not scale:
        return default
    return max(1, int(float(scale) * default))


def fuzz(default_examples: int) -> settings:
    """Settings of a fuzz test: no deadline (renders take seconds), the failing blob printed, and no
    shrinking unless ``GG_FUZZ_SHRINK=1`` (shrinking slow examples can take many minutes)."""
    phases = list(Phase) if os.environ.get("GG_FUZZ_SHRINK") == "1" else [p for p in Phase if p is not Phase.shrink]
    return settings(
        max_examples=examples(default_examples),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
        phases=phases,
    )


# ------------------------------------------------------------------------------ validate / render


@dataclass
class Outcome:
    """One validation: the spec (or None), its diagnostics, and the text that was validated."""

    spec: ClusterSpec | None
    diagnostics: list[Diagnostic]
    path: Path
    data: bytes


def write_spec(directory: Path, text: str | bytes, name: str = SPEC_NAME) -> Path:
    path = directory / name
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return path


def validate_bytes(directory: Path, data: str | bytes) -> Outcome:
    """Validate spec text in-process; an exception here is a product bug (it must be a diagnostic)."""
    path = write_spec(directory, data)
    result = pipeline.validate(str(path))
    return Outcome(result.spec, result.diagnostics, path, path.read_bytes())


def render(spec: ClusterSpec) -> dict[str, bytes]:
    return render_files(spec, SPEC_NAME)


def explain(diags: Iterable[Diagnostic]) -> str:
    return "\n".join(d.format_text() for d in diags)


# ------------------------------------------------------------------------------ diagnostics contract

# path:line:col: severity[GGnnn] message  (line 0 = no position: path: severity[GGnnn] message)
DIAG_RE = re.compile(
    r"^(?P<path>.+?)(?::(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*))?: "
    r"(?P<sev>error|warning|info)\[(?P<code>GG[0-9]{3})\] (?P<msg>\S.*)$"
)


# What counts as a line break differs between editors, libyaml and ruamel (CR alone; NEL, U+2028 and
# U+2029 inside or outside quoted scalars): a position is fine when one of these readings holds it.
LINE_BREAKS = (
    re.compile("\n"),
    re.compile("\r\n|[\r\n]"),
    re.compile("\r\n|[\r\n\x85\u2028\u2029]"),
)


def _position_problem(line: int, col: int, text: str) -> str | None:
    problem = None
    for breaks in LINE_BREAKS:
        lines = breaks.split(text)
        if not 1 <= line <= len(lines) + 1:
            problem = f"line {line} outside the file ({len(lines)} lines)"
            continue
        width = len(lines[line - 1]) if line <= len(lines) else 0
        if not 1 <= col <= width + 1:
            problem = f"column {col} outside line {line} (width {width})"
            continue
        return None
    return problem


def diagnostic_problems(diags: Sequence[Diagnostic], path: Path, data: bytes) -> list[str]:
    """Why these diagnostics break the contract (empty when they keep it).

    Every diagnostic of a spec names the spec file, a known code and one line of message; its
    position is 1-based and inside the file (a column may point just past the end of a line, and
    a line just past the last one, where YAML reports "end of stream"); only GG001 (unreadable
    file) may come without a position.
    """
    from guardiangen.diagnostics import CODES

    problems = []
    text = data.decode("utf-8", "replace")
    for d in diags:
        rendered = d.format_text()
        where = f"{rendered!r}"
        if len(rendered.splitlines()) > 1:  # \n, \r, but also NEL, U+2028... for line-based readers
            problems.append(f"diagnostic spans lines: {where}")
        m = DIAG_RE.match(" ".join(rendered.splitlines()))
        if m is None:
            problems.append(f"diagnostic not in path:line:col: error[GGnnn] form: {where}")
            continue
        if d.code not in CODES:
            problems.append(f"unknown code {d.code}: {where}")
        if d.path != str(path):
            problems.append(f"diagnostic names {d.path!r}, not the spec {str(path)!r}: {where}")
        if d.line == 0:
            if d.code != "GG001":
                problems.append(f"diagnostic without a position: {where}")
            continue
        position = _position_problem(d.line, d.col, text)
        if position is not None:
            problems.append(f"{position}: {where}")
    return problems


# ------------------------------------------------------------------------------ the plan against validation


def label_problems(spec: ClusterSpec, plan: Plan) -> list[str]:
    """Where the plan's rule labels leave what validation checked the spec against (empty: none)."""
    values = route_checks.alert_label_values(spec)
    carried = route_checks.carried_labels(spec, values)
    series = {*(label for m in plan.catalog for label in m.labels), *plan.catalog.target_labels}
    known = {*STATIC_LABELS, *series, *spec.metadata.alert_labels}
    known |= {spec.output.cluster_label} if spec.output.cluster_label else set()
    out = []
    for group in plan.rules.groups:
        for rule in group.rules:
            for name, value in rule.labels:
                if name not in known:
                    out.append(f"{rule.name}: label {name} is not a label validation knows the rules set")
                if not rule.is_alert:
                    continue
                if name not in carried:
                    out.append(f"{rule.name}: label {name} is not one the route checks know alerts carry")
                possible = values.get(name)
                if possible is not None and "{{" not in value and value not in possible:
                    out.append(f"{rule.name}: {name}={value!r} is not among the values the route checks allow")
    return out


# ------------------------------------------------------------------------------ the rendered tree


def write_out(files: dict[str, bytes], out: Path) -> Path:
    write_tree(out, files)
    return out


def lint_errors(out: Path, spec: ClusterSpec) -> list[Diagnostic]:
    """Our own built-in checks over the tree (errors only; warnings are advice)."""
    return [d for d in lint_tree(out, catalog_for(spec)) if d.severity is Severity.ERROR]


def parse_every_file(files: dict[str, bytes]) -> list[str]:
    """Each output file parses in its own format: YAML, JSON, Fluentd config; text is UTF-8."""
    from ruamel.yaml import YAML

    from tests.fluentd import grammar

    problems = []
    for rel, data in sorted(files.items()):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{rel}: not UTF-8: {exc}")
            continue
        try:
            if rel.endswith((".yml", ".yaml")):
                list(YAML(typ="safe", pure=True).load_all(text))
            elif rel.endswith(".json"):
                json.loads(text)
            elif rel.endswith(".conf"):
                found = grammar.validate(text)
                if found:
                    problems.append(f"{rel}: fluentd oracle: " + "; ".join(str(d) for d in found[:5]))
        except Exception as exc:  # the report names the file and the parser's complaint
            problems.append(f"{rel}: does not parse: {type(exc).__name__}: {exc}")
    return problems


# ------------------------------------------------------------------------------ real tools


def tool(name: str) -> str | None:
    return shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)


@dataclass
class ToolRun:
    problems: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)


def _run(argv: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def run_tools(out: Path, *, rule_tests: bool = True, amtool_check: bool = True) -> ToolRun:
    """promtool check rules (lint fatal), promtool test rules, amtool check-config, all files at once."""
    result = ToolRun()
    promtool, amtool = tool("promtool"), tool("amtool")
    rules = sorted(str(p) for p in (out / "prometheus" / "rules").glob("*.yml"))
    if rules:
        assert promtool is not None, "promtool is not installed (Debian package prometheus)"
        proc = _run([promtool, "check", "rules", "--lint=all", "--lint-fatal", *rules])
        result.ran.append("promtool check rules")
        if proc.returncode != 0:
            result.problems.append("promtool check rules: " + _tail(proc))
    tests_dir = out / "prometheus" / "tests"
    tests = sorted(p.name for p in tests_dir.glob("*.yml"))
    if rule_tests and tests:
        assert promtool is not None
        proc = _run([promtool, "test", "rules", *tests], cwd=tests_dir)
        result.ran.append("promtool test rules")
        if proc.returncode != 0:
            result.problems.append("promtool test rules: " + _tail(proc))
    config = out / "alertmanager" / "alertmanager.yml"
    if amtool_check and config.exists():
        assert amtool is not None, "amtool is not installed (Debian package prometheus-alertmanager)"
        proc = _run([amtool, "check-config", str(config)])
        result.ran.append("amtool check-config")
        if proc.returncode != 0:
            result.problems.append("amtool check-config: " + _tail(proc))
    return result


def _tail(proc: subprocess.CompletedProcess[str], limit: int = 3000) -> str:
    text = (proc.stdout + proc.stderr).strip()
    lines = [line for line in text.splitlines() if line.strip() and "SUCCESS" not in line]
    return "\n".join(lines)[-limit:]


# ------------------------------------------------------------------------------ subprocess CLI


def cli(*args: str, seed: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    if seed is not None:
        env["PYTHONHASHSEED"] = seed
    return run_cli(*args, cwd=cwd, env=env)


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def short(data: Any, limit: int = 4000) -> str:
    text = data if isinstance(data, str) else repr(data)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


# The smallest valid spec the fuzz tests start from (one of everything required).
BASE: dict[str, Any] = {
    "apiVersion": "guardiangen/v1",
    "kind": "Cluster",
    "metadata": {"name": "c", "environment": "e"},
    "defaults": {
        "runbook_url_pattern": "https://r/{alert}",
        "dashboard_base_url": "https://g",
        "prometheus_datasource": {"name": "P", "uid": "p", "url": "http://p:9090"},
        "alertmanager_datasource": {"name": "A", "uid": "a", "url": "http://a:9093"},
    },
    "specialists": [{"name": "s", "team": "t", "model": "m"}],
    "gpu_inventory": {
        "models": [{"name": "m", "product_name": "P", "memory_gib": 1, "max_temperature_celsius": 80}],
        "nodes": [{"name": "n", "gpu_model": "m", "gpu_count": 1}],
    },
    "alerting": {"receivers": [{"name": "r", "webhook": {"url": "http://h/x"}}], "default_receiver": "r"},
}
