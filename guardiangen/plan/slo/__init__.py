"""SLO recording rules, burn-rate alerts and their promtool tests.

Per SLO (modules in reading order): :mod:`.slo_sli` decides the bad and total events,
:mod:`.slo_math` holds the window/tier table and exact factor arithmetic, :mod:`.slo_rules`
writes two rule groups per SLO (into a rules file of its own, or of its owner's chunk in a large
fleet: :func:`_files`), and :mod:`.slo_tests` generates a promtool
test file whose expectations come from an independent model of the rules, once per shape of SLO
(:mod:`.shapes`: SLOs whose rules and test inputs differ only by their names share it). This module
puts them together and fills the :class:`SloPlan` the dashboards are built from.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace

from guardiangen.catalog import Catalog
from guardiangen.plan import shapes
from guardiangen.plan.model import LABEL_SLO, RuleGroup, RulesPlan, SloPlan, SloWindowSeries, UnitTestFile
from guardiangen.plan.rules.core import CHUNK_OWNERS
from guardiangen.plan.slo import burnrate as sm
from guardiangen.plan.slo import engine_sli, metric_sli
from guardiangen.plan.slo import rules as slo_rules
from guardiangen.plan.slo import testgen as slo_tests
from guardiangen.plan.slo.rules import SloRules
from guardiangen.plan.slo.sli import SloDef, collect
from guardiangen.spec.models import ClusterSpec


def build(spec: ClusterSpec, catalog: Catalog) -> tuple[tuple[SloPlan, ...], RulesPlan]:
    """The SLOs (sorted by id) and their rules and tests."""
    defs = (*collect(spec, catalog), *engine_sli.collect(spec, catalog))
    if spec.metric_slos:  # SLOs on user-chosen metrics (plan.slo.metric_sli) join the built-in ones
        defs = (*defs, *metric_sli.collect(spec, catalog))
    defs = tuple(sorted(defs, key=lambda d: d.id))
    planned = [slo_rules.build(spec, d) for d in defs]
    file_of = _files(planned)
    groups = tuple(replace(g, file=file_of(r)) for r in planned for g in r.groups)
    names = _names(spec)

    def shape(r: SloRules) -> Hashable:
        """What an SLO's test depends on, with its names as positions: its rules and the counters
        its test inputs are made of (both spellings of ``le``)."""
        groups = [shapes.group_fields(g) for g in r.groups]
        counters = [(c.series, c.role) for go_le in (False, True) for c in r.d.counters(go_le)]
        parts = (groups, r.budget, r.period, counters)
        return shapes.shape_key(parts, names(r.d))

    tests: list[UnitTestFile] = []
    test_copies: list[RuleGroup] = []
    for r, others in shapes.representatives(planned, shape):
        covers = tuple((file_of(o), slo_rules.rules_file(o.d)) for o in others)
        test = slo_tests.build(r, covers=covers)
        if file_of(r) != slo_rules.rules_file(r.d):  # its rules share a file: test a copy of them alone
            test = replace(test, rules_dir="rules")
            test_copies += r.groups
        tests.append(test)
    return tuple(slo_plan(r) for r in planned), RulesPlan(
        groups=groups, tests=tuple(tests), test_copies=tuple(test_copies)
    )


def _files(planned: list[SloRules]) -> Callable[[SloRules], str]:
    """The rules file of an SLO: its own (``slo-<id>``) while the SLOs have at most
    :data:`~.rules_core.CHUNK_OWNERS` owners, else the file of its owner's chunk (``slo-001``...):
    the SLOs of that many owners (a few hundred small groups) per file, in the SLOs' order (by id).

    Thousands of files cost more to write (and to read) than their bytes. A promtool test must
    still load one SLO's rules alone (another SLO's alerts would show in its expectations), so the
    SLOs that get a test file also get a copy of their groups beside it (``RulesPlan.test_copies``)."""
    owners = list(dict.fromkeys((r.d.owner_kind, r.d.owner) for r in planned))
    if len(owners) <= CHUNK_OWNERS:
        return lambda r: slo_rules.rules_file(r.d)
    chunk = {owner: i // CHUNK_OWNERS + 1 for i, owner in enumerate(owners)}
    return lambda r: f"slo-{chunk[(r.d.owner_kind, r.d.owner)]:03d}"


def _names(spec: ClusterSpec) -> Callable[[SloDef], tuple[str, ...]]:
    """The names in an SLO's rules that tell it from another SLO of the same shape: its id, its
    owner's name and label value and, for a guardian, the label values of the watched specialists."""
    specialists = {s.name: s for s in spec.specialists}
    guardians = {g.name: g for g in spec.guardians}

    def names(d: SloDef) -> tuple[str, ...]:
        if d.owner_kind == metric_sli.OWNER_KIND:  # its id is its name; its rules name no owner
            return (d.id,)
        if d.owner_kind == "guardian":
            g = guardians[d.owner]
            return (d.id, d.owner, g.label_value, *sorted({specialists[w].label_value for w in g.watches}))
        return (d.id, d.owner, specialists[d.owner].label_value)

    return names


def slo_plan(r: SloRules) -> SloPlan:
    d = r.d
    return SloPlan(
        id=d.id,
        kind=d.kind,
        owner_kind=d.owner_kind,
        owner=d.owner,
        spec_path=d.spec_path,
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
