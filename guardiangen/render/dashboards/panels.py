"""guardiangen's thin wrapper over grafanalib: panels and variables from typed expressions.

Every query is an :class:`~guardiangen.promql.Expr` from the builders, so the PromQL is legal by
construction and the panel unit comes from the expression's meaning (:mod:`.units`). Every panel
needs a description. Datasources are always the ``${datasource}`` variable, never a name. Only
grafanalib classes whose output the sanitizer can bring to the modern model are used (TimeSeries,
Stat, Text, RowPanel, Template); the heatmap is a small Panel subclass because grafanalib's
``Heatmap`` writes the pre-9.1 Angular panel.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import attr
from grafanalib import core as g

from guardiangen.promql import Expr, PromQLError, Series, Shape
from guardiangen.promql.meta import Meta, of_metric
from guardiangen.render.dashboards.sanitize import sanitize_panel, sanitize_target
from guardiangen.render.dashboards.units import grafana_unit, value_range

DATASOURCE_VARIABLE = "datasource"
DATASOURCE: dict[str, str] = {"type": "prometheus", "uid": "${" + DATASOURCE_VARIABLE + "}"}
RATE = "$__rate_interval"
RANGE = "$__range"  # only in instant queries: the whole dashboard range, evaluated once at its end
VARIABLE_QUERY_REF = "PrometheusVariableQueryEditor-VariableQuery"

Number = Decimal | int | float
Step = tuple[str, Number | None]
"""A threshold step: (colour, lower bound); the first step's bound is ``None`` (minus infinity)."""


@dataclass(frozen=True)
class Query:
    """One target: a built expression, its legend, and whether it is evaluated once (instant)."""

    expr: Expr
    legend: str = ""
    instant: bool = False


@dataclass(frozen=True)
class Cell:
    """A panel before layout: its clean JSON (no id, no gridPos yet) and its size.

    The JSON is what :func:`.sanitize.sanitize_panel` makes of the grafanalib panel's data."""

    panel: dict[str, Any]
    width: int
    height: int


def clean(panel: Any) -> dict[str, Any]:
    """A grafanalib panel's clean JSON."""
    return sanitize_panel(panel.to_json_data())


SHAPED_KEYS = ("title", "description", "targets")
"""What differs between the panels of one shape (see :func:`_shaped`)."""
# (JSON text, start) -> (fresh value, end): what json.loads does, minus its Python wrappers.
_load: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_shapes: dict[str, str] = {}  # shape key -> compact JSON of the shape's clean panel without SHAPED_KEYS
_shaping = True


@contextmanager
def unshaped() -> Iterator[None]:
    """Every panel built through grafanalib inside the block: the oracle of the shape cache's tests."""
    global _shaping
    before, _shaping = _shaping, False
    try:
        yield
    finally:
        _shaping = before


def _shaped(
    kind: Any, options: dict[str, Any], title: str, description: str, queries: Sequence[Query], fmt: str = "time_series"
) -> dict[str, Any]:
    """The clean JSON of ``kind(title=..., description=..., dataSource=..., targets=..., **options)``.

    Big fleets repeat a few panel shapes thousands of times (an SLO's three panels differ from
    another SLO's of the same kind only in their texts and queries), so each shape is built with
    grafanalib and cleaned once; its later panels are a fresh copy of that JSON with their own
    title, description and targets. Both grafanalib (``Panel.panel_json``) and the sanitizer write
    those three keys as given, and a query panel always has targets (:func:`_targets`)."""
    described = _described(title, description)[1]
    key = f"{kind.__module__}.{kind.__qualname__}:{options!r}" if _shaping else ""
    shape = _shapes.get(key) if key else None
    if shape is None:
        first = dict(title=title, description=described, dataSource=dict(DATASOURCE), targets=_targets(queries, fmt))
        built = clean(kind(**first, **options))
        if key:
            _shapes[key] = json.dumps({k: v for k, v in built.items() if k not in SHAPED_KEYS})
        return built
    panel: dict[str, Any] = _load(shape, 0)[0]
    panel["title"] = title
    panel["description"] = described
    panel["targets"] = [_target(q, i, fmt) for i, q in enumerate(queries)]
    return panel


_target_shapes: dict[str, str] = {}  # "instant:format" -> compact JSON of a clean target without TARGET_SHAPED_KEYS


def _target(query: Query, index: int, fmt: str) -> dict[str, Any]:
    """The clean JSON of :func:`_targets`' target ``index``, from its shape (instant, format)."""
    key = f"{query.instant}:{fmt}"
    shape = _target_shapes.get(key)
    if shape is None:
        [first] = clean_targets([query], fmt, index)
        _target_shapes[key] = json.dumps({k: v for k, v in first.items() if k not in TARGET_SHAPED_KEYS})
        return first
    target: dict[str, Any] = _load(shape, 0)[0]
    target["expr"] = str(query.expr)
    target["legendFormat"] = query.legend
    target["refId"] = ref_id(index)
    return target


