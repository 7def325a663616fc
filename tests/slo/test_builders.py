"""The PromQL builders the SLO rules needed (recorded series over time, label_replace, one bucket)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.lint.rules import lint_rule_file
from guardiangen.promql import Expr, PromQLError
from guardiangen.promql.meta import RATIO


def _recorded(name: str = "slo:all_events:rate5m") -> Expr:
    return q.recorded(name, Expr(name, RATIO, frozenset({"slo"})), q.eq("slo", "x"))


def test_over_time_of_a_recorded_series() -> None:
    assert str(q.over_time("sum", _recorded(), "1h")) == 'sum_over_time(slo:all_events:rate5m{slo="x"}[1h])'


def test_over_time_refuses_other_expressions(catalog: Catalog) -> None:
    requests = q.series(catalog, "specialist_requests_total")
    with pytest.raises(PromQLError, match="recorded"):
        q.over_time("sum", q.sum_by(q.rate(requests, "5m")), "1h")


def test_absent_of_a_recorded_series() -> None:
    assert str(q.absent(_recorded())) == 'absent(slo:all_events:rate5m{slo="x"})'
    assert str(q.absent(_recorded(), "10m")) == 'absent_over_time(slo:all_events:rate5m{slo="x"}[10m])'


def test_label_replace(catalog: Catalog) -> None:
    evaluations = q.rate(q.series(catalog, "guardian_evaluations_total"), "5m")
    e = q.label_replace(evaluations, "specialist_type", "$1", "specialist_id", "(.*)")
    assert "specialist_type" in (e.labels or ())
    assert str(q.sum_by(e, "specialist_type")).startswith("sum by (specialist_type) (label_replace(rate(")
    with pytest.raises(PromQLError, match="no label"):
        q.label_replace(evaluations, "x", "$1", "nope", "(.*)")
    with pytest.raises(PromQLError, match="regex"):
        q.label_replace(evaluations, "x", "$1", "specialist_id", "(")


def test_bucket_rate_matches_both_le_spellings(catalog: Catalog) -> None:
    duration = q.series(catalog, "specialist_request_duration_seconds", q.eq("specialist_type", "code"))
    assert str(q.bucket_rate(duration, 10, "5m")) == (
        'sum(rate(specialist_request_duration_seconds_bucket{specialist_type="code",le=~"10(\\\\.0)?"}[5m]))'
    )
    with pytest.raises(PromQLError, match="not a bucket boundary"):
        q.bucket_rate(duration, 11, "5m")


def test_lint_knows_static_labels_of_recording_rules(catalog: Catalog) -> None:
    rules = """groups:
  - name: g
    rules:
      - record: slo:all_events:rate5m
        expr: sum(rate(specialist_requests_total[5m]))
        labels: {slo: x}
      - record: slo:error_ratio:rate1h
        expr: sum_over_time(slo:all_events:rate5m{slo="x"}[1h])
      - record: slo:error_ratio:rate2h
        expr: sum_over_time(slo:all_events:rate5m{nope="x"}[2h])
"""
    found = lint_rule_file(rules, catalog, path="r.yml")
    assert [d.code for d in found] == ["GG402"] and '"nope"' in found[0].message
    assert replace(found[0], message="").line == 10
