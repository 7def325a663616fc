"""Large fleets' per-owner alerts in bounded chunks, and when two chunks can share one test.

:func:`chunks` splits a domain's per-owner alerts into groups of at most
:data:`~.core.CHUNK_OWNERS` owners; :class:`Mentions` computes what a chunk's promtool test depends
on with its owners' names as positions (:mod:`guardiangen.plan.shapes`), so chunks alike but for
their owners share one test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable

from guardiangen.plan import shapes
from guardiangen.plan.model import LABEL_COMPONENT, LABEL_GUARDIAN, LABEL_TEAM, Rule
from guardiangen.plan.rules.core import CHUNK_OWNERS, AlertDef, Domain


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
