"""`guardiangen lint`: the built-in checks over a rendered tree, plus the real tools on request."""

from __future__ import annotations

from pathlib import Path

from guardiangen.catalog import Catalog
from guardiangen.diagnostics import GG401_PROMQL_SYNTAX, GG502_MISSING, Diagnostic, error


def lint_tree(out_dir: Path, catalog: Catalog, *, with_tools: bool = False) -> list[Diagnostic]:
    """Every finding in ``out_dir``: rules and dashboards always; promtool/amtool with ``with_tools``."""
    from guardiangen.lint.dashboards import lint_dashboard_dir
    from guardiangen.lint.rules import lint_rule_files

    label = out_dir.as_posix()
    if not out_dir.is_dir():
        return [error(label, 0, 0, GG502_MISSING, "no such directory: run `guardiangen render` first")]
    diags: list[Diagnostic] = []
    texts: dict[str, str] = {}
    for p in sorted((out_dir / "prometheus" / "rules").glob("*.yml")):
        rel = f"{label}/prometheus/rules/{p.name}"
        try:
            texts[rel] = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            diags.append(error(rel, 0, 0, GG401_PROMQL_SYNTAX, f"cannot read rule file: {exc}"))
    diags += lint_rule_files(texts, catalog)
    dashboards = out_dir / "grafana" / "dashboards"
    if dashboards.is_dir():
        diags += lint_dashboard_dir(dashboards, label=f"{label}/grafana/dashboards", catalog=catalog)
    if with_tools:
        from guardiangen.lint.tools import run_tools

        diags += run_tools(out_dir)
    return diags
