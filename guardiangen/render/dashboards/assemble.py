"""From sections of panels to one finished, sanitized dashboard JSON object.

Identity (uid, title) comes from :mod:`guardiangen.plan.links`, so alert annotations link to
exactly these dashboards. Panel ids are assigned here in reading order and ``gridPos`` by
:mod:`.layout`; the grafanalib objects' data is read the way grafanalib's own encoder writes it and
cleaned by :mod:`.sanitize` (the panels one by one, written clean by the render's
:class:`.shapes.PanelShapes`), and :func:`dump` writes it as text (:mod:`.jsontext`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from grafanalib import core as g

from guardiangen.plan.links import dashboard_title, dashboard_uid
from guardiangen.plan.model import Cluster, Datasource, Plan
from guardiangen.render.dashboards.jsontext import dumps
from guardiangen.render.dashboards.layout import Box, SectionSize, place
from guardiangen.render.dashboards.panels import DATASOURCE_VARIABLE, Panel, datasource_variable
from guardiangen.render.dashboards.sanitize import sanitize, sanitize_panel
from guardiangen.render.dashboards.shapes import PanelShapes

SCHEMA_VERSION = 39  # Grafana 10.4/11 level; newer Grafana migrates it upward
TIME_RANGE = ("now-6h", "now")
REFRESH = "1m"
TAG = "guardiangen"


@dataclass(frozen=True)
class Section:
    """A row header and the panels under it."""

    title: str
    panels: Sequence[Panel]
    collapsed: bool = False


@dataclass(frozen=True)
class DashboardDef:
    """What one builder produces: which dashboard (a key of plan.links.DASHBOARDS) and its content."""

    kind: str
    description: str
    sections: Sequence[Section]
    variables: Sequence[Any] = field(default_factory=tuple)  # grafanalib Templates after $datasource


def page_uid(cluster: Cluster, kind: str, page: int) -> str:
    """The uid of page ``page`` (1-based) of a paged dashboard: page 1 keeps the plain uid, so
    alert links (``dashboard_url``) stay valid; later pages add ``-p2``, ``-p3``..."""
    base = dashboard_uid(cluster, kind)
    return base if page == 1 else f"{base}-p{page}"


def assemble(
    plan: Plan, definition: DashboardDef, shapes: PanelShapes, page: int = 1, pages: int = 1
) -> dict[str, Any]:
    """The dashboard as clean JSON data (deterministic once dumped with :func:`dump`).

    Page ``page`` of ``pages``: a paged dashboard's title says which page it is, and each page
    links to the previous and the next one. ``shapes`` writes the panels (one per render)."""
    cluster = plan.cluster.name
    title = dashboard_title(plan.cluster, definition.kind)
    base_url = plan.cluster.dashboard_base_url
    page_links = [
        g.DashboardLink(
            title=f"{label} page ({other}/{pages})",
            type="link",
            uri=f"{base_url}/d/{page_uid(plan.cluster, definition.kind, other)}",
            keepTime=True,
            icon="dashboard",
        )
        for label, other in (("Previous", page - 1), ("Next", page + 1))
        if 1 <= other <= pages
    ]
    dashboard = g.Dashboard(
        title=title if pages == 1 else f"{title} ({page}/{pages})",
        uid=page_uid(plan.cluster, definition.kind, page),
        description=definition.description,
        tags=[TAG, cluster],
        editable=False,  # provisioned read-only: edits belong in cluster.yaml
        graphTooltip=g.GRAPH_TOOLTIP_MODE_SHARED_CROSSHAIR,
        panels=[],  # the panels are cleaned one by one (_panels) and set on the clean dashboard
        templating=g.Templating(list=[datasource_variable(), *definition.variables]),
        time=g.Time(*TIME_RANGE),
        timezone="browser",
        refresh=REFRESH,
        schemaVersion=SCHEMA_VERSION,
        links=[
            g.DashboardLink(
                title=f"{cluster} dashboards",
                type="dashboards",
                tags=[TAG, cluster],
                asDropdown=True,
                keepTime=True,
                icon="dashboard",
            ),
            *page_links,
        ],
    )
    clean = sanitize(dashboard.to_json_data())  # reads grafanalib's objects as DashboardEncoder writes them
    clean["panels"] = _panels(definition.sections, shapes)
    _preselect_datasource(clean, plan.dashboards.prometheus)
    return clean


def _panels(sections: Sequence[Section], shapes: PanelShapes) -> list[dict[str, Any]]:
    """The dashboard's clean panels: what :func:`.sanitize.sanitize` makes of grafanalib's rows and
    panels with their ids and gridPos set, built from the panels' clean JSON (:meth:`.PanelShapes.json`)."""
    sizes = [SectionSize(tuple((p.width, p.height) for p in s.panels), s.collapsed) for s in sections]
    next_id = itertools.count(1)
    panels: list[dict[str, Any]] = []
    for section, placed in zip(sections, place(sizes), strict=True):
        row_id = next(next_id)
        # grafanalib writes id and gridPos as given and the sanitizer keeps both as they are.
        children = [
            _placed(shapes.json(panel), next(next_id), box)
            for panel, box in zip(section.panels, placed.panels, strict=True)
        ]
        row = sanitize_panel(
            g.RowPanel(
                title=section.title, id=row_id, gridPos=_grid(placed.row), collapsed=section.collapsed
            ).to_json_data()
        )
        # Grafana reads nested panels only on collapsed rows; expanded rows are followed by them.
        row["panels"] = children if section.collapsed else []
        panels.append(row)
        if not section.collapsed:
            panels.extend(children)
    return panels


def _placed(panel: dict[str, Any], panel_id: int, box: Box) -> dict[str, Any]:
    """``panel`` (fresh from :meth:`.PanelShapes.json`, so set in place) with its id and gridPos."""
    panel["id"] = panel_id
    panel["gridPos"] = box.as_dict()
    return panel


def _grid(box: Box) -> Any:
    return g.GridPos(h=box.h, w=box.w, x=box.x, y=box.y)


def _preselect_datasource(dashboard: dict[str, Any], source: Datasource) -> None:
    """Select the provisioned Prometheus by uid, so a Grafana with several never guesses."""
    for variable in dashboard["templating"]["list"]:
        if variable.get("name") == DATASOURCE_VARIABLE:
            variable["current"] = {"selected": True, "text": source.name, "value": source.uid}


def dump(dashboard: dict[str, Any]) -> str:
    """Deterministic JSON text: sorted keys, 2-space indent, UTF-8 kept readable, final newline.

    That is ``json.dumps(dashboard, sort_keys=True, indent=2, ensure_ascii=False)``, written by
    :func:`.jsontext.dumps` (the same text, several times faster)."""
    return dumps(dashboard) + "\n"
