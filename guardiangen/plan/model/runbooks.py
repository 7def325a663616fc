"""The runbook pages: one per generated alert name, with a section per rule of that name.

Everything a page says is decided in :mod:`guardiangen.plan.runbooks` from the spec and the rest of
the plan (the rules, the SLOs, the routing); the runbooks target only spells it in Markdown through
the ``templates/runbooks`` templates, and links each section to the dashboard panels that draw what
the alert reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardiangen.plan.model.rules import Labels


@dataclass(frozen=True)
class SpecSetting:
    """A field of ``cluster.yaml`` that decides how an alert behaves, with its value in this spec."""

    path: str  # e.g. "specialists[code].thresholds.quality_mean_min" (a list item by its name)
    value: str  # the value as YAML spells it, or "not set"


@dataclass(frozen=True)
class Query:
    """A PromQL query to run first when the alert fires, with this rule's selectors filled in."""

    title: str
    promql: str


@dataclass(frozen=True)
class RecordedInput:
    """A recording rule an alert reads, directly or through another recording rule."""

    record: str
    labels: Labels  # the rule's own static labels (an SLO's recorded series carry ``slo``)
    expr: str
    group: str  # the rule group it is evaluated in
    file: str  # its rules file, without extension


@dataclass(frozen=True)
class Inhibition:
    """An inhibition rule that mutes this alert: while ``source`` fires with the same ``equal`` labels."""

    source: Labels
    equal: tuple[str, ...]


@dataclass(frozen=True)
class RunbookSection:
    """One rule of the alert: one owner (a specialist, a guardian, an SLO, the GPU fleet ...)."""

    anchor: str  # the section's Markdown anchor, unique on the page
    owner: str  # who it is about, e.g. "specialist code", "SLO code-latency", "the GPU fleet"
    labels: Labels  # the alert's labels as Prometheus sends them to Alertmanager
    severity: str
    for_: str | None
    keep_firing_for: str | None
    expr: str  # the alert's exact expression
    value: str  # the alert's expression without its comparison: the value it compares
    description: str  # the description annotation (a Go template over $value and $labels)
    meaning: str  # the description with this rule's labels filled in and $value named
    dashboard_url: str
    settings: tuple[SpecSetting, ...]  # the fields that set its threshold, severity and `for:`
    settings_yaml: str  # those fields as the lines of cluster.yaml that hold them ("" for none)
    reads: tuple[RecordedInput, ...]  # recording rules it reads, in reading order
    queries: tuple[Query, ...]
    receivers: tuple[str, ...]  # who is notified, in order
    muted_during: tuple[str, ...]  # quiet hours of the routes that deliver it
    inhibited_by: tuple[Inhibition, ...]
    # What the alert reads, for finding the dashboard panels that draw it: the series names of its
    # expression, then those of the catalog metrics under it; and its equality matchers.
    direct_series: tuple[str, ...]
    source_series: tuple[str, ...]
    matchers: Labels


@dataclass(frozen=True)
class RunbookPage:
    alert: str  # the alert name, with the spec's prefix
    file: str  # the page's file name in the runbooks directory, e.g. "llmguardiangpuxiderrors.md"
    url: str  # the alert's runbook_url (from ``defaults.runbook_url_pattern``)
    summary: str
    threshold: str  # where the threshold comes from, in words with spec paths
    tuning: str  # how to change the alert in cluster.yaml, in words
    sections: tuple[RunbookSection, ...]


@dataclass(frozen=True)
class RunbooksPlan:
    pages: tuple[RunbookPage, ...]  # sorted by alert name
    cluster: str  # metadata.name
