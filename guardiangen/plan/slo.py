"""SLO recording rules, burn-rate alerts and their promtool tests.

Per SLO (modules in reading order): :mod:`.slo_sli` decides the bad and total events,
:mod:`.slo_math` holds the window/tier table and exact factor arithmetic, :mod:`.slo_rules`
writes two rule groups into one rules file per SLO, and :mod:`.slo_tests` generates a promtool
test file whose expectations come from an independent model of the rules. This module puts them
together and fills the :class:`SloPlan` the dashboards are built from.
"""

from __future__ import annotations

from guardiangen.catalog import Catalog
from guardiangen.plan import slo_math as sm
from guardiangen.plan import slo_rules, slo_tests
from guardiangen.plan.model import LABEL_SLO, RulesPlan, SloPlan, SloWindowSeries
from guardiangen.plan.slo_rules import SloRules
from guardiangen.plan.slo_sli import collect
from guardiangen.spec.models import ClusterSpec


def build(spec: ClusterSpec, catalog: Catalog) -> tuple[tuple[SloPlan, ...], RulesPlan]:
    """The SLOs (sorted by id) and their rules and tests."""
    planned = [slo_rules.build(spec, d) for d in collect(spec, catalog)]
    groups = tuple(g for r in planned for g in r.groups)
    tests = tuple(slo_tests.build(r) for r in planned)
    return tuple(slo_plan(r) for r in planned), RulesPlan(groups=groups, tests=tests)


def slo_plan(r: SloRules) -> SloPlan:
    d = r.d
    return SloPlan(
        id=d.id,
        kind=d.kind,
        owner_kind=d.owner_kind,
        owner=d.owner,
        team=d.team,
        objective=sm.exact_text(1 - r.budget),
        error_budget=sm.exact_text(r.budget),
        period=r.period,
        selector=((LABEL_SLO, d.id),),
        windows=tuple(SloWindowSeries(w, slo_rules.ratio_name(w)) for w in sm.windows(r.period)),
        burn_rate=slo_rules.BURN_RATE,
        budget_remaining=slo_rules.BUDGET_REMAINING,
        info=slo_rules.INFO,
    )
