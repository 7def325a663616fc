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
from collections.abc import Iterable, Iterator, Mapping
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
_NAME = re.compile(r"[A-Za-z0-9_:]+")  # a run of the characters of a series name


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
    panels = Panels(_panels(rendered))
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


class Panels:
    """The rendered panels with queries, in order, indexed by the series names their queries
    mention (a name is mentioned where it stands as a whole run of name characters: a token of
    :data:`_NAME`), with the label values their queries fix; so that finding a section's panels
    reads neither every query nor every panel that mentions its series."""

    def __init__(self, panels: Iterable[Panel]) -> None:
        self.panels = tuple(panels)
        self.mentioning: dict[str, list[int]] = {}
        for i, panel in enumerate(self.panels):
            for name in dict.fromkeys(n for e in panel.exprs for n in _NAME.findall(e)):
                self.mentioning.setdefault(name, []).append(i)
        self.fixed = [tuple(pair for e in p.exprs for pair in _MATCHER.findall(e)) for p in self.panels]
        self._mentioning_any: dict[tuple[str, ...], _Mentioning] = {}

    def drawing(self, names: tuple[str, ...], matchers: Mapping[str, str]) -> list[Panel]:
        """The panels whose queries mention one of ``names`` and fix no label of ``matchers`` to
        another value (another owner's panel), in order."""
        group = self._mentioning_any.get(names)
        if group is None:
            if all(_NAME.fullmatch(n) for n in names):
                found = sorted({i for n in names for i in self.mentioning.get(n, ())})
            else:  # a name no token can be (a quoted UTF-8 name): read the queries
                found = [i for i, p in enumerate(self.panels) if any(_mentions(e, n) for e in p.exprs for n in names)]
            group = self._mentioning_any[names] = _Mentioning(found, self.fixed)
        return [self.panels[i] for i in group.agreeing(matchers, self.fixed)]


class _Mentioning:
    """The panels, by position, that mention some series, and for each label their queries fix:
    those that leave it free and those that fix it to one value only, by that value."""

    def __init__(self, positions: list[int], fixed: list[tuple[tuple[str, str], ...]]) -> None:
        self.positions = positions
        labels = {label for i in positions for label, _ in fixed[i]}
        self.free: dict[str, list[int]] = {label: [] for label in labels}
        self.only: dict[str, dict[str, list[int]]] = {label: {} for label in labels}
        for i in positions:
            values: dict[str, set[str]] = {}
            for label, value in fixed[i]:
                values.setdefault(label, set()).add(value)
            for label in labels:
                if label not in values:
                    self.free[label].append(i)
                elif len(values[label]) == 1:
                    self.only[label].setdefault(next(iter(values[label])), []).append(i)

    def agreeing(self, matchers: Mapping[str, str], fixed: list[tuple[tuple[str, str], ...]]) -> list[int]:
        """The positions whose panels fix no label of ``matchers`` to another value, in order."""
        # Each must leave a label of the matchers free or fix it to the matcher's value alone: take
        # the fewest such, for one label, then check each in full.
        sizes = [
            (len(self.free[k]) + len(self.only[k].get(v, ())), k, v) for k, v in matchers.items() if k in self.free
        ]
        if sizes:
            _, label, value = min(sizes)
            order = sorted(self.free[label] + self.only[label].get(value, []))
        else:
            order = self.positions
        return [i for i in order if all(matchers.get(k, v) == v for k, v in fixed[i])]


def panel_links(section: RunbookSection, panels: Panels, base_url: str) -> tuple[PanelLink, ...]:
    """The panels that draw what the section's alert reads: those querying the series of its
    expression, else those querying the catalog metrics under it; none of another owner's.

    A link keeps the template variables of the alert's ``dashboard_url`` (``var-specialist=code``)
    on that dashboard and its later pages, and opens the panel (``viewPanel``)."""
    matchers = dict(section.matchers)
    for names in (section.direct_series, section.source_series):
        found = panels.drawing(names, matchers)
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
