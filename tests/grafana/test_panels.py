"""Panel declarations refuse what no dashboard may show, and each render's panel shapes are its own."""

from __future__ import annotations

import sys
from dataclasses import replace
from decimal import Decimal

import pytest
from rendered import Rendered

from guardiangen import promql as q
from guardiangen.promql import Expr, PromQLError
from guardiangen.promql.meta import RATIO, Meta
from guardiangen.render.dashboards import build_all
from guardiangen.render.dashboards.panels import RATE, Heatmap, Query, Stat, Text, Timeseries
from guardiangen.render.dashboards.shapes import PanelShapes


def _recorded(name: str, meta: Meta) -> Expr:
    return q.recorded(name, Expr(name, meta, frozenset({"slo"})), q.eq("slo", "x"))


@pytest.mark.parametrize(("title", "description"), [("", "what it shows"), ("A title", " "), (" ", "")])
def test_every_panel_needs_a_title_and_a_description(title: str, description: str) -> None:
    query = Query(_recorded("slo:errors:ratio", RATIO))
    for declare in (
        lambda: Timeseries(title, description, [query]),
        lambda: Stat(title, description, [query]),
        lambda: Text(title, description, "text"),
    ):
        with pytest.raises(ValueError, match="needs a title and a description"):
            declare()


def test_a_heatmap_needs_bucket_rates(reference: Rendered) -> None:
    duration = q.series(reference.catalog, "specialist_request_duration_seconds")
    assert Heatmap("Latency", "Buckets of the latency.", q.bucket_rates(duration, RATE)).width == 12
    with pytest.raises(PromQLError, match="a heatmap needs sum by"):
        Heatmap("Latency", "Not buckets.", q.quantile("0.5", duration, RATE))


def test_queries_of_one_panel_share_their_meaning() -> None:
    ratio = Query(_recorded("slo:errors:ratio", RATIO))
    plain = Query(_recorded("slo:burn:rate", Meta()))
    panel = Timeseries("Mixed", "A ratio and a plain number.", [ratio, plain])
    with pytest.raises(PromQLError, match="must mean the same thing"):
        PanelShapes().json(panel)
    with pytest.raises(PromQLError, match="must mean the same thing"):
        Stat("None", "No query at all.", []).options()


def _module_state() -> dict[str, int]:
    """The size of every module-level container and function cache of the dashboard modules."""
    state = {}
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("guardiangen.render.dashboards"):
            continue
        for attr, value in vars(module).items():
            if isinstance(value, (dict, list, set)):
                state[f"{name}.{attr}"] = len(value)
            elif hasattr(value, "cache_info"):
                state[f"{name}.{attr}()"] = value.cache_info().currsize
    return state


def test_nothing_a_render_remembers_outlives_it(reference: Rendered) -> None:
    """Caches live in the render's objects (PanelShapes, the SLO board), not in module globals."""
    # Thresholds no render of this session has drawn: panels of new shapes.
    thresholds = replace(reference.plan.dashboards.thresholds, gpu_utilization_percent=Decimal("12.5"))
    plan = replace(reference.plan, dashboards=replace(reference.plan.dashboards, thresholds=thresholds))
    before = _module_state()
    assert before, "the dashboard modules are imported"
    build_all(plan)
    assert _module_state() == before


def test_one_shape_cache_serves_a_render_and_starts_empty() -> None:
    shapes = PanelShapes()
    query = Query(_recorded("slo:errors:ratio", RATIO))
    first = shapes.json(Timeseries("First", "The first of its shape.", [query]))
    second = shapes.json(Timeseries("Second", "A copy of the first's shape.", [query]))
    assert {k: v for k, v in first.items() if k not in ("title", "description")} == {
        k: v for k, v in second.items() if k not in ("title", "description")
    }
    assert (first["title"], second["title"]) == ("First", "Second")
    assert PanelShapes().json(Timeseries("Second", "A copy of the first's shape.", [query])) == second


def test_build_all_takes_the_renders_shapes(reference: Rendered) -> None:
    """The oracle (every panel through grafanalib) and the shape cache give the same dashboards."""
    plan = replace(reference.plan, slos=reference.plan.slos[:3])
    assert build_all(plan, PanelShapes(shaping=False)) == build_all(plan)
