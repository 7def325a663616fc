"""Recording and alerting rules, with their promtool unit tests, from the spec and catalog.

One rule group per domain, written to a rules file of the same name: ``node``, ``gpu``,
``specialists``, ``guardians`` and, when the spec has a ``postgres`` block, ``postgres``. Each
group lists its recording rules first, so its alerts read series recorded in the same evaluation.
Large fleets split their per-owner alerts into bounded groups (see :func:`build`).
Every group has a test file of the same name (see :mod:`guardiangen.plan.testgen`).

Alerts follow the monitoring-mixins style: ``<prefix><Name>`` in CamelCase; labels ``severity``,
``team``, ``component``, ``specialist``/``guardian`` plus every ``metadata.alert_labels`` label;
a static ``summary``, a templated ``description`` whose ``$value`` is humanized by the
expression's scale, and ``runbook_url``/``dashboard_url`` annotations. A specialist's or
guardian's ``alert_overrides`` can disable an alert or change its severity and ``for:``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import replace

from guardiangen.catalog import Catalog
from guardiangen.plan import shapes, testgen
from guardiangen.plan.links import runbook_url
from guardiangen.plan.model import (
    LABEL_COMPONENT,
    LABEL_GUARDIAN,
    LABEL_SEVERITY,
    LABEL_TEAM,
    Rule,
    RuleGroup,
    RulesPlan,
    UnitTestFile,
)
from guardiangen.plan.rules_core import CHUNK_OWNERS, AlertDef, Domain, sorted_labels
from guardiangen.spec.models import ClusterSpec


def domains(spec: ClusterSpec, catalog: Catalog) -> tuple[Domain, ...]:
    """Every domain's definitions, in the order their groups are written."""
    from guardiangen.plan import rules_gpu, rules_guardians, rules_infra, rules_specialists

    out = [rules_infra.node(spec, catalog), rules_gpu.build(spec, catalog), rules_specialists.build(spec, catalog)]
    if spec.guardians:  # guardian series only exist where guardians run
        out.append(rules_guardians.build(spec, catalog))
    if spec.postgres is not None:
        out.append(rules_infra.postgres(spec, catalog, spec.postgres))
    return tuple(out)


def alert_rule(spec: ClusterSpec, definition: AlertDef) -> Rule | None:
    """The plan rule of ``definition`` after its owner's overrides; ``None`` if disabled."""
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
        "summary": definition.info.summary,
        "description": definition.description,
        "runbook_url": runbook_url(spec, name),
        "dashboard_url": definition.dashboard_url,
    }
    return Rule(
        expr=definition.expr.text,
        alert=name,
        for_=for_,
        keep_firing_for=definition.keep_firing_for,
        labels=sorted_labels(labels),
        annotations=sorted_labels(annotations),
    )


def owner_key(definition: AlertDef) -> tuple[tuple[str, str], ...]:
    """The owner an alert is about (its identity labels); ``()`` for fleet-wide alerts."""
    return tuple(sorted((k, v) for k, v in definition.labels.items() if k not in (LABEL_TEAM, LABEL_COMPONENT)))


def chunks(
    domain: Domain, alerts: list[tuple[AlertDef, Rule]]
) -> tuple[list[tuple[AlertDef, Rule]], list[list[tuple[AlertDef, Rule]]]]:
    """(fleet-wide alerts, per-owner alerts in chunks of at most :data:`CHUNK_OWNERS` owners, in
    the owners' spec order); no chunks when the domain has no more owners than that. Owners are
    counted before overrides, so a chunk's members match :func:`~.rules_core.chunk_mates`.

    A guardian's alerts about each watched specialist (owners ``guardian`` + ``specialist``) stay in
    one chunk when they fit: a chunk then holds whole guardians, so its rules and the records they
    read about those guardians are the same in every chunk of guardians alike, which lets one test
    stand for them all (:mod:`guardiangen.plan.shapes`). A guardian with more owners than fit in a
    chunk starts chunks of its own."""
    owners: dict[tuple[tuple[str, str], ...], list[tuple[AlertDef, Rule]]] = {}
    for d in domain.alerts:
        if key := owner_key(d):
            owners.setdefault(key, [])
    fleet: list[tuple[AlertDef, Rule]] = []
    for pair in alerts:
        key = owner_key(pair[0])
        (owners[key] if key else fleet).append(pair)
    if len(owners) <= CHUNK_OWNERS:
        return alerts, []
    units: dict[object, list[list[tuple[AlertDef, Rule]]]] = {}
    for key, pairs in owners.items():
        units.setdefault(dict(key).get(LABEL_GUARDIAN, key), []).append(pairs)
    parts: list[list[list[tuple[AlertDef, Rule]]]] = []
    for unit in units.values():
        for i in range(0, len(unit), CHUNK_OWNERS):
            piece = unit[i : i + CHUNK_OWNERS]
            if i == 0 and parts and len(parts[-1]) + len(piece) <= CHUNK_OWNERS:
                parts[-1] += piece
            else:
                parts.append(list(piece))
    return fleet, [[pair for owner in part for pair in owner] for part in parts]


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
    groups: list[RuleGroup] = []
    tests: list[UnitTestFile] = []
    loaded: dict[str, tuple[Rule, ...]] = {}  # rules of each domain group, by file
    for domain in domains(spec, catalog):
        records = [Rule(expr=r.expr.text, record=r.name, labels=sorted_labels(r.labels)) for r in domain.records]
        alerts = [(d, rule) for d in domain.alerts if (rule := alert_rule(spec, d)) is not None]
        fleet, parts = chunks(domain, alerts)
        rules = (*records, *(rule for _, rule in fleet))
        loaded[domain.name] = rules
        groups.append(RuleGroup(name=domain.name, rules=rules, interval=interval, file=domain.name))
        rule_files = (*domain.needs, domain.name)
        tests += testgen.build(domain, fleet, evaluation_interval=interval, rule_files=rule_files)
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
            built = testgen.build(chunk, parts[i], evaluation_interval=interval, rule_files=files, order=files)
            tests += [replace(t, covers=tuple((names[j], names[j]) for j in others)) for t in built]
    return RulesPlan(groups=tuple(groups), tests=tuple(tests))


