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

from dataclasses import dataclass
from fractions import Fraction

from guardiangen import promql as q
from guardiangen.catalog import Scale, Unit
from guardiangen.plan import slo_math as sm
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
from guardiangen.plan.slo_sli import SloDef
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
LABEL_WINDOW = "window"
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
    tiers = tuple(t for t in (_tier(spec, d, tier, period, budget, burn_alert) for tier in _enabled(d)) if t.pairs)
    absent = _absent_alert(spec, d) if d.common.no_data is NoDataPolicy.ALERT else None
    short = [*_rates(d), *_ratios(d, sm.SHORT_WINDOWS), *_burn_rates(d, sm.SHORT_WINDOWS, budget)]
    long_windows = tuple(w for w in sm.windows(period) if w not in sm.SHORT_WINDOWS)
    long = [*_ratios(d, long_windows), *_burn_rates(d, long_windows, budget), *_budget(d, period, budget)]
    long.append(_info(d, period, budget))
    for t in tiers:
        (short if t.tier.name == "page" else long).append(_alert(d, t, burn_alert))
    if absent is not None:
        short.append(absent)
    interval = spec.defaults.rule_evaluation_interval
    long_interval = format_duration_ms(max(interval.ms, LONG_GROUP_INTERVAL_MS))
    groups = (
        RuleGroup(f"slo-{d.id}-short", tuple(short), interval=str(interval), file=rules_file(d)),
        RuleGroup(f"slo-{d.id}-long", tuple(long), interval=long_interval, file=rules_file(d)),
    )
    return SloRules(d, budget, period, tiers, burn_alert, absent, groups)


def rules_file(d: SloDef) -> str:
    """One rules file per SLO: its promtool test loads only its own rules, so another SLO's alerts
    (e.g. a coverage SLO reading the same request counters) never fire in its expectations."""
    return f"slo-{d.id}"


def recorded(d: SloDef, name: str, meta: Meta = RATIO, *extra: str) -> Expr:
    """Reference to a series recorded for ``d``, selected by its identity label."""
    return q.recorded(name, Expr(name, meta, frozenset({LABEL_SLO, *extra})), q.eq(LABEL_SLO, d.id))


def _identity(d: SloDef, **extra: str) -> Labels:
    return tuple(sorted({LABEL_SLO: d.id, **extra}.items()))


def _record(name: str, expr: Expr, labels: Labels) -> Rule:
    q.check_record_name(name)
    return Rule(expr=expr.text, record=name, labels=labels)


def _rates(d: SloDef) -> list[Rule]:
    # All events first: the bad-events fallback reads the value recorded just before it.
    fallback = q.binop("or", d.bad, q.mul(recorded(d, ALL_EVENTS, EVENTS), 0), on=())
    return [_record(ALL_EVENTS, d.total, _identity(d)), _record(BAD_EVENTS, fallback, _identity(d))]


def _ratios(d: SloDef, windows: tuple[str, ...]) -> list[Rule]:
    bad, total = recorded(d, BAD_EVENTS, EVENTS), recorded(d, ALL_EVENTS, EVENTS)
    out = []
    for w in windows:
        if w == sm.RATE_WINDOW:
            expr = q.ratio(bad, total)
        else:
            expr = q.ratio(q.over_time("sum", bad, w), q.over_time("sum", total, w))
        out.append(_record(ratio_name(w), expr, _identity(d)))
    return out


def _burn_rates(d: SloDef, windows: tuple[str, ...], budget: Fraction) -> list[Rule]:
    b = sm.exact_text(budget)
    return [
        _record(BURN_RATE, q.binop("/", recorded(d, ratio_name(w)), b, meta=Meta()), _identity(d, window=w))
        for w in windows
    ]


def _budget(d: SloDef, period: str, budget: Fraction) -> list[Rule]:
    b = sm.exact_text(budget)
    remaining = q.sub(1, q.binop("/", recorded(d, ratio_name(period)), b, meta=Meta()))
    return [_record(ERROR_BUDGET, q.number(b), _identity(d)), _record(BUDGET_REMAINING, remaining, _identity(d))]


