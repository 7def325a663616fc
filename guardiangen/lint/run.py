"""`guardiangen lint`: the built-in checks over a rendered tree, plus the real tools on request."""

from __future__ import annotations

import json
from pathlib import Path

from guardiangen.catalog import Catalog
from guardiangen.diagnostics import Diagnostic, error


def lint_tree(out_dir: Path, catalog: Catalog, *, with_tools: bool = False) -> list[Diagnostic]:
    """Every finding in ``out_dir``: rules and dashboards always; promtool/amtool with ``with_tools``."""
    from guardiangen.lint.dashboards import lint_dashboards
    from guardiangen.lint.rules import lint_rule_files

    label = out_dir.as_posix()
    diags: list[Diagnostic] = []
    if not out_dir.is_dir():
        return [error(label, 0, 0, "GG502", "no such directory: run `guardiangen render` first")]
    rule_files = sorted((out_dir / "prometheus" / "rules").glob("*.yml"))
    texts = {f"{label}/prometheus/rules/{p.name}": p.read_text(encoding="utf-8") for p in rule_files}
    diags += lint_rule_files(texts, catalog)
    dashboards: dict[str, dict[str, object]] = {}
    for p in sorted((out_dir / "grafana" / "dashboards").glob("*.json")):
        rel = f"{label}/grafana/dashboards/{p.name}"
        try:
            dashboards[rel] = json.loads(p.read_text(encoding="utf-8"))
        except ValueError as exc:
            diags.append(error(rel, 0, 0, "GG410", f"not valid JSON: {exc}"))
    diags += lint_dashboards(dashboards)
    if with_tools:
        from guardiangen.lint.tools import run_tools

        diags += run_tools(out_dir)
    return diags
