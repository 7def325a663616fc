"""Grafana Mimir: one ``mimirtool rules load`` file holding every rule group under one namespace.

mimirtool reads each file as namespaces (a top-level ``namespace:`` plus Prometheus ``groups:``,
decoded with unknown fields refused) and aborts when two files name the same namespace, so all
groups of the cluster go into one file; group names must then be unique across the plain rule files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardiangen.render.context import RenderContext
from guardiangen.render.profiles.rules import rule_files
from guardiangen.render.yamlout import dump

DIR = "mimir"


def namespace(ctx: RenderContext) -> str:
    return ctx.plan.deployment.mimir_namespace


def render(ctx: RenderContext, plain: Mapping[str, str]) -> dict[str, str]:
    groups: list[dict[str, Any]] = []
    origin: dict[str, str] = {}
    for file, file_groups in rule_files(ctx):
        for group in file_groups:
            if group["name"] in origin:
                raise ValueError(
                    f'rule group "{group["name"]}" is in both {origin[group["name"]]}.yml and {file}.yml; '
                    "one Mimir namespace needs unique group names"
                )
            origin[group["name"]] = file
            groups.append(group)
    ns = namespace(ctx)
    return {f"{DIR}/{ns}.yml": dump({"namespace": ns, "groups": groups})}
