"""Recording and alerting rules, with their promtool unit tests, from the spec and catalog.

One rule group per domain, written to a rules file of the same name: ``node``, ``gpu``,
``specialists``, ``guardians`` and, when the spec has a ``postgres`` block, ``postgres``. Each
group lists its recording rules first, so its alerts read series recorded in the same evaluation.
Large fleets split their per-owner alerts into bounded groups (see :func:`build`).
Every group has a test file of the same name (see :mod:`guardiangen.plan.rules.testgen`).

Alerts follow the monitoring-mixins style: ``<prefix><Name>`` in CamelCase; labels ``severity``,
``team``, ``component``, ``specialist``/``guardian`` plus every ``metadata.alert_labels`` label;
a static ``summary``, a templated ``description`` whose ``$value`` is humanized by the
expression's scale, and ``runbook_url``/``dashboard_url`` annotations. A specialist's or
guardian's ``alert_overrides`` can disable an alert or change its severity and ``for:``.
"""

from __future__ import annotations

from dataclasses import replace

from guardiangen.catalog import Catalog
from guardiangen.plan import shapes
from guardiangen.plan.links import runbook_url
from guardiangen.plan.model import (
    LABEL_SEVERITY,
    Rule,
    RuleGroup,
    RulesPlan,
    UnitTestFile,
)
from guardiangen.plan.rules import testgen
from guardiangen.plan.rules.chunks import Mentions, chunks, owner_key
from guardiangen.plan.rules.core import AlertDef, Domain, sorted_labels
from guardiangen.plan.stamp import Stamp, stamp_of, stamped
from guardiangen.spec.models import ClusterSpec


def domains(spec: ClusterSpec, catalog: Catalog) -> tuple[Domain, ...]:
    """Every domain's definitions, in the order their groups are written."""
    from guardiangen.plan.rules import engines as rules_engines
    from guardiangen.plan.rules import gpu as rules_gpu
    from guardiangen.plan.rules import guardians as rules_guardians
    from guardiangen.plan.rules import infra as rules_infra
    from guardiangen.plan.rules import specialists as rules_specialists

    out = [rules_infra.node(spec, catalog), rules_gpu.build(spec, catalog), rules_specialists.build(spec, catalog)]
    if spec.guardians:  # guardian series only exist where guardians run
        out.append(rules_guardians.build(spec, catalog))
    if spec.postgres is not None:
        out.append(rules_infra.postgres(spec, catalog, spec.postgres))
    if any(s.engine is not None for s in spec.specialists):  # engine series only exist where engines run
        out.append(rules_engines.build(spec, catalog))
    if spec.metric_alerts:  # threshold alerts on user-chosen metrics
        from guardiangen.plan.rules import metrics as rules_metrics

        out.append(rules_metrics.build(spec, catalog))
    return tuple(out)


def alert_rule(spec: ClusterSpec, definition: AlertDef, stamp: Stamp = ()) -> Rule | None:
    """The plan rule of ``definition`` after its owner's overrides (``None`` if disabled), with the
    cluster label's ``stamp``."""
    severity, for_ = definition.severity, definition.for_
    for override in definition.overrides:
        if override.alert != definition.name:
            continue
        if not override.enabled:
            return None
        severity = override.severity.value if override.severity is not None else severity
        for_ = str(override.for_duration) if override.for_duration is not None else for_
    name = spec.defaults.alert_name_prefix + definition.name
    # Identity labels win over metadata.alert_labels: routing on `team` must see the owner's team.
    labels = {**spec.metadata.alert_labels, **definition.labels, LABEL_SEVERITY: severity}
    annotations = {
        "summary": definition.summary_text,
        "description": definition.description,
        "runbook_url": runbook_url(spec.defaults.runbook_url_pattern, name),
        "dashboard_url": definition.dashboard_url,
    }
    return Rule(
        expr=definition.expr.text,
        alert=name,
        for_=for_,
        keep_firing_for=definition.keep_firing_for,
        labels=stamped(labels, stamp, f"rule {name}"),
        annotations=sorted_labels(annotations),
    )


def build(spec: ClusterSpec, catalog: Catalog) -> RulesPlan:
    """The component rules plan: rule groups and their promtool test files.

    A domain with more than :data:`CHUNK_OWNERS` owners (specialists, guardians, GPU nodes) keeps
    its recording rules and fleet-wide alerts in the ``<domain>`` group and file, and writes its
    per-owner alerts to groups ``<domain>-001``, ``<domain>-002``... of at most that many owners,
    one rules file and one test file each. Prometheus evaluates a group's rules one after another
    and skips an evaluation that overruns the interval, so a group must stay small whatever the
    fleet size; groups run concurrently. A chunk's alerts read the domain group's recorded series:
    across groups Prometheus sees the latest evaluation, at most one interval old, which the
    alerts' ``for:`` and range windows absorb (their tests order the groups: ``group_eval_order``).
    The test files stay linear too: a chunk's test loads only its own alerts, so the background
    inputs that keep same-named alerts of other owners silent only cover the chunk's owners.
    """
    interval = str(spec.defaults.rule_evaluation_interval)  # plain text for the serializers
    stamp = stamp_of(spec)  # the cluster label, on every rule
    groups: list[RuleGroup] = []
    tests: list[UnitTestFile] = []
    loaded: dict[str, tuple[Rule, ...]] = {}  # rules of each domain group, by file
    for domain in domains(spec, catalog):
        records = [
            Rule(expr=r.expr.text, record=r.name, labels=stamped(r.labels, stamp, f"rule {r.name}"))
            for r in domain.records
        ]
        alerts = [(d, rule) for d in domain.alerts if (rule := alert_rule(spec, d, stamp)) is not None]
        fleet, parts = chunks(domain, alerts)
        rules = (*records, *(rule for _, rule in fleet))
        loaded[domain.name] = rules
        groups.append(RuleGroup(name=domain.name, rules=rules, interval=interval, file=domain.name))
        rule_files = (*domain.needs, domain.name)
        tests += testgen.build(domain, fleet, evaluation_interval=interval, rule_files=rule_files, stamp=stamp)
        names = [f"{domain.name}-{i:03d}" for i in range(1, len(parts) + 1)]
        for name, part in zip(names, parts, strict=True):
            groups.append(RuleGroup(name=name, rules=tuple(r for _, r in part), interval=interval, file=name))
        # A chunk's test also loads the domain group (and the groups it needs): the rules there that
        # name the chunk's owners are part of what its test depends on.
        owners = {v for part in parts for d, _ in part for _, v in owner_key(d)}
        shared = Mentions(tuple(r for f in rule_files for r in loaded[f]), owners)
        for i, others in shapes.representatives(range(len(parts)), shared.chunk_shapes(parts)):
            chunk = replace(domain, name=names[i], fixture=None)
            files = (*rule_files, names[i])
            built = testgen.build(
                chunk, parts[i], evaluation_interval=interval, rule_files=files, order=files, stamp=stamp
            )
            tests += [replace(t, covers=tuple((names[j], names[j]) for j in others)) for t in built]
    return RulesPlan(groups=tuple(groups), tests=tuple(tests))
