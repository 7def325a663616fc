"""Thanos ruler: the plain rule files plus each group's ``partial_response_strategy``.

promtool rejects that field, so these files live apart from ``prometheus/rules/`` and are checked
with ``thanos tools rules-check``; everything else in a group is the plain group unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from guardiangen.render.context import RenderContext
from guardiangen.render.profiles.rules import rule_files, with_field_before_rules
from guardiangen.render.yamlout import dump

DIR = "thanos"
RULES_DIR = f"{DIR}/rules"


def render(ctx: RenderContext, plain: Mapping[str, str]) -> dict[str, str]:
    # Written even though `abort` is Thanos' default: the file then says what it does.
    strategy = ctx.plan.deployment.thanos_partial_response_strategy
    return {
        f"{RULES_DIR}/{name}.yml": dump(
            {"groups": [with_field_before_rules(g, "partial_response_strategy", strategy) for g in groups]}
        )
        for name, groups in rule_files(ctx)
    }
