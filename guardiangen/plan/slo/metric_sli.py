"""The SLIs of ``metric_slos``: SLOs on any catalog metric, through the same SLO machinery.

An **events** SLI divides the rate of its bad events by the rate of all events, each a counter (or
a histogram's ``_count``) with its label matchers. A **latency** SLI counts a histogram's
observations above a bucket boundary as bad: all observations minus those in the ``le=threshold``
bucket (which includes its bound, so an observation exactly at the threshold is good).

The SLO id is the entry's name; its owner kind is ``metric`` (the ``component`` label of its alerts),
and it is owned by itself: its alerts and info series carry only ``slo``, ``team`` and
``component``, no specialist or guardian.

The generated tests feed one series per selector, with exactly the selector's labels. When the
all-events selector also matches the bad series (the same counter, narrowed further for the bad
events: ``{route: checkout}`` and ``{route: checkout, status: error}``), the inputs are that bad
series and a good one that differs from it in a label only the bad selector names: the two add up
to all events, as they do in production.
"""

from __future__ import annotations

from collections.abc import Mapping

from guardiangen import promql as q
from guardiangen.catalog import Catalog, MetricType
from guardiangen.generated_labels import LABEL_SLO
from guardiangen.plan.slo.sli import RATE, SloDef, TestCounter, events_rate, le_text, series_text
from guardiangen.promql import Expr
from guardiangen.spec.models import ClusterSpec, EventsSli, LatencySli, MetricSelector, MetricSlo

OWNER_KIND = "metric"


def collect(spec: ClusterSpec, catalog: Catalog) -> tuple[SloDef, ...]:
    """The SLOs of ``spec.metric_slos``, in spec order."""
    return tuple(_slo(s, catalog) for s in spec.metric_slos)


def _slo(s: MetricSlo, catalog: Catalog) -> SloDef:
    if s.events is not None:
        kind, (bad, total, phrase, inputs) = "events", _events_sli(s.events, catalog)
    else:
        assert s.latency is not None  # the model requires one of the two
        kind, (bad, total, phrase, inputs) = "latency", _latency_sli(s.latency, catalog)
    return SloDef(
        id=s.name,
        kind=kind,
        owner_kind=OWNER_KIND,
        owner=s.name,
        spec_path=f"metric_slos[{s.name}]",
        team=s.team,
        common=s,
        bad=bad,
        total=total,
        bad_phrase=phrase,
        counters=lambda go_le: inputs(go_le),
        owner_label=(LABEL_SLO, s.name),
    )


def _matchers(labels: Mapping[str, str]) -> tuple[q.Matcher, ...]:
    return tuple(q.eq(k, v) for k, v in sorted(labels.items()))


def _count(sel: MetricSelector, catalog: Catalog) -> tuple[Expr, str]:
    """Events per second of a selector, and the name of its counter series."""
    s = q.series(catalog, sel.metric, *_matchers(sel.matchers))
    if catalog.get(sel.metric).type is MetricType.HISTOGRAM:
        return events_rate(q.observation_rate(s, RATE)), f"{sel.metric}_count"
    return events_rate(q.sum_by(q.rate(s, RATE))), sel.metric


def _events_sli(sli: EventsSli, catalog: Catalog) -> tuple[Expr, Expr, str, _Counters]:
    bad, bad_series = _count(sli.bad, catalog)
    total, total_series = _count(sli.total, catalog)
    overlap = sli.bad.metric == sli.total.metric and sli.total.matchers.items() <= sli.bad.matchers.items()
    if overlap:
        label = min(set(sli.bad.matchers) - set(sli.total.matchers))  # the spec checks refuse bad == total
        other = "other" if sli.bad.matchers[label] != "other" else "other-value"
        good = {**sli.bad.matchers, label: other}
        counters = (
            TestCounter(series_text(bad_series, sli.bad.matchers), "bad"),
            TestCounter(series_text(bad_series, good), "good"),
        )
    else:
        counters = (
            TestCounter(series_text(total_series, sli.total.matchers), "total"),
            TestCounter(series_text(bad_series, sli.bad.matchers), "bad"),
        )
    phrase = f"of the events were bad: {_selector_text(sli.bad)} of {_selector_text(sli.total)}"
    return bad, total, phrase, _Counters(counters, counters)


def _latency_sli(sli: LatencySli, catalog: Catalog) -> tuple[Expr, Expr, str, _Counters]:
    h = q.series(catalog, sli.metric, *_matchers(sli.matchers))
    total = events_rate(q.observation_rate(h, RATE))
    slow = events_rate(q.sub(total, q.bucket_rate(h, sli.threshold, RATE)))
    count = TestCounter(series_text(f"{sli.metric}_count", sli.matchers), "total")

    def bucket(go_le: bool) -> TestCounter:
        le = le_text(sli.threshold, go_le)
        return TestCounter(series_text(f"{sli.metric}_bucket", {**sli.matchers, "le": le}), "good")

    unit = catalog.get(sli.metric).unit.value
    unit_text = "" if unit == "none" else f" {unit}"
    phrase = f"of {_selector_text(sli)} observations were above {q.format_number(sli.threshold)}{unit_text}"
    return slow, total, phrase, _Counters((count, bucket(False)), (count, bucket(True)))


class _Counters:
    """The test inputs of one SLI, for the Python client's ``le`` spelling and for Go's."""

    def __init__(self, python: tuple[TestCounter, ...], go: tuple[TestCounter, ...]) -> None:
        self.python, self.go = python, go

    def __call__(self, go_le: bool) -> tuple[TestCounter, ...]:
        return self.go if go_le else self.python


def _selector_text(sel: MetricSelector | LatencySli) -> str:
    """``metric (a=x, b=y)``: no braces, as the text lands in Go templates."""
    inner = ", ".join(f"{k}={v}" for k, v in sorted(sel.matchers.items()))
    return f"{sel.metric} ({inner})" if inner else sel.metric
