"""Expression builders: legal uses give exact, parseable, lint-clean PromQL; illegal uses raise."""

from __future__ import annotations

from decimal import Decimal

import promql_parser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from guardiangen import promql as q
from guardiangen.catalog import Catalog, Scale, Unit, build_catalog
from guardiangen.promql import Expr, PromQLError
from guardiangen.promql.meta import Meta
from guardiangen.promql.text import go_float

BY = ("specialist_type",)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return build_catalog(postgres_enabled=True)


def _parses(e: Expr) -> promql_parser.Expr:
    return q.parse(str(e))


# ---- label values and text ----


@given(st.text().filter(lambda s: "\ufffd" not in s))
def test_label_values_round_trip_through_the_parser(value: str) -> None:
    cat = build_catalog()
    e = q.value(q.series(cat, "specialist_tokens_per_second", q.eq("specialist_type", value)))
    ast = promql_parser.parse(str(e))
    (matcher,) = ast.matchers.matchers
    assert (matcher.name, matcher.value) == ("specialist_type", value)


def test_escaping_of_the_three_specials(cat: Catalog) -> None:
    e = q.value(q.series(cat, "up", q.eq("job", 'a\\b"c\nd')))
    assert str(e) == 'up{job="a\\\\b\\"c\\nd"}'
    assert str(q.eq("job", "\x00\t\u2028")) == 'job="\\x00\\t\u2028"'
    with pytest.raises(PromQLError, match="U\\+FFFD"):
        q.eq("job", "bad\ufffd")


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("99.90"), "99.9"), (0.1, "0.1"), (100, "100"), ("0.0010", "0.001"), (1e-7, "0.0000001"), (-3, "-3")],
)
def test_numbers_are_exact(value: Decimal | float | int | str, text: str) -> None:
    assert str(q.number(value)) == text


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", True])
def test_numbers_must_be_finite(bad: float | str | bool) -> None:
    with pytest.raises(PromQLError):
        q.number(bad)


@pytest.mark.parametrize("good", ["5m", "1h30m", "30s", "250ms", "$__rate_interval", "$__range"])
def test_windows(good: str) -> None:
    assert q.window(good) == good


@pytest.mark.parametrize("bad", ["", "5", "5x", "0m", "m5", "$rate", "5m "])
def test_bad_windows(bad: str) -> None:
    with pytest.raises(PromQLError, match="invalid range"):
        q.window(bad)


@pytest.mark.parametrize(
    ("bound", "go", "pattern"),
    [(10.0, "10", r"10(\.0)?"), (0.5, "0.5", r"0\.5"), (1e6, "1e+06", r"1e\+06"), (32000.0, "32000", r"32000(\.0)?"),
     (1234567.0, "1.234567e+06", r"1\.234567e\+06"), (1e-5, "1e-05", "1e-05")],
)  # fmt: skip
def test_le_patterns_cover_prometheus_2_and_3_spellings(bound: float, go: str, pattern: str) -> None:
    assert go_float(bound) == go
    assert q.le_pattern(bound) == pattern


# ---- series and matchers ----


def test_unknown_metric_suggests(cat: Catalog) -> None:
    with pytest.raises(PromQLError, match='did you mean "specialist_requests_total"'):
        q.series(cat, "specialist_request_total")


def test_matchers_must_use_the_metrics_labels(cat: Catalog) -> None:
    with pytest.raises(PromQLError, match='no label "specialist"'):
        q.series(cat, "specialist_requests_total", q.eq("specialist", "code"))
    assert q.series(cat, "up", q.eq("job", "node"), q.regex("instance", "gpu-.*")).selector == (
        'up{job="node",instance=~"gpu-.*"}'
    )


def test_le_and_name_matchers_are_refused(cat: Catalog) -> None:
    with pytest.raises(PromQLError, match="Prometheus 3"):
        q.series(cat, "specialist_quality_score_bucket", q.eq("le", "0.7"))
    with pytest.raises(PromQLError, match="invalid label name"):
        q.eq("__name__", "x")
    with pytest.raises(PromQLError, match="invalid regex"):
        q.regex("job", "(")


# ---- metric types ----


def test_gauges_directly_counters_and_histograms_not(cat: Catalog) -> None:
    assert str(q.value(q.series(cat, "node_load1"))) == "node_load1"
    with pytest.raises(PromQLError, match="is a counter"):
        q.value(q.series(cat, "specialist_requests_total"))
    with pytest.raises(PromQLError, match="is a histogram"):
        q.value(q.series(cat, "specialist_quality_score"))
    with pytest.raises(PromQLError, match="is a counter"):
        q.value(q.series(cat, "specialist_quality_score_count"))


