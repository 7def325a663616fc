"""SLOs: error budget left, burn rate per window, and the SLI against its objective.

Built from ``plan.slos``, so every SLO the SLO rules record appears here, and only those: the
queries name the recorded series of the plan (not catalog metrics), selected by each SLO's identity
labels. With no SLO in the spec the dashboard is still valid and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from guardiangen import promql as q
from guardiangen.plan.model import Labels, Plan, SloPlan, SloWindowSeries
from guardiangen.promql import Expr, Meta
from guardiangen.promql.meta import RATIO
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import md, md_table
from guardiangen.render.dashboards.panels import Panel, Query, Stat, Text, Timeseries

WINDOW_LABEL = "window"  # burn-rate series tell their window apart by this label
BURN_RATE = Meta()  # a multiple of the error budget: a plain number
BURN_UNIT = "suffix:x"  # the catalog has no unit for "times the budget"
BUDGET_STEPS = (("red", None), ("orange", 0), ("green", Decimal("0.25")))


PAGE_SLOS = 60
"""At most this many SLOs per dashboard page (an owner's SLOs stay on one page): each SLO adds
three panels and a summary row, and Grafana slows down past a few hundred panels per dashboard."""


def build(plan: Plan) -> DashboardDef | tuple[DashboardDef, ...]:
    """One dashboard, or pages of at most :data:`PAGE_SLOS` SLOs each, every page with its own
    summary and budget overview of the SLOs on it."""
    pages: list[list[SloPlan]] = [[]]
    for _, slos in _by_owner(plan.slos):
        if pages[-1] and len(pages[-1]) + len(slos) > PAGE_SLOS:
            pages.append([])
        pages[-1] += slos
    board = _Board(plan)
    if len(pages) == 1:
        return board.page(plan.slos)
    return tuple(board.page(tuple(p)) for p in pages)


def _by_owner(slos: Iterable[SloPlan]) -> list[tuple[str, list[SloPlan]]]:
    """SLOs grouped by owner, owners in plan order."""
    groups: dict[str, list[SloPlan]] = {}
    for slo in slos:
        groups.setdefault(f"{slo.owner_kind.capitalize()} {slo.owner}", []).append(slo)
    return list(groups.items())


class _Board:
    """The SLO dashboard's pages of one render.

    Its expressions and texts are built once each: an SLO's series are asked for by its page's
    summary, then by its own panels, and a fleet has a few objectives and error budgets."""

    def __init__(self, plan: Plan) -> None:
        self.sli = {lines.slo: lines.windows for lines in plan.dashboards.sli}
        self._series: dict[tuple[str, Meta, Labels, tuple[str, ...]], Expr] = {}
        self._matchers: dict[Labels, tuple[q.Matcher, ...]] = {}
        self._percents: dict[str, str] = {}
        self._numbers: dict[str, Expr] = {}

    def page(self, all_slos: Sequence[SloPlan]) -> DashboardDef:
        description = "Service level objectives of the specialists and guardians: error budget left, burn rates, SLIs."
        if not all_slos:
            none = Text(
                "No SLOs defined",
                "Lists the SLOs once the spec defines any.",
                "No SLOs are defined in the spec. Add `slos:` to a specialist (availability, latency, quality) or a "
                "guardian (coverage) in cluster.yaml and render again.",
                height=4,
            )
            return DashboardDef(kind="slo", description=description, sections=(Section("SLOs", (none,)),))
        sections = [Section("All SLOs", (self._summary(all_slos), self._budgets(all_slos)))]
        for owner, slos in _by_owner(all_slos):
            sections.append(Section(owner, tuple(panel for slo in slos for panel in self._slo_panels(slo))))
        return DashboardDef(kind="slo", description=description, sections=tuple(sections))

    def _recorded(self, name: str, meta: Meta, slo: SloPlan, *extra_labels: str) -> Expr:
        """A series recorded by the SLO rules, selected by the SLO's identity labels."""
        key = (name, meta, slo.selector, extra_labels)
        expr = self._series.get(key)
        if expr is None:
            matchers = self._matchers.get(slo.selector)
            if matchers is None:
                matchers = self._matchers[slo.selector] = tuple(q.eq(k, v) for k, v in slo.selector)
            labels = frozenset((*(k for k, _ in slo.selector), *extra_labels))
            expr = self._series[key] = q.recorded(name, Expr(name, meta, labels), *matchers)
        return expr

    def _percent(self, ratio: str) -> str:
        text = self._percents.get(ratio)
        if text is None:
            text = self._percents[ratio] = q.format_number(Decimal(ratio) * 100) + " %"
        return text

    def _number(self, ratio: str) -> Expr:
        number = self._numbers.get(ratio)
        if number is None:
            number = self._numbers[ratio] = q.number(Decimal(ratio))
        return number

    def _summary(self, slos: Sequence[SloPlan]) -> Panel:
        percent = self._percent
        rows = [
            (md(s.id), f"{s.owner_kind} {md(s.owner)}", s.kind, percent(s.objective), percent(s.error_budget), s.period)
            for s in slos
        ]
        table = md_table(("SLO", "Owner", "Kind", "Objective", "Error budget", "Period"), rows)
        return Text(
            "SLOs in the spec",
            "Every SLO defined in cluster.yaml, with its objective and the error budget it leaves.",
            table,
            width=12,
            height=8,
        )

    def _budgets(self, slos: Sequence[SloPlan]) -> Panel:
        return Stat(
            "Error budget remaining",
            "Share of each SLO's error budget still left over its period: 100 % untouched, 0 % spent, negative "
            "when overspent. Orange below 25 %, red when exhausted.",
            [Query(self._recorded(s.budget_remaining, RATIO, s), s.id) for s in slos],
            width=12,
            height=8,
            steps=BUDGET_STEPS,
        )

    def _slo_panels(self, slo: SloPlan) -> tuple[Panel, ...]:
        budget = self._percent(slo.error_budget)
        panels = (
            Stat(
                f"{slo.id}: budget left",
                f"Share of the {slo.period} error budget ({budget} of events may be bad) still left. "
                "Orange below 25 %, red when exhausted.",
                [Query(self._recorded(slo.budget_remaining, RATIO, slo))],
                width=6,
                height=8,
                steps=BUDGET_STEPS,
            ),
            Timeseries(
                f"{slo.id}: burn rate",
                "How fast the error budget is being spent, per alerting window: 1x spends exactly the budget over "
                f"the {slo.period} period (dashed line); the page and ticket alerts fire on sustained high burn in "
                "a long and a short window together.",
                [Query(self._recorded(slo.burn_rate, BURN_RATE, slo, WINDOW_LABEL), "{{" + WINDOW_LABEL + "}}")],
                width=9,
                height=8,
                unit=BURN_UNIT,
                steps=(("green", None), ("red", 1)),
            ),
        )
        windows = self.sli[slo.id]
        if not windows:
            return panels
        return (*panels, self._sli(slo, windows))

    def _sli(self, slo: SloPlan, windows: Sequence[SloWindowSeries]) -> Panel:
        """The SLI over the plan's windows (:attr:`~guardiangen.plan.model.SliLines.windows`) against the objective."""
        queries = [Query(q.sub(1, self._recorded(w.error_ratio, RATIO, slo)), f"SLI ({w.window})") for w in windows]
        return Timeseries(
            f"{slo.id}: SLI vs objective",
            f"Share of good events ({slo.kind}) over {' and '.join(w.window for w in windows)}, against the "
            f"objective of {self._percent(slo.objective)} that the {slo.period} period is judged on.",
            [*queries, Query(self._number(slo.objective), "objective")],
            width=9,
            height=8,
            auto_range=True,
        )
