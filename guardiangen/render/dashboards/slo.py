"""SLOs: error budget left, burn rate per window, and the SLI against its objective.

Built from ``plan.slos``, so every SLO the SLO rules record appears here, and only those: the
queries name the recorded series of the plan (not catalog metrics), selected by each SLO's identity
labels. With no SLO in the spec the dashboard is still valid and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.plan.model import Labels, Plan, SloPlan
from guardiangen.promql import Expr, Meta
from guardiangen.promql.meta import RATIO
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import md, md_table
from guardiangen.render.dashboards.panels import Cell, Query, stat, text, timeseries
from guardiangen.spec.models import ClusterSpec
from guardiangen.spec.types import parse_duration_ms

WINDOW_LABEL = "window"  # burn-rate series tell their window apart by this label
BURN_RATE = Meta()  # a multiple of the error budget: a plain number
BURN_UNIT = "suffix:x"  # the catalog has no unit for "times the budget"
SLI_WINDOW_MS = 3_600_000  # the recent SLI line uses the recorded window closest to 1h
BUDGET_STEPS = (("red", None), ("orange", 0), ("green", Decimal("0.25")))


PAGE_SLOS = 60
"""At most this many SLOs per dashboard page (an owner's SLOs stay on one page): each SLO adds
three panels and a summary row, and Grafana slows down past a few hundred panels per dashboard."""


def build(spec: ClusterSpec, catalog: Catalog, plan: Plan) -> DashboardDef | tuple[DashboardDef, ...]:
    """One dashboard, or pages of at most :data:`PAGE_SLOS` SLOs each, every page with its own
    summary and budget overview of the SLOs on it."""
    pages: list[list[SloPlan]] = [[]]
    for _, slos in _by_owner(plan.slos):
        if pages[-1] and len(pages[-1]) + len(slos) > PAGE_SLOS:
            pages.append([])
        pages[-1] += slos
    if len(pages) == 1:
        return _page(plan.slos)
    return tuple(_page(tuple(p)) for p in pages)


def _page(all_slos: Sequence[SloPlan]) -> DashboardDef:
    description = "Service level objectives of the specialists and guardians: error budget left, burn rates, SLIs."
    if not all_slos:
        none = text(
            "No SLOs defined",
            "Lists the SLOs once the spec defines any.",
            "No SLOs are defined in the spec. Add `slos:` to a specialist (availability, latency, quality) or a "
            "guardian (coverage) in cluster.yaml and render again.",
            height=4,
        )
        return DashboardDef(kind="slo", description=description, sections=(Section("SLOs", (none,)),))
    sections = [Section("All SLOs", (_summary(all_slos), _budgets(all_slos)))]
    for owner, slos in _by_owner(all_slos):
        sections.append(Section(owner, tuple(cell for slo in slos for cell in _slo_cells(slo))))
    return DashboardDef(kind="slo", description=description, sections=tuple(sections))


def _by_owner(slos: Iterable[SloPlan]) -> list[tuple[str, list[SloPlan]]]:
    """SLOs grouped by owner, owners in plan order."""
    groups: dict[str, list[SloPlan]] = {}
    for slo in slos:
        groups.setdefault(f"{slo.owner_kind.capitalize()} {slo.owner}", []).append(slo)
    return list(groups.items())


def _recorded(name: str, meta: Meta, slo: SloPlan, *extra_labels: str) -> Expr:
    """A series recorded by the SLO rules, selected by the SLO's identity labels."""
    return _recorded_series(name, meta, slo.selector, extra_labels)


@lru_cache(maxsize=1024)  # an SLO's series are asked for by its summary, then by its own panels
def _recorded_series(name: str, meta: Meta, selector: Labels, extra_labels: tuple[str, ...]) -> Expr:
    labels = frozenset((*(k for k, _ in selector), *extra_labels))
    return q.recorded(name, Expr(name, meta, labels), *_matchers(selector))


@lru_cache(maxsize=64)  # the several series of one SLO share its matchers
def _matchers(selector: Labels) -> tuple[q.Matcher, ...]:
    return tuple(q.eq(k, v) for k, v in selector)


@lru_cache(maxsize=256)  # a fleet has a few objectives and error budgets
def _percent(ratio: str) -> str:
    return q.format_number(Decimal(ratio) * 100) + " %"


def _summary(slos: Sequence[SloPlan]) -> Cell:
    rows = [
        (md(s.id), f"{s.owner_kind} {md(s.owner)}", s.kind, _percent(s.objective), _percent(s.error_budget), s.period)
        for s in slos
    ]
    table = md_table(("SLO", "Owner", "Kind", "Objective", "Error budget", "Period"), rows)
    return text(
        "SLOs in the spec",
        "Every SLO defined in cluster.yaml, with its objective and the error budget it leaves.",
        table,
        width=12,
        height=8,
    )


def _budgets(slos: Sequence[SloPlan]) -> Cell:
    return stat(
        "Error budget remaining",
        "Share of each SLO's error budget still left over its period: 100 % untouched, 0 % spent, negative "
        "when overspent. Orange below 25 %, red when exhausted.",
        [Query(_recorded(s.budget_remaining, RATIO, s), s.id) for s in slos],
        width=12,
        height=8,
        steps=BUDGET_STEPS,
    )


def _slo_cells(slo: SloPlan) -> tuple[Cell, ...]:
    budget = _percent(slo.error_budget)
    cells = (
        stat(
            f"{slo.id}: budget left",
            f"Share of the {slo.period} error budget ({budget} of events may be bad) still left. "
            "Orange below 25 %, red when exhausted.",
            [Query(_recorded(slo.budget_remaining, RATIO, slo))],
            width=6,
            height=8,
            steps=BUDGET_STEPS,
        ),
        timeseries(
            f"{slo.id}: burn rate",
            "How fast the error budget is being spent, per alerting window: 1x spends exactly the budget over "
            f"the {slo.period} period (dashed line); the page and ticket alerts fire on sustained high burn in "
            "a long and a short window together.",
            [Query(_recorded(slo.burn_rate, BURN_RATE, slo, WINDOW_LABEL), "{{" + WINDOW_LABEL + "}}")],
            width=9,
            height=8,
            unit=BURN_UNIT,
            steps=(("green", None), ("red", 1)),
        ),
    )
    if not slo.windows:
        return cells
    return (*cells, _sli(slo))


@lru_cache(maxsize=256)
def _number(ratio: str) -> Expr:
    return q.number(Decimal(ratio))


def _sli(slo: SloPlan) -> Cell:
    """The SLI over the window closest to 1h (smooth, still recent) and, when recorded, over the whole
    period (what the objective is judged on), against the objective."""
    recent = min(slo.windows, key=lambda w: (abs(parse_duration_ms(w.window) - SLI_WINDOW_MS), w.window))
    chosen = [recent, *(w for w in slo.windows if w.window == slo.period and w != recent)]
    queries = [Query(q.sub(1, _recorded(w.error_ratio, RATIO, slo)), f"SLI ({w.window})") for w in chosen]
    return timeseries(
        f"{slo.id}: SLI vs objective",
        f"Share of good events ({slo.kind}) over {' and '.join(w.window for w in chosen)}, against the "
        f"objective of {_percent(slo.objective)} that the {slo.period} period is judged on.",
        [*queries, Query(_number(slo.objective), "objective")],
        width=9,
        height=8,
        auto_range=True,
    )
