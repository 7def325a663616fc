"""Grafana: five dashboards (JSON) and the provisioning files that load them.

The dashboards are built in :mod:`guardiangen.render.dashboards`; importing this module does not
import grafanalib (only :func:`render` does), so the registry stays cheap to load.
"""

from __future__ import annotations

from guardiangen.gcpause import gc_paused
from guardiangen.render.context import RenderContext, Target
from guardiangen.render.yamlout import dump as dump_yaml

DASHBOARDS_DIR = "grafana/dashboards"
PROVIDER = "grafana/provisioning/dashboards/guardiangen.yml"
DATASOURCES = "grafana/provisioning/datasources/guardiangen.yml"


def render(ctx: RenderContext) -> dict[str, str]:
    from guardiangen.render.dashboards import build_all, dump
    from guardiangen.render.dashboards.provisioning import PROVIDER_NOTE, dashboard_provider, datasources

    with gc_paused():
        files = {f"{DASHBOARDS_DIR}/{name}.json": dump(dashboard) for name, dashboard in build_all(ctx.plan).items()}
    files[PROVIDER] = PROVIDER_NOTE + dump_yaml(dashboard_provider(ctx.plan))
    files[DATASOURCES] = dump_yaml(datasources(ctx.plan.dashboards))
    return files


TARGET = Target("grafana", "Grafana dashboards and their provisioning files", render, fork=True)