_DELIMITERS = re.compile(r"[\s\"'{}(),=~!|\[\]<>+*/^%@;`\\]+")


def _tokens(rule: Rule) -> set[str]:
    return set(_DELIMITERS.split(repr(shapes.rule_fields(rule))))


class Mentions:
    """The rules a chunk's test loads besides the chunk's own, indexed for :meth:`chunk_shape`.

    Linear in the fleet: a chunk looks up the loaded rules that name its owners (a token index),
    and which rule names its alerts can read (closed over the records once per name)."""

    def __init__(self, rules: tuple[Rule, ...], owners: set[str]) -> None:
        self.rules = rules
        self.owners = owners  # the names of every owner of the domain
        self.tokens = [_tokens(r) for r in rules]
        self.by_name: dict[str, list[int]] = {}
        self.naming: dict[str, list[int]] = {}  # token -> the loaded rules whose text holds it
        for i, rule in enumerate(rules):
            self.by_name.setdefault(rule.name, []).append(i)
            for token in self.tokens[i]:
                self.naming.setdefault(token, []).append(i)
        self._reads: dict[str, frozenset[str]] = {}

    def _names_read(self, name: str) -> frozenset[str]:
        """The rule names whose results the rules called ``name`` read, that one included (a
        complete closure, cycles and all, memoized per name)."""
        if name not in self._reads:
            out, stack = {name}, [name]
            while stack:
                for i in self.by_name.get(stack.pop(), ()):
                    for token in self.tokens[i]:
                        if token in self.by_name and token not in out:
                            out.add(token)
                            stack.append(token)
            self._reads[name] = frozenset(out)
        return self._reads[name]

    def read_by(self, rules: list[Rule]) -> set[str]:
        """The names of the loaded rules whose results ``rules`` can see: the records they read
        (and the records those read), and alerts of the same names (promtool checks alerts by name)."""
        out: set[str] = set()
        for rule in rules:
            for token in {*_tokens(rule), rule.name}:
                if token in self.by_name:
                    out |= self._names_read(token)
        return out

    def chunk_shapes(self, parts: list[list[tuple[AlertDef, Rule]]]) -> Callable[[int], Hashable]:
        """:meth:`chunk_shape` of ``parts[i]``, as a function of ``i``."""
        return lambda i: self.chunk_shape(parts[i])

    def chunk_shape(self, part: list[tuple[AlertDef, Rule]]) -> Hashable:
        """What a chunk's test depends on, with its owners' names as positions (see
        :mod:`guardiangen.plan.shapes`): its rules, its alerts' scenarios (their input series are
        made from the same definitions) and the loaded rules its alerts can see that name its
        owners. A loaded rule that names other owners too, or a name the token index cannot see
        whole, makes it a shape of its own."""
        names = list(dict.fromkeys(v for d, _ in part for _, v in owner_key(d)))
        if any(_DELIMITERS.search(n) for n in names):
            return ("unique", id(part))
        rules = [r for _, r in part]
        readable = self.read_by(rules)
        own = set(names)
        # Loaded rules naming no owner of this chunk are the same for every chunk; one naming
        # owners of this chunk and of others too would not be renamed consistently.
        seen = sorted({i for n in names for i in self.naming.get(n, ()) if self.rules[i].name in readable})
        if any(t in self.owners and t not in own for i in seen for t in self.tokens[i]):
            return ("unique", id(part))
        scenarios = [
            (
                d.lookback_minutes,
                d.background is None,
                [(s.name, s.value, s.result_labels, s.exact) for s in d.scenarios],
            )
            for d, _ in part
        ]
        loaded = [shapes.rule_fields(self.rules[i]) for i in seen]
        return shapes.shape_key(([shapes.rule_fields(r) for r in rules], scenarios, loaded), names)
