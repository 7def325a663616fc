"""Rule groups per rules file, serialized exactly as the plain Prometheus rule files are."""

from __future__ import annotations

from typing import Any

from guardiangen.plan.model import RuleGroup
from guardiangen.render.context import RenderContext
from guardiangen.render.prometheus import group_dict


def rule_files(ctx: RenderContext) -> list[tuple[str, list[dict[str, Any]]]]:
    """``(file name, groups)`` in file-name order; the same grouping and fields as ``prometheus/rules/``."""
    by_file: dict[str, list[RuleGroup]] = {}
    for group in ctx.plan.rules.groups:
        by_file.setdefault(group.file, []).append(group)
    return [(name, [group_dict(g, ctx.plan.prometheus) for g in groups]) for name, groups in sorted(by_file.items())]


def with_field_before_rules(group: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of a group dict with ``key`` inserted just before ``rules`` (where readers expect group settings)."""
    out = {k: v for k, v in group.items() if k != "rules"}
    out[key] = value
    out["rules"] = group["rules"]
    return out
