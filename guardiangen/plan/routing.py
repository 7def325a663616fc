"""The routing part of the alerting plan: the route tree, the inhibition rules and the routing table.

:mod:`guardiangen.plan.alerting` calls these and adds receivers, quiet hours and the global section.

The spec's `alerting.routes` are read two independent ways on purpose:

* :func:`route_tree` expands them into the shape Alertmanager needs (one child route per receiver);
* :func:`expected_receivers` evaluates the spec's documented meaning directly ("routes in order; a
  matching route delivers to every one of its receivers; stop unless `continue_matching`; nothing
  matched -> `default_receiver`").

The routing table is computed with the evaluator and checked against the rendered tree by amtool in
the tests, so a mistake in the expansion cannot hide behind the same mistake in the expectation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from guardiangen.catalog import GpuProfile
from guardiangen.generated_labels import IDENTITY_LABELS, SEVERITIES
from guardiangen.plan.model import (
    LABEL_BURN_TIER,
    LABEL_COMPONENT,
    LABEL_GUARDIAN,
    LABEL_SEVERITY,
    LABEL_SLO,
    LABEL_SPECIALIST,
    LABEL_TEAM,
    ChildRoute,
    InhibitRule,
    Labels,
    RouteTree,
    RoutingRow,
    RulesPlan,
)
from guardiangen.spec.models import Alerting, ClusterSpec, Route

# Labels of a generated alert that say where it goes; alertname and the like only make rows unique.
ROUTING_LABELS = IDENTITY_LABELS
BURN_PAGE, BURN_TICKET = "page", "ticket"


def _distinct(names: Iterable[str]) -> tuple[str, ...]:
    # A receiver listed twice in one route would get every alert twice; the spec means a set.
    return tuple(dict.fromkeys(names))


def route_tree(alerting: Alerting) -> RouteTree:
    """The Alertmanager route tree of the spec's routes.

    A route with receivers ``[a, b, c]`` becomes three children with identical matchers: ``a`` and
    ``b`` carry ``continue: true`` so evaluation reaches the next sibling, which matches the same
    alert again; ``c`` carries the route's own `continue_matching`. So every receiver gets the
    alert, and later spec routes are only tried when the spec route itself says so.
    """
    children: list[ChildRoute] = []
    for route in alerting.routes:
        receivers = _distinct(route.receivers)
        matchers = tuple(sorted(route.match_labels.items()))
        for n, receiver in enumerate(receivers):
            last = n == len(receivers) - 1
            children.append(
                ChildRoute(
                    matchers=matchers,
                    receiver=receiver,
                    continue_=route.continue_matching if last else True,
                    mute_time_intervals=tuple(route.mute_during),
                    group_by=None if route.group_by is None else tuple(route.group_by),
                    repeat_interval=None if route.repeat_interval is None else str(route.repeat_interval),
                )
            )
    return RouteTree(
        receiver=alerting.default_receiver,
        group_by=tuple(alerting.group_by),
        group_wait=str(alerting.group_wait),
        group_interval=str(alerting.group_interval),
        repeat_interval=str(alerting.repeat_interval),
        routes=tuple(children),
    )


def matching_routes(alerting: Alerting, labels: Mapping[str, str]) -> tuple[Route, ...]:
    """The spec routes an alert with ``labels`` takes, in order: each matching one until one that
    does not continue (none: the alert goes to `default_receiver`)."""
    out: list[Route] = []
    for route in alerting.routes:
        # Spec values are non-empty, so a missing label never matches (as in Alertmanager).
        if all(labels.get(name) == value for name, value in route.match_labels.items()):
            out.append(route)
            if not route.continue_matching:
                break
    return tuple(out)


def expected_receivers(alerting: Alerting, labels: Mapping[str, str]) -> tuple[str, ...]:
    """Receivers an alert with ``labels`` reaches, in order, by the spec's own routing semantics."""
    out = [r for route in matching_routes(alerting, labels) for r in _distinct(route.receivers)]
    return tuple(out) if out else (alerting.default_receiver,)


