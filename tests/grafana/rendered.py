"""Render the Grafana target in process for the reference spec or a variant of it, and walk the result."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from guardiangen import pipeline
from guardiangen.catalog import Catalog
from guardiangen.plan.model import Plan
from guardiangen.render.grafana import render
from guardiangen.spec.models import ClusterSpec
from tests.conftest import REFERENCE_SPEC, ROOT, plan_of, render_context

DASHBOARD_NAMES = ("gpu", "guardians", "overview", "slo", "specialist")
DASHBOARD_DIR = "grafana/dashboards"


@dataclass(frozen=True)
class Rendered:
    spec: ClusterSpec
    catalog: Catalog
    plan: Plan
    files: dict[str, str]

    @property
    def dashboards(self) -> dict[str, dict[str, Any]]:
        """File name without extension -> parsed dashboard JSON."""
        prefix = DASHBOARD_DIR + "/"
        return {
            path[len(prefix) : -len(".json")]: json.loads(text)
            for path, text in self.files.items()
            if path.startswith(prefix)
        }


def load_spec(path: Path = REFERENCE_SPEC) -> ClusterSpec:
    result = pipeline.validate(str(path))
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def render_spec(spec: ClusterSpec, plan: Plan | None = None) -> Rendered:
    plan = plan_of(spec) if plan is None else plan
    files = render(render_context(plan, templates=ROOT / "templates"))  # the plan alone: no spec
    return Rendered(spec, plan.catalog, plan, files)


def spec_variant(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> ClusterSpec:
    """The reference spec with ``mutate`` applied to its YAML data, validated like a user's file."""
    yaml = YAML(typ="safe", pure=True)
    data = yaml.load(REFERENCE_SPEC.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "cluster.yaml"
    with path.open("w", encoding="utf-8") as f:
        yaml.dump(data, f)
    return load_spec(path)


def panels(dashboard: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, rows and panels nested in collapsed rows included."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def query_panels(dashboard: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    return (p for p in panels(dashboard) if p.get("targets"))


def targets(dashboard: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for panel in query_panels(dashboard):
        for target in panel["targets"]:
            yield panel, target


def panel_by_title(dashboard: Mapping[str, Any], title: str) -> dict[str, Any]:
    [panel] = [p for p in panels(dashboard) if p.get("title") == title]
    return panel


def keys_and_values(value: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every object member, recursively."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from keys_and_values(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from keys_and_values(item, f"{path}/{index}")