def _info(d: SloDef, period: str, budget: Fraction) -> Rule:
    """The only series carrying metadata: join it ``on (slo)`` in dashboards."""
    c = d.common
    tiers = ",".join(t.name for t in _enabled(d)) or "none"
    meta = {
        "slo_kind": d.kind,
        LABEL_COMPONENT: d.owner_kind,
        d.owner_label[0]: d.owner_label[1],
        LABEL_TEAM: d.team,
        "objective": sm.exact_text(1 - budget),
        "error_budget": sm.exact_text(budget),
        "period": period,
        "burn_alerts": tiers,
        "no_data": c.no_data.value,
    }
    return _record(INFO, q.number(1), _identity(d, **meta))


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


def _tier(spec: ClusterSpec, d: SloDef, tier: sm.Tier, period: str, budget: Fraction, alert: str) -> TierPlan:
    pairs = tuple((p, sm.threshold(p, period, budget)) for p in tier.pairs if sm.feasible(p, period, budget))
    conditions = [
        f"over {sm.percent_text(t)} in both {p.long} and {p.short} "
        f"({sm.rounded_text(p.factor(period))}x the budget, {sm.percent_text(p.budget_share)} of it per {p.long})"
        for p, t in pairs
    ]
    description = (
        f"{{{{ $labels.slo }}}}: {{{{ $value | humanizePercentage }}}} {d.bad_phrase} over the long window "
        f"(objective {sm.percent_text(1 - budget)} over {period}, error budget {sm.percent_text(budget)}). "
        f"The {tier.name} tier fires on an error ratio " + ", or ".join(conditions) + "."
    )
    annotations = (
        ("dashboard_url", dashboard_url(spec, "slo")),
        ("description", description),
        ("runbook_url", runbook_url(spec, alert)),
        ("summary", f"SLO {d.id} is burning its error budget {tier.summary} ({tier.name} tier)."),
    )
    labels = alert_labels(spec, d, tier.severity, **{LABEL_BURN_TIER: tier.name})
    return TierPlan(tier, pairs, labels, annotations)


def _alert(d: SloDef, t: TierPlan, name: str) -> Rule:
    conditions = [
        q.and_(
            q.gt(recorded(d, ratio_name(p.long)), sm.exact_text(x)),
            q.gt(recorded(d, ratio_name(p.short)), sm.exact_text(x)),
        )
        for p, x in t.pairs
    ]
    expr = conditions[0]
    for c in conditions[1:]:
        expr = q.or_(expr, c)
    return Rule(expr=expr.text, alert=name, labels=t.labels, annotations=t.annotations)


def absent_for(d: SloDef) -> str:
    """How long the SLI may be missing before the no-data alert fires: the short window of the
    fastest enabled pair. While data is missing no burn alert can fire, and that tier would have
    needed at least its short window of data to fire anyway (5m with paging, 2h ticket-only)."""
    tiers = _enabled(d) or sm.TIERS
    return min((p.short for p in tiers[0].pairs), key=parse_duration_ms)


def _absent_alert(spec: ClusterSpec, d: SloDef) -> Rule:
    name = f"{spec.defaults.alert_name_prefix}SloNoData"
    q.check_alert_name(name)
    tiers = _enabled(d)
    severity = tiers[0].severity if tiers else "warning"
    wait = absent_for(d)
    annotations = (
        ("dashboard_url", dashboard_url(spec, "slo")),
        (
            "description",
            f"{{{{ $labels.slo }}}}: no SLI data ({ALL_EVENTS}) for {wait}, so its burn-rate alerts cannot fire. "
            "The SLI's source metrics are not being scraped; zero traffic would still record 0.",
        ),
        ("runbook_url", runbook_url(spec, name)),
        ("summary", f"SLO {d.id} has no data; its burn-rate alerts are blind."),
    )
    expr = q.absent(recorded(d, ALL_EVENTS, EVENTS))
    return Rule(expr=expr.text, alert=name, for_=wait, labels=alert_labels(spec, d, severity), annotations=annotations)