# Prometheus' target label: the host of every scraped series, GPU exporters' included.
INSTANCE = "instance"


def identity_labels(gpu: GpuProfile) -> tuple[str, ...]:
    """Labels telling two firings of one alert apart beyond specialist/guardian/SLO: host and GPU."""
    return _distinct((INSTANCE, gpu.host_label, gpu.gpu_label))


def inhibit_rules(spec: ClusterSpec, identity_labels: Iterable[str] = ()) -> tuple[InhibitRule, ...]:
    """The spec's inhibition policy as source/target/equal rules.

    ``identity_labels`` name labels that tell two firings of one alert apart (host, GPU ...). In
    Alertmanager a label missing on both alerts counts as equal, so adding identity labels to
    `equal` only narrows a rule: a critical GPU alert on one host never mutes the warning of
    another host, and a page burn of one SLO never mutes a ticket of another (`slo` is listed).
    """
    cluster = tuple(sorted(spec.metadata.alert_labels))
    rules: list[InhibitRule] = []
    if spec.alerting.inhibition.critical_suppresses_warning:
        equal = ("alertname", *cluster, LABEL_SPECIALIST, LABEL_GUARDIAN, LABEL_SLO, *identity_labels)
        rules.append(
            InhibitRule(
                source=((LABEL_SEVERITY, "critical"),), target=((LABEL_SEVERITY, "warning"),), equal=_distinct(equal)
            )
        )
    if spec.alerting.inhibition.faster_burn_suppresses_slower:
        rules.append(
            InhibitRule(
                source=((LABEL_BURN_TIER, BURN_PAGE),),
                target=((LABEL_BURN_TIER, BURN_TICKET),),
                equal=_distinct((LABEL_SLO, *cluster)),
            )
        )
    return tuple(rules)


# ------------------------------------------------------------------------------ routing table


def routing_table(spec: ClusterSpec, rules: RulesPlan) -> tuple[RoutingRow, ...]:
    """Label sets of every generated alert plus spec-derived ones, with their expected receivers.

    Rows from the plan's alerts keep only the labels routing can depend on, so alerts that route
    alike share a row (its `sources` list them). Spec-derived rows (each route's own labels, each
    owner's team x severity, the bare cluster labels) keep the table meaningful before any alert
    exists. Sorted by labels; duplicates merged.
    """
    base = dict(spec.metadata.alert_labels)
    keys = set(ROUTING_LABELS) | set(base)
    for route in spec.alerting.routes:
        keys |= set(route.match_labels)

    found: dict[Labels, set[str]] = {}

    def add(labels: Mapping[str, str], source: str) -> None:
        found.setdefault(tuple(sorted(labels.items())), set()).add(source)

    for rule in rules.alerts():
        labels = {**base, **dict(rule.labels)}
        # A templated value ({{ $labels.x }}) is only known at evaluation time; it cannot be routed on.
        add({k: v for k, v in labels.items() if k in keys and "{{" not in v}, f"alert {rule.alert}")
    add(base, "no route matches")
    for i, route in enumerate(spec.alerting.routes, start=1):
        add({**base, **route.match_labels}, f"route {i}")
    owners: list[tuple[str, dict[str, str]]] = []
    for s in spec.specialists:
        owners.append(
            (f"specialist {s.name}", {LABEL_TEAM: s.team, LABEL_COMPONENT: "specialist", LABEL_SPECIALIST: s.name})
        )
    for g in spec.guardians:
        owners.append((f"guardian {g.name}", {LABEL_TEAM: g.team, LABEL_COMPONENT: "guardian", LABEL_GUARDIAN: g.name}))
    if spec.postgres is not None:
        owners.append(("postgres", {LABEL_TEAM: spec.postgres.team, LABEL_COMPONENT: "postgres"}))
    for source, owner in owners:
        for severity in SEVERITIES:
            add({**base, **owner, LABEL_SEVERITY: severity}, f"{source} {severity}")

    return tuple(
        RoutingRow(labels=labels, receivers=expected_receivers(spec.alerting, dict(labels)), sources=tuple(sorted(src)))
        for labels, src in sorted(found.items())
    )
