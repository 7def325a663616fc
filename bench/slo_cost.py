"""Evaluation cost of the SLO rules, counted from the generated rule expressions.

Run: .venv/bin/python bench/slo_cost.py [--series-per-slo N]

For the reference spec and for a 100-SLO spec generated from it, every SLO rule expression is
parsed and each selector counted: a raw counter selector reads N series per matched specialist
(its label combinations: instances, status, quality tier, complexity ...), a recorded ``slo:``
series reads 1. Samples read per evaluation = series x range / sample interval (raw: the scrape
interval; recorded: the short group's interval, at which the 5m rates are recorded). The
"raw-counter" columns count the shape Sloth and Pyrra generate: every window computed as
``sum(rate(bad[W])) / sum(rate(total[W]))`` straight from the counters (2 selectors x N series
over W), at the same group intervals. Analytic counts, not a load test: Prometheus' real cost
also depends on chunk encoding and caching, but samples decoded is what grows with the window.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser as pp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guardiangen import pipeline  # noqa: E402
from guardiangen.plan import slo  # noqa: E402
from guardiangen.plan.model import RuleGroup  # noqa: E402
from guardiangen.plan.slo.burnrate import windows  # noqa: E402
from guardiangen.spec.catalog import catalog_for  # noqa: E402
from guardiangen.spec.models import ClusterSpec, SpecialistSlos  # noqa: E402
from guardiangen.spec.types import parse_duration_ms  # noqa: E402


@dataclass
class Cost:
    series: int = 0  # series read per evaluation
    samples: int = 0  # samples read per evaluation

    def add(self, series: int, samples: int) -> None:
        self.series += series
        self.samples += samples


def hundred_slo_spec(reference: ClusterSpec) -> ClusterSpec:
    """The reference spec plus 30 copies of its `code` specialist (3 SLOs each): 100 SLOs."""
    code = reference.specialists[0]
    full = SpecialistSlos(availability=code.slos.availability, latency=code.slos.latency, quality=code.slos.quality)
    clones = [code.model_copy(update={"name": f"svc-{i:02d}", "slos": full}) for i in range(30)]
    return reference.model_copy(update={"specialists": [*reference.specialists, *clones]})


def _selectors(node: Any, range_ms: int = 0) -> list[tuple[str, int, int]]:
    """(metric name, range in ms (0: instant), matched specialist values) of every selector."""
    if isinstance(node, pp.MatrixSelector):
        return _selectors(node.vector_selector, int(node.range.total_seconds() * 1000))
    if isinstance(node, pp.VectorSelector):
        values = 1
        for m in node.matchers.matchers:
            if m.name in ("specialist_type", "specialist_id") and m.op == pp.MatchOp.Re:
                values = len(m.value.split("|"))
        return [(node.name, range_ms, values)]
    out: list[tuple[str, int, int]] = []
    for attr in ("expr", "lhs", "rhs"):
        child = getattr(node, attr, None)
        if child is not None and not isinstance(child, str | int | float):
            out += _selectors(child)
    for arg in getattr(node, "args", None) or ():
        out += _selectors(arg)
    return out


FIXED = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
DERIVED = "burn rates, budget, info"


def _window(rule_name: str, labels: dict[str, str]) -> str:
    """The row a recording rule's cost goes to: its window, the period, or the derived series."""
    if rule_name in ("slo:all_events:rate5m", "slo:bad_events:rate5m"):
        return "5m"
    if rule_name.startswith("slo:error_ratio:rate") and "window" not in labels:
        w = rule_name.removeprefix("slo:error_ratio:rate")
        return w if w in FIXED else "period"
    return DERIVED