def test_rate_only_on_counters(cat: Catalog) -> None:
    r = q.rate(q.series(cat, "specialist_requests_total", q.eq("status", "error")), "5m")
    assert str(r) == 'rate(specialist_requests_total{status="error"}[5m])'
    assert r.meta == Meta(Scale.ABSOLUTE, Unit.REQUESTS, per_second=True)
    assert str(q.increase(q.series(cat, "specialist_quality_score_sum"), "1h")) == (
        "increase(specialist_quality_score_sum[1h])"
    )
    with pytest.raises(PromQLError, match="needs a counter"):
        q.rate(q.series(cat, "specialist_tokens_per_second"), "5m")
    with pytest.raises(PromQLError, match="last XID"):
        q.rate(q.series(cat, "DCGM_FI_DEV_XID_ERRORS"), "5m")
    with pytest.raises(PromQLError, match="is a histogram"):
        q.irate(q.series(cat, "specialist_quality_score"), "5m")
    with pytest.raises(PromQLError, match="invalid range"):
        q.rate(q.series(cat, "specialist_requests_total"), "5")


def test_gauge_range_functions_refuse_counters(cat: Catalog) -> None:
    xid = q.series(cat, "DCGM_FI_DEV_XID_ERRORS")
    assert str(q.changes(xid, "10m")) == "changes(DCGM_FI_DEV_XID_ERRORS[10m])"
    util = q.series(cat, "specialist_gpu_utilization_percent")
    e = q.over_time("avg", util, "$__rate_interval")
    assert (str(e), e.scale) == ("avg_over_time(specialist_gpu_utilization_percent[$__rate_interval])", Scale.PERCENT)
    counter = q.series(cat, "specialist_requests_total")
    for build in (
        lambda: q.over_time("max", counter, "5m"),
        lambda: q.changes(counter, "5m"),
        lambda: q.delta(counter, "5m"),
        lambda: q.deriv(counter, "5m"),
    ):
        with pytest.raises(PromQLError, match="is a counter"):
            build()


def test_absent_of_a_histogram_uses_count(cat: Catalog) -> None:
    assert str(q.absent(q.series(cat, "specialist_quality_score", q.eq("specialist_type", "code")))) == (
        'absent(specialist_quality_score_count{specialist_type="code"})'
    )


# ---- aggregation ----


def test_aggregations_refuse_high_cardinality_and_unknown_labels(cat: Catalog) -> None:
    inference = q.rate(q.series(cat, "model_inference_duration_seconds_count"), "5m")
    assert str(q.sum_by(inference, "model_name")) == (
        "sum by (model_name) (rate(model_inference_duration_seconds_count[5m]))"
    )
    with pytest.raises(PromQLError, match=r"high-cardinality label.*batch_size"):
        q.sum_by(inference, "model_name", "batch_size")
    with pytest.raises(PromQLError, match=r'no such label.*did you mean "model_name"'):
        q.avg_by(inference, "model")
    assert str(q.max_by(inference)) == "max(rate(model_inference_duration_seconds_count[5m]))"
    with pytest.raises(PromQLError, match="cannot aggregate a number"):
        q.sum_by(q.number(1))


def test_bucket_rates_need_sum_by_le(cat: Catalog) -> None:
    buckets = q.rate(q.series(cat, "specialist_request_duration_seconds_bucket"), "5m")
    with pytest.raises(PromQLError, match="sum by \\(le"):
        q.sum_by(buckets, "specialist_type")
    with pytest.raises(PromQLError, match="sum by \\(le"):
        q.avg_by(buckets, "le")
    with pytest.raises(PromQLError, match="histogram_quantile"):
        q.histogram_quantile(0.9, buckets)
    with pytest.raises(PromQLError, match="only feed histogram_quantile"):
        q.gt(buckets, 1)


# ---- histograms ----


