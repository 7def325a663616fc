"""``runbooks/``: one Markdown page per alert name, and an index, from ``templates/runbooks``.

The pages are the plan's :class:`~guardiangen.plan.model.RunbooksPlan` spelled in Markdown. The one
thing the plan cannot know is where a dashboard panel sits (ids are assigned when the dashboards
are laid out), so this target runs after the others and links each section to the rendered panels
whose queries read the series its alert reads (:func:`panel_links`).

Pages are named ``<alert name in lowercase>.md``, the index ``README.md``: a Git forge renders both,
and a static site generator (MkDocs, Hugo, Jekyll) serves them as ``<alert>/`` or ``<alert>.html``;
``defaults.runbook_url_pattern`` says which (see the README).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from guardiangen.plan.model import RunbookSection
from guardiangen.render.context import RenderContext
from guardiangen.syntax import SPEC_PATH_NAMED

DIR = "runbooks"
INDEX = f"{DIR}/README.md"
DASHBOARDS_DIR = "grafana/dashboards/"
PAGE_TEMPLATE = "runbooks/alert.md.j2"
INDEX_TEMPLATE = "runbooks/index.md.j2"
_MATCHER = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Panel:
    dashboard_uid: str
    dashboard_title: str
    id: int
    title: str
    exprs: tuple[str, ...]


@dataclass(frozen=True)
class PanelLink:
    title: str  # "Quality score (Specialist detail)"
    url: str


def render(ctx: RenderContext, rendered: Mapping[str, str]) -> dict[str, str]:
    """The runbook pages and their index; ``rendered`` holds the other targets' files."""
    from guardiangen.templates import environment

    env = environment(ctx.templates)
    env.filters["cell"] = _cell
    env.filters["spec_paths"] = _spec_paths
    env.filters["code"] = lambda text: f"`{text}`"
    env.filters["matchers"] = lambda pairs: ", ".join(f'`{k}="{v}"`' for k, v in pairs)
    plan = ctx.plan.runbooks
    panels = tuple(_panels(rendered))
    base_url = ctx.plan.cluster.dashboard_base_url
    page_template = env.get_template(PAGE_TEMPLATE)
    out: dict[str, str] = {}
    for page in plan.pages:
        links = {s.anchor: panel_links(s, panels, base_url) for s in page.sections}
        out[f"{DIR}/{page.file}"] = page_template.render(page=page, panels=links, cluster=plan.cluster)
    out[INDEX] = env.get_template(INDEX_TEMPLATE).render(pages=plan.pages, cluster=plan.cluster)
    return out


def _panels(rendered: Mapping[str, str]) -> Iterator[Panel]:
    """Every panel with queries of every rendered dashboard, in file and reading order."""
    for path in sorted(p for p in rendered if p.startswith(DASHBOARDS_DIR) and p.endswith(".json")):
        board = json.loads(rendered[path])
        for panel in _flatten(board.get("panels", ())):
            exprs = tuple(t["expr"] for t in panel.get("targets", ()) if isinstance(t.get("expr"), str))
            if exprs:
                yield Panel(board["uid"], board["title"], panel["id"], panel.get("title", ""), exprs)


def _flatten(panels: Any) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _flatten(panel.get("panels", ()))  # a collapsed row holds its panels


def _mentions(expr: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_:]){re.escape(name)}(?![A-Za-z0-9_:])", expr) is not None


def _consistent(expr: str, matchers: Mapping[str, str]) -> bool:
    """False when the query fixes a label the alert also fixes, to another value: another owner's panel."""
    return all(matchers.get(label, value) == value for label, value in _MATCHER.findall(expr))


def panel_links(section: RunbookSection, panels: tuple[Panel, ...], base_url: str) -> tuple[PanelLink, ...]:
    """The panels that draw what the section's alert reads: those querying the series of its
    expression, else those querying the catalog metrics under it; none of another owner's.

    A link keeps the template variables of the alert's ``dashboard_url`` (``var-specialist=code``)
    on that dashboard and its later pages, and opens the panel (``viewPanel``)."""
    matchers = dict(section.matchers)
    for names in (section.direct_series, section.source_series):
        found = [
            p
            for p in panels
            if any(_mentions(e, n) for e in p.exprs for n in names) and all(_consistent(e, matchers) for e in p.exprs)
        ]
        if found:
            return tuple(_link(p, section.dashboard_url, base_url) for p in found)
    return ()


def _link(panel: Panel, alert_dashboard: str, base_url: str) -> PanelLink:
    own = urlsplit(alert_dashboard)
    alert_uid = own.path.rsplit("/", 1)[-1]
    same = panel.dashboard_uid == alert_uid or panel.dashboard_uid.startswith(f"{alert_uid}-p")
    query = [own.query] if same and own.query else []
    query.append(f"viewPanel={panel.id}")
    title = f"{panel.title} ({panel.dashboard_title})"
    return PanelLink(title, f"{base_url}/d/{panel.dashboard_uid}?{'&'.join(query)}")


def _spec_paths(text: str) -> str:
    """Spec paths in a sentence (``specialists[].thresholds.x``) as code."""
    return SPEC_PATH_NAMED.sub(lambda m: f"`{m.group(0)}`", text)


def _cell(text: object) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")