def measure(spec: ClusterSpec, n: int) -> tuple[dict[str, Cost], int, int, int]:
    """Cost per row for all SLOs of ``spec``, plus SLO, recording and alerting rule counts."""
    plans, rules = slo.build(spec, catalog_for(spec))
    scrape_ms = spec.defaults.scrape_interval.ms
    short_ms = spec.defaults.rule_evaluation_interval.ms
    costs: dict[str, Cost] = defaultdict(Cost)
    records = alerts = 0
    group: RuleGroup
    for group in rules.groups:
        for rule in group.rules:
            records, alerts = records + bool(rule.record), alerts + bool(rule.alert)
            key = _window(rule.name, dict(rule.labels)) if rule.record else "alerts"
            for name, range_ms, values in _selectors(pp.parse(rule.expr)):
                raw = ":" not in name
                series = n * values if raw else 1
                samples = series * (range_ms // (scrape_ms if raw else short_ms) if range_ms else 1)
                costs[key].add(series, samples)
    return costs, len(plans), records, alerts


def raw_shape(spec: ClusterSpec, n: int) -> dict[str, Cost]:
    """Every window's ratio computed from raw counters, as Sloth and Pyrra record them:
    ``sum(rate(bad[W])) / sum(rate(total[W]))``, 2 selectors x N series over W."""
    plans, _ = slo.build(spec, catalog_for(spec))
    scrape_ms = spec.defaults.scrape_interval.ms
    costs: dict[str, Cost] = defaultdict(Cost)
    for p in plans:
        values = 4 if p.kind == "coverage" else 1  # the reference coverage SLO watches 4 specialists
        for w in windows(p.period):
            series = 2 * n * values
            costs[w if w in FIXED else "period"].add(series, series * (parse_duration_ms(w) // scrape_ms))
    return costs


def table(spec: ClusterSpec, n: int, title: str) -> str:
    ours, count, records, alerts = measure(spec, n)
    raw = raw_shape(spec, n)
    # Burn rates, budget, info and alerts read recorded ratios in both shapes: the same cost.
    for key in (DERIVED, "alerts"):
        raw[key] = ours[key]
    lines = [
        f"### {title}: {count} SLOs, {records / count:.1f} recording and {alerts / count:.1f} alerting rules per SLO",
        "",
        f"N = {n} raw series per counter selector and specialist; scrape interval {spec.defaults.scrape_interval}, "
        f"5m rates recorded every {spec.defaults.rule_evaluation_interval}. Per evaluation of every SLO's rule:",
        "",
        "| window | series read: guardiangen | raw counters | samples read: guardiangen | raw counters | raw / ours |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    total_ours, total_raw = Cost(), Cost()
    for key in (*FIXED, "period", DERIVED, "alerts"):
        o, r = ours.get(key, Cost()), raw.get(key, Cost())
        lines.append(f"| {key} | {o.series:,} | {r.series:,} | {o.samples:,} | {r.samples:,} | {_x(r, o)} |")
        total_ours.add(o.series, o.samples)
        total_raw.add(r.series, r.samples)
    lines.append(
        f"| **all** | {total_ours.series:,} | {total_raw.series:,} | {total_ours.samples:,} "
        f"| {total_raw.samples:,} | {_x(total_raw, total_ours)} |"
    )
    return "\n".join(lines)


def _x(raw: Cost, ours: Cost) -> str:
    return f"{raw.samples / ours.samples:,.1f}x" if ours.samples else "-"


def sensitivity(spec: ClusterSpec, ns: tuple[int, ...]) -> str:
    """Samples read per evaluation of all rules, for several N: the gap grows with cardinality."""
    lines = ["| N | samples read: guardiangen | raw counters | raw / ours |", "|---:|---:|---:|---:|"]
    for n in ns:
        ours, raw = measure(spec, n)[0], raw_shape(spec, n)
        for key in (DERIVED, "alerts"):
            raw[key] = ours[key]
        o, r = Cost(), Cost()
        for c in ours.values():
            o.add(c.series, c.samples)
        for c in raw.values():
            r.add(c.series, c.samples)
        lines.append(f"| {n} | {o.samples:,} | {r.samples:,} | {_x(r, o)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series-per-slo", type=int, default=20, help="raw series per counter selector (N)")
    args = parser.parse_args()
    result = pipeline.validate(str(ROOT / "specs" / "cluster.yaml"))
    assert result.spec is not None
    hundred = hundred_slo_spec(result.spec)
    print(table(result.spec, args.series_per_slo, "Reference spec"))
    print()
    print(table(hundred, args.series_per_slo, "Generated spec"))
    print()
    print(f"### {len(slo.build(hundred, catalog_for(hundred))[0])} SLOs, all rules, by N")
    print()
    print(sensitivity(hundred, (1, 5, 20, 100)))


if __name__ == "__main__":
    main()
