"""The SLOs as the dashboards need them; their rules are in the rules plan."""

from __future__ import annotations

from dataclasses import dataclass

from guardiangen.plan.model.rules import Labels


@dataclass(frozen=True)
class SloWindowSeries:
    window: str  # e.g. "1h"
    error_ratio: str  # recorded series name of the error ratio over this window


@dataclass(frozen=True)
class SloPlan:
    """One SLO as dashboards and routing need it; the rules themselves are in the rules plan."""

    id: str  # unique, e.g. "code-availability"
    kind: str  # availability | latency | quality | coverage
    owner_kind: str  # specialist | guardian | metric (a metric_slos entry)
    owner: str  # spec name of the specialist or guardian
    spec_path: str  # where the SLO is in the spec, e.g. "specialists[code].slos.latency"
    team: str
    objective: str  # exact ratio text, e.g. "0.999"
    error_budget: str  # exact ratio text, e.g. "0.001"
    period: str
    selector: Labels  # identity labels selecting this SLO's recorded series
    windows: tuple[SloWindowSeries, ...]
    burn_rate: str  # recorded series name of the burn rate (label `window` tells which)
    budget_remaining: str  # recorded series name of the remaining error budget over the period
    info: str  # recorded series name of the *_slo_info metadata series
