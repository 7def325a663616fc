"""Routes that can never match a generated alert, found during validation.

guardiangen decides every value of the labels that say what an alert is about (severity, team,
component, specialist, guardian, slo, burn tier), plus ``metadata.alert_labels`` and the cluster
label. A route matching another value of one of them (``severity: warn``) can never take a
generated alert: an error. A route matching a label no generated alert carries at all may still
route alerts from elsewhere (the Alertmanager is shared): a warning.

The value sets are a superset of what the plan emits (a test holds every plan to them): an alert
the spec disables, or a burn-rate tier no objective can trigger, still counts as possible here,
so this check never refuses a route that could match.
"""

from __future__ import annotations

from collections.abc import Iterable

from guardiangen import generated_labels as gl
from guardiangen.catalog import CatalogError
from guardiangen.diagnostics import GG213_ROUTE_NEVER_MATCHES, GG214_ROUTE_FOREIGN_LABEL, Severity, did_you_mean
from guardiangen.spec.catalog import catalog_for
from guardiangen.spec.findings import Finding
from guardiangen.spec.models import ClusterSpec, SloCommon


def findings(spec: ClusterSpec) -> list[Finding]:
    """A finding for each ``match_labels`` entry of ``alerting.routes`` no generated alert can satisfy."""
    values = alert_label_values(spec)
    carried = carried_labels(spec, values)
    out: list[Finding] = []
    for i, route in enumerate(spec.alerting.routes):
        for name, value in route.match_labels.items():
            where = ("alerting", "routes", i, "match_labels", name)
            possible = values.get(name)
            if possible:
                if value not in possible:
                    out.append(Finding(where, GG213_ROUTE_NEVER_MATCHES, _never(name, value, possible)))
            elif name not in carried or possible is not None:
                message = _foreign(name, carried)
                out.append(Finding(where, GG214_ROUTE_FOREIGN_LABEL, message, Severity.WARNING, at_key=True))
    return out


def alert_label_values(spec: ClusterSpec) -> dict[str, frozenset[str]]:
    """Every value each label guardiangen controls can have on a generated alert of ``spec`` (an
    empty set: no generated alert carries that label)."""
    teams = {s.team for s in spec.specialists} | {g.team for g in spec.guardians}
    teams |= {t for t in (spec.gpu_inventory.team, spec.node_thresholds.team) if t is not None}
    if spec.postgres is not None:
        teams.add(spec.postgres.team)
    teams |= {m.team for m in spec.metric_slos} | {a.team for a in spec.metric_alerts}
    optional = {
        "guardian": bool(spec.guardians),
        "postgres": spec.postgres is not None,
        "engine": any(s.engine is not None for s in spec.specialists),
        "metric": bool(spec.metric_slos or spec.metric_alerts),
    }
    components = {c for c in gl.COMPONENTS if optional.get(c, True)}
    slos = _slos(spec)
    tiers = {t for t in gl.BURN_TIERS for _, common in slos if getattr(common.burn_alerts, t)}
    out = {
        gl.LABEL_SEVERITY: frozenset(gl.SEVERITIES),
        gl.LABEL_TEAM: frozenset(teams),
        gl.LABEL_COMPONENT: frozenset(components),
        gl.LABEL_SPECIALIST: frozenset(s.name for s in spec.specialists),
        gl.LABEL_GUARDIAN: frozenset(g.name for g in spec.guardians),
        gl.LABEL_SLO: frozenset(slo for slo, _ in slos),
        gl.LABEL_BURN_TIER: frozenset(tiers),
        **{name: frozenset({value}) for name, value in spec.metadata.alert_labels.items()},
    }
    if spec.output.cluster_label is not None:
        out[spec.output.cluster_label] = frozenset({spec.metadata.name})
    return out


def _slos(spec: ClusterSpec) -> list[tuple[str, SloCommon]]:
    out: list[tuple[str, SloCommon]] = []
    for s in spec.specialists:
        for kind in ("availability", "latency", "quality"):
            common = getattr(s.slos, kind)
            if common is not None:
                out.append((gl.slo_id(s.name, kind), common))
        if s.engine is not None:
            for field in gl.ENGINE_SLO_FIELDS:
                common = getattr(s.engine.slos, field)
                if common is not None:
                    out.append((gl.slo_id(s.name, gl.engine_slo_kind(field)), common))
    out += [(gl.slo_id(g.name, "coverage"), g.slos.coverage) for g in spec.guardians if g.slos.coverage is not None]
    out += [(m.name, m) for m in spec.metric_slos]  # a metric SLO's id is its name
    return out


def carried_labels(spec: ClusterSpec, values: dict[str, frozenset[str]]) -> frozenset[str]:
    """Every label name a generated alert may carry: guardiangen's own, and what its series bring
    (the catalog's labels and the scrape target's, ``job`` and ``instance``)."""
    try:
        catalog = catalog_for(spec)
    except CatalogError:  # reported by the spec checks already
        series: set[str] = set()
    else:
        series = {*(label for m in catalog for label in m.labels), *catalog.target_labels}
    own = {name for name, possible in values.items() if possible}
    return frozenset({"alertname", *own, *(set(gl.ALERT_STATIC_LABELS) - set(values)), *series})


def _never(name: str, value: str, possible: frozenset[str]) -> str:
    return (
        f'no generated alert carries {name}="{value}", so this route never matches one'
        f"{did_you_mean(value, possible)}; {name} is one of: {_listing(possible)}"
    )


def _foreign(name: str, carried: Iterable[str]) -> str:
    why = {
        gl.LABEL_GUARDIAN: " (the spec has no guardians)",
        gl.LABEL_SLO: " (the spec has no SLOs)",
        gl.LABEL_BURN_TIER: " (the spec has no SLO with burn-rate alerts)",
    }.get(name, did_you_mean(name, carried))
    return f'no generated alert carries a label "{name}"{why}; only alerts from elsewhere can take this route'


def _listing(values: frozenset[str], shown: int = 8) -> str:
    ordered = sorted(values)
    more = f" and {len(ordered) - shown} more" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more
