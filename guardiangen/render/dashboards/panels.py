"""Panels as guardiangen declares them, and how grafanalib writes each: the builders' panel API.

A builder declares a panel (:class:`Timeseries`, :class:`Stat`, :class:`Heatmap`, :class:`Text`)
from typed :class:`~guardiangen.promql.Expr` queries, so the PromQL is legal by construction and the
unit comes from the expression's meaning (:mod:`.units`). Every panel needs a title and a
description. Datasources are always the ``${datasource}`` variable, never a name. Only grafanalib
classes whose output the sanitizer can bring to the modern model are used (TimeSeries, Stat, Text,
RowPanel, Template); the heatmap is a small Panel subclass because grafanalib's ``Heatmap`` writes
the pre-9.1 Angular panel. The declarations are plain data: :class:`.shapes.PanelShapes` turns them
into clean JSON when the dashboard is assembled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

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


def clean(panel: Any) -> dict[str, Any]:
    """A grafanalib panel's clean JSON."""
    return sanitize_panel(panel.to_json_data())


def clean_targets(queries: Sequence[Query], fmt: str = "time_series", start: int = 0) -> list[dict[str, Any]]:
    """The clean JSON of grafanalib's targets for ``queries`` (the first with refId number ``start``)."""
    return [sanitize_target(t.to_json_data()) for t in targets(queries, fmt, start)]


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


def alert_line(limit: Number) -> tuple[Step, ...]:
    """Steps that draw an alert threshold (as a dashed line on a time series): green below, red from it."""
    return (("green", None), ("red", limit))


def ref_id(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: Grafana's refId sequence."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def targets(queries: Sequence[Query], fmt: str = "time_series", start: int = 0) -> list[Any]:
    """grafanalib's targets for ``queries``, on the ``${datasource}`` variable."""
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


# ------------------------------------------------------------------------------------ panels


# The panel declarations are not frozen: a frozen dataclass is about four times slower to create, and
# a fleet of 1,000 specialists declares some 10,000 panels per render. Nothing changes a declared panel.


@dataclass(slots=True)
class Panel:
    """A panel before layout: its texts and its size on the grid (columns, grid units)."""

    title: str
    description: str
    _: KW_ONLY
    width: int = 12
    height: int = 8

    def __post_init__(self) -> None:
        if not self.title.strip() or not self.description.strip():
            raise ValueError(f"panel {self.title!r} needs a title and a description")

    def grafanalib(self) -> Any:
        """The grafanalib panel (no id, no gridPos yet)."""
        raise NotImplementedError


@dataclass(slots=True)
class QueryPanel(Panel):
    """A panel of queries that share one meaning, hence one unit.

    ``unit`` overrides the meaning-derived unit only for derived quantities the catalog cannot
    name (a burn rate is a multiple of the error budget); ``steps`` colour the values (a time series
    draws them as dashed threshold lines, e.g. the spec's alert thresholds)."""

    queries: Sequence[Query]
    unit: str | None = field(default=None, kw_only=True)
    steps: Sequence[Step] = field(default=(), kw_only=True)

    kind: ClassVar[Any]  # the grafanalib class
    fmt: ClassVar[str] = "time_series"  # the targets' format

    def options(self) -> dict[str, Any]:
        """The grafanalib keyword arguments besides title, description, dataSource and targets.

        They decide everything else in the panel's JSON: panels with equal options have one shape."""
        raise NotImplementedError

    def build(self, options: dict[str, Any]) -> Any:
        """The grafanalib panel with these :meth:`options`."""
        return self.kind(
            title=self.title,
            description=self.description,
            dataSource=dict(DATASOURCE),
            targets=targets(self.queries, self.fmt),
            **options,
        )

    def grafanalib(self) -> Any:
        return self.build(self.options())


@dataclass(slots=True, kw_only=True)
class Timeseries(QueryPanel):
    """A time series panel.

    The axis starts at 0 for ratios and percentages unless ``auto_range`` (an SLI of 99.9 % against
    its objective is only readable zoomed in)."""

    max_value: int | None = None
    auto_range: bool = False
    bars: bool = False
    stacked: bool = False
    links: Sequence[tuple[str, str]] = ()  # (title, url) data links on every series

    kind: ClassVar[Any] = g.TimeSeries

    def options(self) -> dict[str, Any]:
        meta = _meta(self.queries)
        low, high = (None, None) if self.auto_range else value_range(meta)
        return dict(
            unit=self.unit or grafana_unit(meta),
            valueMin=low,
            valueMax=self.max_value if self.max_value is not None else high,
            thresholds=thresholds(*self.steps) if self.steps else [],
            thresholdsStyleMode="dashed" if self.steps else "off",
            drawStyle="bars" if self.bars else "line",
            fillOpacity=80 if self.bars else 10,
            stacking={"mode": "normal", "group": "A"} if self.stacked else {},
            showPoints="never",
            tooltipMode="multi",
            tooltipSort="desc",
            extraJson=_links_json(self.links),
        )


def _links_json(links: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
    if not links:
        return None
    return {"fieldConfig": {"defaults": {"links": [{"title": title, "url": url} for title, url in links]}}}


@dataclass(slots=True, kw_only=True)
class Stat(QueryPanel):
    """A single-value panel showing the last value of each query (or the instant result).

    Without ``steps`` the value is not coloured: Grafana's default thresholds (red from 80) would
    otherwise paint a perfectly normal request rate red."""

    width: int = 6
    height: int = 4
    sparkline: bool = True
    no_value: str | None = None
    decimals: int | None = None

    kind: ClassVar[Any] = g.Stat

    def options(self) -> dict[str, Any]:
        meta = _meta(self.queries)
        return dict(
            format=self.unit or grafana_unit(meta),
            decimals=self.decimals,
            reduceCalc="lastNotNull",
            graphMode="area" if self.sparkline else "none",
            colorMode="value" if self.steps else "none",
            thresholds=thresholds(*self.steps) if self.steps else thresholds(("text", None)),
            noValue=self.no_value,
            textMode="auto",
        )


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


@dataclass(slots=True)
class Heatmap(Panel):
    """A heatmap of ``buckets`` = ``sum by (le) (rate(x_bucket[$__rate_interval]))`` from
    :func:`guardiangen.promql.bucket_rates`; the y axis gets the histogram's own unit."""

    buckets: Expr

    def __post_init__(self) -> None:
        Panel.__post_init__(self)  # not super(): it fails in methods of slots=True dataclasses before 3.14
        if self.buckets.shape is not Shape.BUCKETS_BY_LE or self.buckets.histogram is None:
            raise PromQLError(
                f"a heatmap needs sum by (le) of bucket rates from bucket_rates(); got {self.buckets.text}"
            )

    def grafanalib(self) -> Any:
        assert self.buckets.histogram is not None  # checked when declared
        # mypy cannot see the attrs fields inherited from untyped grafanalib, so call through Any.
        heatmap_panel: Any = ModernHeatmap
        return heatmap_panel(
            title=self.title,
            description=self.description,
            dataSource=dict(DATASOURCE),
            targets=targets([Query(self.buckets, "{{le}}")], fmt="heatmap"),
            y_unit=grafana_unit(of_metric(self.buckets.histogram)),
            cell_unit=grafana_unit(self.buckets.meta),
        )


@dataclass(slots=True)
class Text(Panel):
    """A markdown text panel (no queries)."""

    content: str
    width: int = field(default=24, kw_only=True)
    height: int = field(default=6, kw_only=True)

    def grafanalib(self) -> Any:
        return g.Text(title=self.title, description=self.description, content=self.content, mode="markdown")


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
