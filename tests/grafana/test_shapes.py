"""The shape cache (:class:`guardiangen.render.dashboards.shapes.PanelShapes`) writes exactly what grafanalib does.

The oracle is the slow path itself: every panel built through grafanalib and cleaned by the
sanitizer (``PanelShapes(shaping=False)``), on varied panels and on whole dashboards of varied fleets.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from grafanalib import core as g
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from guardiangen import promql as q
from guardiangen.plan.build import build_plan
from guardiangen.promql import Expr, Meta
from guardiangen.promql.meta import RATIO
from guardiangen.render.dashboards import build_all, dump, panels
from guardiangen.render.dashboards.sanitize import sanitize, sanitize_panel
from guardiangen.render.dashboards.shapes import PanelShapes
from guardiangen.spec.catalog import catalog_for
from guardiangen.spec.models import ClusterSpec
from tests.conftest import ROOT
from tests.grafana.rendered import load_spec

TEXTS = st.text(min_size=1, max_size=12).filter(str.strip)
LABEL_VALUES = st.text(max_size=8)
NUMBERS = st.sampled_from([1, 1.0, Decimal("1"), Decimal("1.0"), 0, Decimal("0.25"), 0.25, 80, Decimal("99.9")])
STEPS = st.lists(st.tuples(st.sampled_from(["green", "red", "orange"]), NUMBERS), max_size=3).map(
    lambda rest: (("green", None), *rest)
)
METAS = st.sampled_from([RATIO, Meta()])


@st.composite
def queries(draw: st.DrawFn, meta: Meta) -> list[panels.Query]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(["slo:budget_remaining:ratio", "slo:burn_rate:ratio", "job:errors:ratio_rate5m"]))
        value = draw(LABEL_VALUES)
        expr = q.recorded(name, Expr(name, meta, frozenset({"slo"})), q.eq("slo", value))
        if draw(st.booleans()):
            expr = q.sub(1, expr)
        out.append(panels.Query(expr, draw(st.text(max_size=8)), draw(st.booleans())))
    if draw(st.booleans()):
        out.append(
            panels.Query(q.number(draw(st.sampled_from([Decimal("0.999"), Decimal("1"), Decimal("0.5")]))), "objective")
        )
    return out


# Shared by the examples, as one render's panels share it: later examples meet shapes built by earlier ones.
SHAPES = PanelShapes()


def _both(panel: panels.Panel) -> None:
    """``panel`` through the shape cache (a first panel of its shape, then a copy) equals grafanalib's."""
    expected = PanelShapes(shaping=False).json(panel)
    assert SHAPES.json(panel) == expected
    assert SHAPES.json(panel) == expected


@settings(max_examples=150, deadline=None)
@given(st.data(), TEXTS, TEXTS, METAS)
def test_timeseries_shapes_match_grafanalib(data: st.DataObject, title: str, description: str, meta: Meta) -> None:
    qs = data.draw(queries(meta))
    kwargs: dict[str, Any] = {
        "unit": data.draw(st.sampled_from([None, "suffix:x", "percentunit"])),
        "max_value": data.draw(st.sampled_from([None, 1, 100])),
        "auto_range": data.draw(st.booleans()),
        "steps": data.draw(st.sampled_from([(), *[data.draw(STEPS)]])),
        "bars": data.draw(st.booleans()),
        "stacked": data.draw(st.booleans()),
        "links": data.draw(st.lists(st.tuples(TEXTS, TEXTS), max_size=2)),
    }
    _both(panels.Timeseries(title, description, qs, **kwargs))


@settings(max_examples=150, deadline=None)
@given(st.data(), TEXTS, TEXTS, METAS)
def test_stat_shapes_match_grafanalib(data: st.DataObject, title: str, description: str, meta: Meta) -> None:
    qs = data.draw(queries(meta))
    kwargs: dict[str, Any] = {
        "unit": data.draw(st.sampled_from([None, "suffix:x"])),
        "steps": data.draw(st.sampled_from([(), *[data.draw(STEPS)]])),
        "sparkline": data.draw(st.booleans()),
        "no_value": data.draw(st.sampled_from([None, "-", "0"])),
        "decimals": data.draw(st.sampled_from([None, 0, 2])),
    }
    _both(panels.Stat(title, description, qs, **kwargs))


def test_panels_clean_one_by_one_as_in_their_dashboard() -> None:
    """assemble cleans panels and rows one by one: the same as cleaning the whole dashboard."""
    ds = {"type": "prometheus", "uid": "${datasource}"}
    target = g.Target(expr="up", refId="A", datasource=ds)
    children = [
        g.Stat(title="s", id=3, dataSource=ds, targets=[target], gridPos=g.GridPos(h=4, w=6, x=0, y=2)),
        g.Text(title="t", id=4, content="x", gridPos=g.GridPos(h=4, w=6, x=6, y=2)),
    ]
    rows_and_panels = [
        g.RowPanel(title="open", id=1, gridPos=g.GridPos(h=1, w=24, x=0, y=0)),
        g.TimeSeries(title="ts", id=2, dataSource=ds, targets=[target], gridPos=g.GridPos(h=8, w=12, x=0, y=1)),
        g.RowPanel(title="closed", id=5, gridPos=g.GridPos(h=1, w=24, x=0, y=9), collapsed=True, panels=children),
    ]
    whole = sanitize(g.Dashboard(title="d", uid="u", panels=rows_and_panels).to_json_data())
    assert whole["panels"] == [sanitize_panel(p.to_json_data()) for p in rows_and_panels]


def _bench_spec(n: int, tmp_path: Path) -> ClusterSpec:
    """The spec of ``n`` specialists that bench/gen_spec.py writes."""
    loader = importlib.util.spec_from_file_location("gen_spec", ROOT / "bench" / "gen_spec.py")
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    path = tmp_path / f"cluster-{n}.yaml"
    with path.open("w", encoding="utf-8") as out:
        YAML().dump(module.spec(n), out)
    return load_spec(path)


@pytest.mark.parametrize("fleet", ["reference", 1, 7, 30])
def test_dashboards_match_grafanalib(fleet: str | int, tmp_path: Path) -> None:
    spec = load_spec() if fleet == "reference" else _bench_spec(int(fleet), tmp_path)
    catalog = catalog_for(spec)
    plan = build_plan(spec, catalog)
    expected = {name: dump(d) for name, d in build_all(plan, PanelShapes(shaping=False)).items()}
    assert {name: dump(d) for name, d in build_all(plan).items()} == expected
