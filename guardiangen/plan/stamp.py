"""The multi-cluster label: ``output.cluster_label`` with ``metadata.name`` on every generated rule.

It is rule content, not envelope: the rule builders add it to each rule they build (component
rules in :mod:`.rules`, SLO rules in :mod:`.slo.rules`), so the rule files, their promtool tests
and every profile carry it alike. The test generators follow Prometheus' own semantics: a firing
alert carries its rule's labels (so expected alerts, made from those labels, have it), and a
recorded series carries its rule's static labels, so the expected samples of recorded series get
it too. The generated expression tests only read recorded series, never aggregating the label
away, which is why every expected sample has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from guardiangen.plan.model import Labels, Rule
from guardiangen.spec.models import ClusterSpec

Stamp = Labels  # () when no cluster label is set, else ((label, cluster name),)


def stamp_of(spec: ClusterSpec) -> Stamp:
    label = spec.output.cluster_label
    return () if label is None else ((label, spec.metadata.name),)


def stamped(labels: Labels | Mapping[str, str], stamp: Stamp, where: str) -> Labels:
    """``labels`` with the stamp, sorted; a rule that already sets the label otherwise is a bug
    (validation refuses a spec whose ``metadata.alert_labels`` would do that)."""
    current = dict(labels)
    for name, value in stamp:
        if current.get(name, value) != value:
            raise ValueError(f'{where} already sets {name}="{current[name]}"; cluster_label would set "{value}"')
        current[name] = value
    return tuple(sorted(current.items()))


def stamped_rule(rule: Rule, stamp: Stamp) -> Rule:
    return replace(rule, labels=stamped(rule.labels, stamp, f"rule {rule.name}")) if stamp else rule