def test_quantile(cat: Catalog) -> None:
    h = q.series(cat, "specialist_request_duration_seconds")
    p95 = q.quantile(0.95, h, "5m", BY)
    assert str(p95) == (
        "histogram_quantile(0.95, sum by (le, specialist_type) (rate(specialist_request_duration_seconds_bucket[5m])))"
    )
    assert (p95.unit, p95.labels) == (Unit.SECONDS, frozenset(BY))
    guarded = q.quantile(0.5, h, "$__rate_interval", BY, require_traffic=True)
    assert str(guarded).endswith(
        "and on (specialist_type) (sum by (specialist_type) "
        "(rate(specialist_request_duration_seconds_count[$__rate_interval])) > 0)"
    )
    with pytest.raises(PromQLError, match=r"outside 0-1.*0.95"):
        q.quantile(95, h, "5m", BY)
    with pytest.raises(PromQLError, match="needs a histogram"):
        q.quantile(0.5, q.series(cat, "specialist_requests_total"), "5m")
    with pytest.raises(PromQLError, match="high-cardinality"):
        q.quantile(0.5, q.series(cat, "model_inference_duration_seconds"), "5m", ("batch_size",))


def test_histogram_mean(cat: Catalog) -> None:
    mean = q.histogram_mean(q.series(cat, "specialist_quality_score"), "5m", BY)
    assert str(mean) == (
        "sum by (specialist_type) (rate(specialist_quality_score_sum[5m])) / "
        "(sum by (specialist_type) (rate(specialist_quality_score_count[5m])) > 0)"
    )
    assert (mean.scale, mean.unit) == (Scale.ABSOLUTE, Unit.SCORE)


def test_fraction_below_and_above(cat: Catalog) -> None:
    h = q.series(cat, "specialist_request_duration_seconds", q.eq("complexity", "high"))
    below = q.fraction_below(h, 10, "5m", BY)
    assert str(below) == (
        'sum by (specialist_type) (rate(specialist_request_duration_seconds_bucket{complexity="high",le=~"10(\\\\.0)?"}'
        '[5m])) / (sum by (specialist_type) (rate(specialist_request_duration_seconds_count{complexity="high"}[5m]))'
        " > 0)"
    )
    assert below.scale is Scale.RATIO
    above = q.fraction_above(h, Decimal("0.5"), "5m", BY)
    assert str(above).startswith(
        '1 - sum by (specialist_type) (rate(specialist_request_duration_seconds_bucket{complexity="high",le=~"0\\\\.5"}'
    )
    assert above.scale is Scale.RATIO
    with pytest.raises(PromQLError, match=r"0.75 is not a bucket boundary.*boundaries: 0.1, 0.5, 1, 2, 5, 10, 30, 60"):
        q.fraction_below(h, 0.75, "5m", BY)


# ---- binary operations ----


def test_safe_division_never_divides_by_zero(cat: Catalog) -> None:
    err = q.sum_by(q.rate(q.series(cat, "specialist_errors_total"), "5m"), *BY)
    req = q.sum_by(q.rate(q.series(cat, "specialist_requests_total"), "5m"), *BY)
    r = q.ratio(err, req)
    assert str(r) == (
        "sum by (specialist_type) (rate(specialist_errors_total[5m])) / "
        "(sum by (specialist_type) (rate(specialist_requests_total[5m])) > 0)"
    )
    assert r.scale is Scale.RATIO
    with pytest.raises(PromQLError, match="use safe_div"):
        q.binop("/", err, req)
    stmt = q.sum_by(q.rate(q.series(cat, "pg_stat_statements_seconds_total"), "5m"), "datname")
    calls = q.sum_by(q.rate(q.series(cat, "pg_stat_statements_calls_total"), "5m"), "datname")
    with pytest.raises(PromQLError, match="in seconds, not a ratio"):
        q.ratio(stmt, calls)
    assert q.safe_div(stmt, calls).unit is Unit.SECONDS
    with pytest.raises(PromQLError, match="division by zero"):
        q.safe_div(err, 0)
    assert str(q.safe_div(err, 60)) == "sum by (specialist_type) (rate(specialist_errors_total[5m])) / 60"


def test_vector_matching_is_checked(cat: Catalog) -> None:
    backends = q.value(q.series(cat, "pg_stat_database_numbackends"))
    limit = q.value(q.series(cat, "pg_settings_max_connections"))
    with pytest.raises(PromQLError, match="different labels \\(left only: datid, datname"):
        q.safe_div(backends, limit)
    per_server = q.sum_by(backends, "instance")
    ok = q.ratio(per_server, limit, on=("instance",))
    assert str(ok) == (
        "sum by (instance) (pg_stat_database_numbackends) / on (instance) (pg_settings_max_connections > 0)"
    )
    with pytest.raises(PromQLError, match="the left side has no job"):
        q.ratio(per_server, limit, on=("job",))


