"""Grafana: five dashboards (JSON) and the provisioning files that load them.

The dashboards are built in :mod:`guardiangen.render.dashboards`; importing this module does not
import grafanalib (only :func:`render` does), so the registry stays cheap to load.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from guardiangen.render import RenderContext, Target
from guardiangen.render.yamlout import dump as dump_yaml

DASHBOARDS_DIR = "grafana/dashboards"
PROVIDER = "grafana/provisioning/dashboards/guardiangen.yml"
DATASOURCES = "grafana/provisioning/datasources/guardiangen.yml"


def render(ctx: RenderContext) -> dict[str, str]:
    from guardiangen.render.dashboards import build_all, dump
    from guardiangen.render.dashboards.provisioning import PROVIDER_NOTE, dashboard_provider, datasources

    with _gc_paused():
        files = {
            f"{DASHBOARDS_DIR}/{name}.json": dump(dashboard)
            for name, dashboard in build_all(ctx.spec, ctx.catalog, ctx.plan).items()
        }
    files[PROVIDER] = PROVIDER_NOTE + dump_yaml(dashboard_provider(ctx.spec))
    files[DATASOURCES] = dump_yaml(datasources(ctx.spec))
    return files


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the dashboards are built.

    Building a large fleet's dashboards allocates millions of containers that all survive until
    they are written, so the collector's passes find nothing to free and only rescan the growing
    heap (about a third of the render time at 1,000 specialists). Reference counting still frees
    the intermediate data as usual; a cycle left behind is collected once the collector is back."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


TARGET = Target("grafana", "Grafana dashboards and their provisioning files", render)
