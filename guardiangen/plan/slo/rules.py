"""Recording rules and alerts of one SLO, in two rule groups.

Shape (``x`` is the SLO id; every recorded series carries only ``slo="x"``, burn rates also
``window``; owner, team, objective and period live on the info series alone, so editing them
never splits a series the way label churn does in Sloth #311):

* ``slo:all_events:rate5m`` / ``slo:bad_events:rate5m``: the only rules that read raw counters,
  over 5m, summed to one series each. The bad rate falls back to ``0 * all_events`` so an SLO
  whose error series was never created (a client library creates it on the first error) reads
  0 instead of "no data".
* ``slo:error_ratio:rate<W>`` = ``sum_over_time(bad[W]) / (sum_over_time(all[W]) > 0)``: a ratio
  of sums over the recorded 5m rates (every 5m slice weighted by its traffic, unlike Sloth's mean
  of ratios, #241), one or two series read instead of every raw counter over W (Sloth #504,
  Pyrra #1440); zero traffic gives no sample, never NaN or +Inf.
* ``slo:error_budget:burn_rate{window=W}`` = ratio / budget; ``slo:error_budget:ratio``;
  ``slo:error_budget:remaining_ratio`` = 1 - ratio over the period / budget (negative when
  overspent); ``slo:guardiangen:slo_info`` = 1 with the metadata.

Groups: ``slo-x-short`` (interval: the spec's rule interval) records the 5m rates and the windows
up to 6h and evaluates the page alert, which must react within minutes. ``slo-x-long`` (every
2m) holds 1d, 3d and the period, which read up to a period's worth of samples each: evaluating
them a quarter as often cuts the dominant cost, and ticket alerts tolerate 2m of delay. 2m stays
under half the 5m lookback, so an instant read of a long-group series never finds a gap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from fractions import Fraction

from guardiangen import promql as q
from guardiangen.catalog import Scale, Unit
from guardiangen.generated_labels import (
    LABEL_BURN_ALERTS,
    LABEL_ERROR_BUDGET,
    LABEL_NO_DATA,
    LABEL_OBJECTIVE,
    LABEL_PERIOD,
    LABEL_SLO_KIND,
    LABEL_WINDOW,
)
from guardiangen.plan.cluster import cluster_of
from guardiangen.plan.links import dashboard_url, runbook_url
from guardiangen.plan.model import (
    LABEL_BURN_TIER,
    LABEL_COMPONENT,
    LABEL_SEVERITY,
    LABEL_SLO,
    LABEL_TEAM,
    Labels,
    Rule,
    RuleGroup,
)
from guardiangen.plan.slo import burnrate as sm
from guardiangen.plan.slo.sli import SloDef
from guardiangen.plan.stamp import stamp_of, stamped, stamped_rule
from guardiangen.promql import Expr, Meta
from guardiangen.promql.meta import RATIO
from guardiangen.spec.models import ClusterSpec, NoDataPolicy
from guardiangen.spec.types import format_duration_ms, parse_duration_ms

ALL_EVENTS = "slo:all_events:rate5m"
BAD_EVENTS = "slo:bad_events:rate5m"
BURN_RATE = "slo:error_budget:burn_rate"
ERROR_BUDGET = "slo:error_budget:ratio"
BUDGET_REMAINING = "slo:error_budget:remaining_ratio"
INFO = "slo:guardiangen:slo_info"
LONG_GROUP_INTERVAL_MS = 120_000
EVENTS = Meta(Scale.ABSOLUTE, Unit.EVENTS, per_second=True)


class SloPlanError(ValueError):
    """An SLO that cannot be planned (e.g. a period shorter than the ticket tier's 3d window)."""


def ratio_name(window: str) -> str:
    return f"slo:error_ratio:rate{window}"


@dataclass(frozen=True)
class TierPlan:
    """An enabled tier and its pairs that can fire, with the exact thresholds."""

    tier: sm.Tier
    pairs: tuple[tuple[sm.Pair, Fraction], ...]
    labels: Labels
    annotations: Labels


@dataclass(frozen=True)
class SloRules:
    """The rules of one SLO plus what its generated tests need to know about them."""

    d: SloDef
    budget: Fraction
    period: str
    tiers: tuple[TierPlan, ...]
    burn_alert: str
    absent: Rule | None
    groups: tuple[RuleGroup, ...]
    stamp: Labels = ()  # the cluster label, on every rule above (guardiangen.plan.stamp)


def build(spec: ClusterSpec, d: SloDef) -> SloRules:
    period = sm.canonical(d.common.period)
    if parse_duration_ms(period) < sm.MIN_PERIOD:
        raise SloPlanError(
            f"SLO {d.id}: period {period} is shorter than the ticket tier's longest window "
            f"({format_duration_ms(sm.MIN_PERIOD)}); use a period of at least that"
        )
    budget = sm.error_budget(d.common.objective_percent)
    burn_alert = f"{spec.defaults.alert_name_prefix}ErrorBudgetBurn"
    q.check_alert_name(burn_alert)
    shape = _shape(period, budget, _enabled(d))
    own = _Own(d)
    stamp = stamp_of(spec)  # the cluster label: on every rule, and so on what the tests expect of them
    tiers = [(_stamped_tier(_tier(spec, d, t, burn_alert), stamp), own.text(t.expr)) for t in shape.tiers if t.pairs]
    absent = _absent_alert(spec, d, own.text(shape.absent)) if d.common.no_data is NoDataPolicy.ALERT else None
    absent = None if absent is None else stamped_rule(absent, stamp)
    short = [*_rates(d, own.expr(shape.fallback)), *own.records(shape.short)]
    long = [*own.records(shape.long), _info(d, period, budget)]
    for t, expr in tiers:
        (short if t.tier.name == "page" else long).append(_alert(t, expr, burn_alert))
    if absent is not None:
        short.append(absent)
    interval = spec.defaults.rule_evaluation_interval
    long_interval = format_duration_ms(max(interval.ms, LONG_GROUP_INTERVAL_MS))
    groups = (
        RuleGroup(f"slo-{d.id}-short", tuple(stamped_rule(r, stamp) for r in short), str(interval), file=rules_file(d)),
        RuleGroup(f"slo-{d.id}-long", tuple(stamped_rule(r, stamp) for r in long), long_interval, file=rules_file(d)),
    )
    return SloRules(d, budget, period, tuple(t for t, _ in tiers), burn_alert, absent, groups, stamp)


def rules_file(d: SloDef) -> str:
    """One rules file per SLO: its promtool test loads only its own rules, so another SLO's alerts
    (e.g. a coverage SLO reading the same request counters) never fire in its expectations."""
    return f"slo-{d.id}"


def recorded(slo: str, name: str, meta: Meta = RATIO, *extra: str) -> Expr:
    """Reference to a series recorded for SLO ``slo``, selected by its identity label."""
    return q.recorded(name, Expr(name, meta, frozenset({LABEL_SLO, *extra})), q.eq(LABEL_SLO, slo))


# ------------------------------------------------------------------------------- SLO shapes
#
# Apart from their SLI (the two 5m rates), SLOs with the same period, objective and tiers have the
# same rules with another SLO id in them, and a fleet's thousands of SLOs come in a handful of such
# shapes. So those rules are built once per shape for a stand-in SLO (every builder check runs
# then), and each SLO's expressions are that text with its own `slo` matcher in place of the
# stand-in's: the id occurs in them only as that matcher, whose text is the same wherever it is.

_STAND_IN = "SLO_ID"
_STAND_IN_MATCHER = str(q.eq(LABEL_SLO, _STAND_IN))


@dataclass(frozen=True)
class _RecordShape:
    name: str
    expr: str  # with the stand-in's matcher
    window: str | None = None  # the `window` label (burn rates)


@dataclass(frozen=True)
class _TierShape:
    tier: sm.Tier
    pairs: tuple[tuple[sm.Pair, Fraction], ...]  # the pairs that can fire, with their thresholds
    conditions: str  # the description after the SLO's bad-event phrase
    expr: str  # the alert's expression, with the stand-in's matcher


@dataclass(frozen=True)
class _Shape:
    short: tuple[_RecordShape, ...]  # the short group's records after the two 5m rates
    long: tuple[_RecordShape, ...]  # the long group's records before the info series
    tiers: tuple[_TierShape, ...]  # every enabled tier, also one with no pair that can fire
    fallback: Expr  # what the bad-events rate falls back to: all events times 0
    absent: str  # the no-data alert's expression


@functools.lru_cache(maxsize=256)
def _shape(period: str, budget: Fraction, enabled: tuple[sm.Tier, ...]) -> _Shape:
    long_windows = tuple(w for w in sm.windows(period) if w not in sm.SHORT_WINDOWS)
    return _Shape(
        short=(*_ratios(sm.SHORT_WINDOWS), *_burn_rates(sm.SHORT_WINDOWS, budget)),
        long=(*_ratios(long_windows), *_burn_rates(long_windows, budget), *_budget(period, budget)),
        tiers=tuple(_tier_shape(tier, period, budget) for tier in enabled),
        fallback=q.mul(recorded(_STAND_IN, ALL_EVENTS, EVENTS), 0),
        absent=q.absent(recorded(_STAND_IN, ALL_EVENTS, EVENTS)).text,
    )


class _Own:
    """One SLO's rules from its shape's: its own `slo` matcher in place of the stand-in's."""

    def __init__(self, d: SloDef) -> None:
        self.matcher = str(q.eq(LABEL_SLO, d.id))  # checks the id like every matcher
        self.identity = _identity(d)

    def text(self, shape: str) -> str:
        return shape.replace(_STAND_IN_MATCHER, self.matcher)

    def expr(self, shape: Expr) -> Expr:
        return replace(shape, text=self.text(shape.text))

    def records(self, shapes: tuple[_RecordShape, ...]) -> list[Rule]:
        slo = self.identity[0]
        return [
            Rule(
                expr=self.text(r.expr),
                record=r.name,
                labels=self.identity if r.window is None else (slo, (LABEL_WINDOW, r.window)),
            )
            for r in shapes
        ]


def _identity(d: SloDef, **extra: str) -> Labels:
    return tuple(sorted({LABEL_SLO: d.id, **extra}.items()))


def _record(name: str, expr: Expr, labels: Labels) -> Rule:
    q.check_record_name(name)
    return Rule(expr=expr.text, record=name, labels=labels)


def _rates(d: SloDef, all_events_times_0: Expr) -> list[Rule]:
    # All events first: the bad-events fallback reads the value recorded just before it.
    fallback = q.binop("or", d.bad, all_events_times_0, on=())
    return [_record(ALL_EVENTS, d.total, _identity(d)), _record(BAD_EVENTS, fallback, _identity(d))]


def _ratios(windows: tuple[str, ...]) -> list[_RecordShape]:
    bad, total = recorded(_STAND_IN, BAD_EVENTS, EVENTS), recorded(_STAND_IN, ALL_EVENTS, EVENTS)
    out = []
    for w in windows:
        if w == sm.RATE_WINDOW:
            expr = q.ratio(bad, total)
        else:
            expr = q.ratio(q.over_time("sum", bad, w), q.over_time("sum", total, w))
        out.append(_RecordShape(q.check_record_name(ratio_name(w)), expr.text))
    return out


def _burn_rates(windows: tuple[str, ...], budget: Fraction) -> list[_RecordShape]:
    b = sm.exact_text(budget)
    q.check_record_name(BURN_RATE)
    return [
        _RecordShape(BURN_RATE, q.binop("/", recorded(_STAND_IN, ratio_name(w)), b, meta=Meta()).text, w)
        for w in windows
    ]


def _budget(period: str, budget: Fraction) -> list[_RecordShape]:
    b = sm.exact_text(budget)
    remaining = q.sub(1, q.binop("/", recorded(_STAND_IN, ratio_name(period)), b, meta=Meta()))
    return [
        _RecordShape(q.check_record_name(ERROR_BUDGET), q.number(b).text),
        _RecordShape(q.check_record_name(BUDGET_REMAINING), remaining.text),
    ]


_ONE = q.number(1)


def _info(d: SloDef, period: str, budget: Fraction) -> Rule:
    """The only series carrying metadata: join it ``on (slo)`` in dashboards."""
    c = d.common
    tiers = ",".join(t.name for t in _enabled(d)) or "none"
    meta = {
        LABEL_SLO_KIND: d.kind,
        LABEL_COMPONENT: d.owner_kind,
        d.owner_label[0]: d.owner_label[1],
        LABEL_TEAM: d.team,
        LABEL_OBJECTIVE: sm.exact_text(1 - budget),
        LABEL_ERROR_BUDGET: sm.exact_text(budget),
        LABEL_PERIOD: period,
        LABEL_BURN_ALERTS: tiers,
        LABEL_NO_DATA: c.no_data.value,
    }
    return _record(INFO, _ONE, _identity(d, **meta))


def _enabled(d: SloDef) -> tuple[sm.Tier, ...]:
    on = {"page": d.common.burn_alerts.page, "ticket": d.common.burn_alerts.ticket}
    return tuple(t for t in sm.TIERS if on[t.name])


def alert_labels(spec: ClusterSpec, d: SloDef, severity: str, **extra: str) -> Labels:
    """The spec's alert labels, then the SLO's own (which win on a clash: routing relies on them)."""
    own = {
        LABEL_SLO: d.id,
        LABEL_SEVERITY: severity,
        LABEL_TEAM: d.team,
        LABEL_COMPONENT: d.owner_kind,
        d.owner_label[0]: d.owner_label[1],
        **extra,
    }
    return tuple(sorted({**spec.metadata.alert_labels, **own}.items()))


def _tier_shape(tier: sm.Tier, period: str, budget: Fraction) -> _TierShape:
    pairs = tuple((p, sm.threshold(p, period, budget)) for p in tier.pairs if sm.feasible(p, period, budget))
    conditions = [
        f"over {sm.percent_text(t)} in both {p.long} and {p.short} "
        f"({sm.rounded_text(p.factor(period))}x the budget, {sm.percent_text(p.budget_share)} of it per {p.long})"
        for p, t in pairs
    ]
    description = (
        f" over the long window (objective {sm.percent_text(1 - budget)} over {period}, error budget "
        f"{sm.percent_text(budget)}). The {tier.name} tier fires on an error ratio " + ", or ".join(conditions) + "."
    )
    return _TierShape(tier, pairs, description, _alert_expr(pairs).text if pairs else "")


def _tier(spec: ClusterSpec, d: SloDef, t: _TierShape, alert: str) -> TierPlan:
    tier = t.tier
    description = f"{{{{ $labels.slo }}}}: {{{{ $value | humanizePercentage }}}} {d.bad_phrase}{t.conditions}"
    annotations = (
        ("dashboard_url", dashboard_url(cluster_of(spec), "slo")),
        ("description", description),
        ("runbook_url", runbook_url(spec.defaults.runbook_url_pattern, alert)),
        ("summary", f"SLO {d.id} is burning its error budget {tier.summary} ({tier.name} tier)."),
    )
    labels = alert_labels(spec, d, tier.severity, **{LABEL_BURN_TIER: tier.name})
    return TierPlan(tier, t.pairs, labels, annotations)


def _stamped_tier(t: TierPlan, stamp: Labels) -> TierPlan:
    return replace(t, labels=stamped(t.labels, stamp, f"the {t.tier.name} tier's alert")) if stamp else t


def _alert_expr(pairs: tuple[tuple[sm.Pair, Fraction], ...]) -> Expr:
    conditions = [
        q.and_(
            q.gt(recorded(_STAND_IN, ratio_name(p.long)), sm.exact_text(x)),
            q.gt(recorded(_STAND_IN, ratio_name(p.short)), sm.exact_text(x)),
        )
        for p, x in pairs
    ]
    expr = conditions[0]
    for c in conditions[1:]:
        expr = q.or_(expr, c)
    return expr


def _alert(t: TierPlan, expr: str, name: str) -> Rule:
    return Rule(expr=expr, alert=name, labels=t.labels, annotations=t.annotations)


def absent_for(d: SloDef) -> str:
    """How long the SLI may be missing before the no-data alert fires: the short window of the
    fastest enabled pair. While data is missing no burn alert can fire, and that tier would have
    needed at least its short window of data to fire anyway (5m with paging, 2h ticket-only)."""
    tiers = _enabled(d) or sm.TIERS
    return min((p.short for p in tiers[0].pairs), key=parse_duration_ms)


def _absent_alert(spec: ClusterSpec, d: SloDef, expr: str) -> Rule:
    name = f"{spec.defaults.alert_name_prefix}SloNoData"
    q.check_alert_name(name)
    tiers = _enabled(d)
    severity = tiers[0].severity if tiers else "warning"
    wait = absent_for(d)
    annotations = (
        ("dashboard_url", dashboard_url(cluster_of(spec), "slo")),
        (
            "description",
            f"{{{{ $labels.slo }}}}: no SLI data ({ALL_EVENTS}) for {wait}, so its burn-rate alerts cannot fire. "
            "The SLI's source metrics are not being scraped; zero traffic would still record 0.",
        ),
        ("runbook_url", runbook_url(spec.defaults.runbook_url_pattern, name)),
        ("summary", f"SLO {d.id} has no data; its burn-rate alerts are blind."),
    )
    return Rule(expr=expr, alert=name, for_=wait, labels=alert_labels(spec, d, severity), annotations=annotations)