def test_thresholds_must_fit_the_scale(cat: Catalog) -> None:
    ratio_ = q.value(q.series(cat, "guardian_false_positive_rate"))
    percent = q.value(q.series(cat, "specialist_gpu_utilization_percent"))
    assert str(q.gt(ratio_, Decimal("0.2"))) == "guardian_false_positive_rate > 0.2"
    with pytest.raises(PromQLError, match=r"did you mean 0.9"):
        q.gt(ratio_, 90)
    with pytest.raises(PromQLError, match="percentage"):
        q.lt(percent, 150)
    with pytest.raises(PromQLError, match="needs bool_"):
        q.compare(">", 1, 2)


def test_scale_conversions_and_inference(cat: Catalog) -> None:
    idle = q.rate(q.series(cat, "node_cpu_seconds_total", q.eq("mode", "idle")), "5m")
    busy = q.sub(100, q.mul(q.avg_by(idle, "instance"), 100))
    assert str(busy) == '100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100'
    assert busy.scale is Scale.PERCENT
    util = q.value(q.series(cat, "specialist_gpu_utilization_percent"))
    assert q.as_ratio(util).scale is Scale.RATIO
    assert str(q.as_percent(q.as_ratio(util))) == "specialist_gpu_utilization_percent / 100 * 100"
    with pytest.raises(PromQLError, match="needs a ratio"):
        q.as_percent(util)
    mem = q.safe_div(
        q.value(q.series(cat, "node_memory_MemAvailable_bytes")), q.value(q.series(cat, "node_memory_MemTotal_bytes"))
    )
    assert q.sub(1, mem).scale is Scale.RATIO


def test_precedence_parenthesizes_only_where_needed(cat: Catalog) -> None:
    a, b, c = (q.value(q.series(cat, n)) for n in ("node_load1", "node_load5", "node_load15"))
    assert str(q.sub(a, q.sub(b, c))) == "node_load1 - (node_load5 - node_load15)"
    assert str(q.sub(q.sub(a, b), c)) == "node_load1 - node_load5 - node_load15"
    assert str(q.mul(q.add(a, b), c)) == "(node_load1 + node_load5) * node_load15"
    assert str(q.or_(q.gt(a, 1), q.gt(b, 2))) == "(node_load1 > 1) or (node_load5 > 2)"
    assert str(q.binop("^", q.binop("^", a, 2), 3)) == "(node_load1 ^ 2) ^ 3"


def test_recorded_series_keep_their_meaning(cat: Catalog) -> None:
    err = q.sum_by(q.rate(q.series(cat, "specialist_errors_total"), "5m"), *BY)
    req = q.sum_by(q.rate(q.series(cat, "specialist_requests_total"), "5m"), *BY)
    ratio_ = q.ratio(err, req)
    rec = q.recorded("specialist_type:specialist_errors:ratio_rate5m", ratio_, q.eq("specialist_type", "code"))
    assert str(rec) == 'specialist_type:specialist_errors:ratio_rate5m{specialist_type="code"}'
    assert (rec.scale, rec.labels) == (Scale.RATIO, frozenset(BY))
    with pytest.raises(PromQLError, match="level:metric:operations"):
        q.recorded("errors_ratio", ratio_)
    with pytest.raises(PromQLError, match='no label "status"'):
        q.recorded("specialist_type:specialist_errors:ratio_rate5m", ratio_, q.eq("status", "x"))
    buckets = q.bucket_rates(q.series(cat, "specialist_request_duration_seconds"), "5m", BY)
    rec_buckets = q.recorded("le_specialist_type:specialist_request_duration_seconds_bucket:rate5m", buckets)
    assert str(q.histogram_quantile(0.9, rec_buckets)) == (
        "histogram_quantile(0.9, le_specialist_type:specialist_request_duration_seconds_bucket:rate5m)"
    )


# ---- annotations ----


@pytest.mark.parametrize(
    ("meta", "template"),
    [
        (Meta(Scale.RATIO, Unit.RATIO), "{{ $value | humanizePercentage }}"),
        (Meta(Scale.PERCENT, Unit.PERCENT), '{{ printf "%.1f" $value }}%'),
        (Meta(Scale.ABSOLUTE, Unit.SECONDS), "{{ $value | humanizeDuration }}"),
        (Meta(Scale.ABSOLUTE, Unit.BYTES), "{{ $value | humanize1024 }}B"),
        (Meta(Scale.ABSOLUTE, Unit.BYTES, per_second=True), "{{ $value | humanize1024 }}B/s"),
        (Meta(Scale.ABSOLUTE, Unit.REQUESTS, per_second=True), "{{ $value | humanize }}/s"),
        (Meta(Scale.ABSOLUTE, Unit.SECONDS, per_second=True), "{{ $value | humanizePercentage }}"),
        (Meta(Scale.ABSOLUTE, Unit.SCORE), "{{ $value | humanize }}"),
        (Meta(scale=None), "{{ $value | humanize }}"),
    ],
)
def test_humanize_template(meta: Meta, template: str) -> None:
    assert q.humanize_template(meta) == template