TARGET_SHAPED_KEYS = ("expr", "legendFormat", "refId")


def clean_targets(queries: Sequence[Query], fmt: str = "time_series", start: int = 0) -> list[dict[str, Any]]:
    """The clean JSON of grafanalib's targets for ``queries`` (the first with refId number ``start``)."""
    return [sanitize_target(t.to_json_data()) for t in _targets(queries, fmt, start)]


def json_number(value: Number) -> int | float:
    """A spec number as JSON: integers stay integers, ``Decimal("0.95")`` becomes ``0.95``."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def thresholds(*steps: Step) -> list[dict[str, Any]]:
    """Threshold steps as plain dicts (grafanalib's ``Threshold`` writes graph-era keys and ``"null"``)."""
    if not steps or steps[0][1] is not None:
        raise ValueError("the first threshold step is the base and has no value")
    return [{"color": color, "value": None if value is None else json_number(value)} for color, value in steps]


def ref_id(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: Grafana's refId sequence."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _targets(queries: Sequence[Query], fmt: str = "time_series", start: int = 0) -> list[Any]:
    if not queries:
        raise ValueError("a query panel needs at least one query")
    return [
        g.Target(
            expr=str(q.expr),
            legendFormat=q.legend,
            refId=ref_id(i),
            datasource=dict(DATASOURCE),
            instant=q.instant,
            format=fmt,
        )
        for i, q in enumerate(queries, start)
    ]


def _meta(queries: Sequence[Query]) -> Meta:
    """The meaning shared by the panel's vector queries (number literals, e.g. an objective, adapt)."""
    metas = {q.expr.meta for q in queries if not q.expr.is_scalar}
    if len(metas) != 1:
        texts = "; ".join(str(q.expr) for q in queries)
        raise PromQLError(f"a panel's queries must mean the same thing to share one unit: {texts}")
    return metas.pop()


def _described(title: str, description: str) -> tuple[str, str]:
    if not title.strip() or not description.strip():
        raise ValueError(f"panel {title!r} needs a title and a description")
    return title, description


def timeseries(
    title: str,
    description: str,
    queries: Sequence[Query],
    *,
    width: int = 12,
    height: int = 8,
    unit: str | None = None,
    max_value: int | None = None,
    auto_range: bool = False,
    steps: Sequence[Step] = (),
    bars: bool = False,
    stacked: bool = False,
    links: Sequence[tuple[str, str]] = (),
) -> Cell:
    """A time series panel; ``steps`` draw threshold lines (e.g. the spec's alert thresholds).

    The axis starts at 0 for ratios and percentages unless ``auto_range`` (an SLI of 99.9 % against
    its objective is only readable zoomed in).

    ``unit`` overrides the meaning-derived unit only for derived quantities the catalog cannot
    name (a burn rate is a multiple of the error budget).
    """
    meta = _meta(queries)
    low, high = (None, None) if auto_range else value_range(meta)
    options = dict(
        unit=unit or grafana_unit(meta),
        valueMin=low,
        valueMax=max_value if max_value is not None else high,
        thresholds=thresholds(*steps) if steps else [],
        thresholdsStyleMode="dashed" if steps else "off",
        drawStyle="bars" if bars else "line",
        fillOpacity=80 if bars else 10,
        stacking={"mode": "normal", "group": "A"} if stacked else {},
        showPoints="never",
        tooltipMode="multi",
        tooltipSort="desc",
        extraJson=_links_json(links),
    )
    return Cell(_shaped(g.TimeSeries, options, title, description, queries), width, height)


def _links_json(links: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
    if not links:
        return None
    return {"fieldConfig": {"defaults": {"links": [{"title": title, "url": url} for title, url in links]}}}


def stat(
    title: str,
    description: str,
    queries: Sequence[Query],
    *,
    width: int = 6,
    height: int = 4,
    unit: str | None = None,
    steps: Sequence[Step] = (),
    sparkline: bool = True,
    no_value: str | None = None,
    decimals: int | None = None,
) -> Cell:
    """A single-value panel showing the last value of each query (or the instant result).

    Without ``steps`` the value is not coloured: Grafana's default thresholds (red from 80) would
    otherwise paint a perfectly normal request rate red.
    """
    meta = _meta(queries)
    options = dict(
        format=unit or grafana_unit(meta),
        decimals=decimals,
        reduceCalc="lastNotNull",
        graphMode="area" if sparkline else "none",
        colorMode="value" if steps else "none",
        thresholds=thresholds(*steps) if steps else thresholds(("text", None)),
        noValue=no_value,
        textMode="auto",
    )
    return Cell(_shaped(g.Stat, options, title, description, queries), width, height)


@attr.s
class ModernHeatmap(g.Panel):  # type: ignore[misc]  # grafanalib is untyped
    """Grafana's heatmap panel (9.1+) over precomputed Prometheus buckets.

    ``calculate: false`` because the ``le`` buckets already are the histogram; Grafana must not
    bucket the bucket rates again. The targets use ``format: heatmap`` so Grafana orders the
    ``le`` series and turns cumulative counts into per-bucket counts.
    """

    y_unit: str = attr.ib(default="short")
    cell_unit: str = attr.ib(default="short")

    def to_json_data(self) -> dict[str, Any]:
        hidden = {"legend": False, "tooltip": False, "viz": False}
        panel: dict[str, Any] = self.panel_json(
            {
                "type": "heatmap",
                "fieldConfig": {
                    "defaults": {"custom": {"hideFrom": hidden, "scaleDistribution": {"type": "linear"}}},
                    "overrides": [],
                },
                "options": {
                    "calculate": False,
                    "cellGap": 1,
                    "cellValues": {"unit": self.cell_unit},
                    "color": {
                        "exponent": 0.5,
                        "fill": "dark-orange",
                        "mode": "scheme",
                        "reverse": False,
                        "scale": "exponential",
                        "scheme": "Oranges",
                        "steps": 64,
                    },
                    "exemplars": {"color": "rgba(255,0,255,0.7)"},
                    "filterValues": {"le": 1e-9},  # hide empty buckets
                    "legend": {"show": True},
                    "rowsFrame": {"layout": "auto"},
                    "showValue": "never",
                    "tooltip": {"mode": "single", "showColorScale": False, "yHistogram": False},
                    "yAxis": {"axisPlacement": "left", "reverse": False, "unit": self.y_unit},
                },
            }
        )
        return panel


def heatmap(title: str, description: str, buckets: Expr, *, width: int = 12, height: int = 8) -> Cell:
    """A heatmap of ``buckets`` = ``sum by (le) (rate(x_bucket[$__rate_interval]))`` from
    :func:`guardiangen.promql.bucket_rates`; the y axis gets the histogram's own unit."""
    if buckets.shape is not Shape.BUCKETS_BY_LE or buckets.histogram is None:
        raise PromQLError(f"a heatmap needs sum by (le) of bucket rates from bucket_rates(); got {buckets.text}")
    # mypy cannot see the attrs fields inherited from untyped grafanalib, so call through Any.
    heatmap_panel: Any = ModernHeatmap
    panel = heatmap_panel(
        title=title,
        description=_described(title, description)[1],
        dataSource=dict(DATASOURCE),
        targets=_targets([Query(buckets, "{{le}}")], fmt="heatmap"),
        y_unit=grafana_unit(of_metric(buckets.histogram)),
        cell_unit=grafana_unit(buckets.meta),
    )
    return Cell(clean(panel), width, height)


def text(title: str, description: str, content: str, *, width: int = 24, height: int = 6) -> Cell:
    """A markdown text panel (no queries)."""
    panel = g.Text(title=title, description=_described(title, description)[1], content=content, mode="markdown")
    return Cell(clean(panel), width, height)


# ----------------------------------------------------------------------------------- variables


def datasource_variable() -> Any:
    """``$datasource``: every panel queries the Prometheus datasource chosen here."""
    return g.Template(
        name=DATASOURCE_VARIABLE,
        label="Data source",
        type="datasource",
        query="prometheus",
        refresh=g.REFRESH_ON_DASHBOARD_LOAD,
    )


def query_variable(name: str, label: str, source: Series, label_name: str, *, include_all: bool = True) -> Any:
    """A multi-value variable listing the values of ``label_name`` on the catalog series ``source``.

    Refreshed on time-range change so the list follows the dashboard range; panels select with
    ``label=~"$name"`` (Grafana joins several values into a regex alternation).
    """
    if label_name not in source.labels:
        raise PromQLError(f'"{source.name}" has no label "{label_name}"')
    return g.Template(
        name=name,
        label=label,
        type="query",
        query={"query": f"label_values({source.selector}, {label_name})", "refId": VARIABLE_QUERY_REF},
        dataSource=dict(DATASOURCE),
        refresh=g.REFRESH_ON_TIME_RANGE_CHANGE,
        multi=True,
        includeAll=include_all,
        sort=g.SORT_ALPHA_ASC,
    )