def test_humanize_template_from_metric_or_scale(cat: Catalog) -> None:
    assert q.humanize_template(cat.get("specialist_gpu_utilization_percent")) == '{{ printf "%.1f" $value }}%'
    assert q.humanize_template(Scale.RATIO) == "{{ $value | humanizePercentage }}"
    assert q.humanize_template(Scale.ABSOLUTE, Unit.SECONDS) == "{{ $value | humanizeDuration }}"


# ---- GPU profiles ----


def test_gpu_helpers_per_profile() -> None:
    dcgm = build_catalog()
    smi = build_catalog(gpu_exporter="nvidia_smi")
    assert str(q.gpu.utilization(dcgm)) == "DCGM_FI_DEV_GPU_UTIL / 100"
    assert str(q.gpu.utilization(smi)) == "nvidia_smi_utilization_gpu_ratio"
    assert str(q.gpu.memory_used_ratio(dcgm)) == (
        "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE > 0)"
    )
    assert str(q.gpu.memory_used_ratio(smi)) == "nvidia_smi_memory_used_bytes / (nvidia_smi_memory_total_bytes > 0)"
    for c in (dcgm, smi):
        assert q.gpu.utilization(c).scale is Scale.RATIO
        assert q.gpu.memory_used_ratio(c).scale is Scale.RATIO
        assert q.gpu.temperature(c).unit is Unit.CELSIUS
        assert q.gpu.power(c).unit is Unit.WATTS
    assert str(q.gpu.xid_events(dcgm, "10m")) == "changes(DCGM_FI_DEV_XID_ERRORS[10m])"
    assert str(q.gpu.xid_events(smi, "10m")) == "increase(nvidia_smi_xid_errors_total[10m])"
    host = q.eq(dcgm.gpu.host_label, "gpu-node-1")
    assert str(q.gpu.temperature(dcgm, host)) == 'DCGM_FI_DEV_GPU_TEMP{Hostname="gpu-node-1"}'


# ---- every builder output parses and passes the lint ----


def _showcase(cat: Catalog, w: str) -> list[Expr]:
    h = q.series(cat, "specialist_request_duration_seconds")
    err = q.sum_by(q.rate(q.series(cat, "specialist_errors_total"), w), *BY)
    req = q.sum_by(q.rate(q.series(cat, "specialist_requests_total"), w), *BY)
    stmt = q.series(cat, "pg_stat_statements_seconds_total")
    calls = q.series(cat, "pg_stat_statements_calls_total")
    return [
        q.ratio(err, req),
        q.gt(q.ratio(err, req), Decimal("0.001")),
        q.quantile(0.99, h, w, BY, require_traffic=True),
        q.histogram_mean(h, w, BY),
        q.fraction_above(h, 10, w, BY),
        q.fraction_below(q.series(cat, "context_length_tokens"), 32000, w),
        q.safe_div(q.sum_by(q.rate(stmt, w), "datname"), q.sum_by(q.rate(calls, w), "datname")),
        q.lt(q.over_time("min", q.series(cat, "cache_hit_rate"), w), 0.5),
        q.gt(q.gpu.xid_events(cat, w), 0),
        q.gt(q.avg_by(q.gpu.utilization(cat), cat.gpu.host_label), Decimal("0.9")),
        q.absent(q.series(cat, "up", q.eq("job", "specialists"))),
        q.clamp(q.value(q.series(cat, "node_load1")), lower=0),
    ]


@pytest.mark.parametrize("w", ["5m", "$__rate_interval"])
def test_builder_output_parses_and_is_lint_clean(cat: Catalog, w: str) -> None:
    analyzer = q.Analyzer(cat)
    for e in _showcase(cat, w):
        _parses(e)
        ast, findings = analyzer.check(str(e))
        assert ast is not None
        assert findings == [], str(e)
        inferred = analyzer.meta(ast)  # the lint reads the meaning the builder declared
        assert (inferred.effective_scale, inferred.unit) == (e.meta.effective_scale, e.unit), str(e)


def test_builders_are_deterministic(cat: Catalog) -> None:
    assert [str(e) for e in _showcase(cat, "5m")] == [
        str(e) for e in _showcase(build_catalog(postgres_enabled=True), "5m")
    ]
