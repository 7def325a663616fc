"""Offline rule lint: the reference design's rules are flagged for each erratum; each check can fire
and stays silent on good input."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardiangen import promql as q
from guardiangen.catalog import Catalog, build_catalog
from guardiangen.diagnostics import Diagnostic, Severity
from guardiangen.lint.rules import lint_rule_file, lint_rule_files, lint_rule_groups

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reference_rules"


@pytest.fixture(scope="module")
def dcgm() -> Catalog:
    # The reference cluster runs PostgreSQL; its GPU rules use nvidia_smi names, linted against DCGM.
    return build_catalog(gpu_exporter="dcgm", postgres_enabled=True)


def _reference(catalog: Catalog) -> list[Diagnostic]:
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.yml"))}
    return lint_rule_files(files, catalog)


def _keys(diags: list[Diagnostic]) -> list[tuple[str, int, str, str]]:
    return [(d.path, d.line, d.code, d.severity.value) for d in diags]


# Every finding on the reference rules, in reporting order: (file, line, code, severity).
REFERENCE_FINDINGS = [
    ("alerts.yml", 7, "GG403", "error"),  # HighErrorRate: absolute error rate (erratum 15)
    ("alerts.yml", 12, "GG408", "error"),  # HighErrorRate: templated summary
    ("alerts.yml", 18, "GG403", "error"),  # LowQualityScore: bare histogram name (erratum 1)
    ("alerts.yml", 23, "GG408", "error"),  # LowQualityScore: templated summary
    ("alerts.yml", 24, "GG406", "error"),  # LowQualityScore: humanizePercentage on a score (4, 5)
    ("alerts.yml", 28, "GG407", "error"),  # HighResponseTime: quantile per pod (erratum 2)
    ("alerts.yml", 33, "GG408", "error"),  # HighResponseTime: templated summary
    ("alerts.yml", 44, "GG406", "error"),  # HighGPUUtilization: humanizePercentage on 0-100 (4, 14)
    ("alerts.yml", 57, "GG402", "error"),  # guardian_errors_total is not instrumented (erratum 7)
    ("alerts.yml", 66, "GG402", "error"),  # improvement_suggestions is not instrumented (erratum 7)
    ("infrastructure.yml", 17, "GG402", "error"),  # nvidia_smi utilization under DCGM (erratum 6)
    ("infrastructure.yml", 20, "GG402", "error"),  # nvidia_smi memory total under DCGM (erratum 6)
    ("infrastructure.yml", 20, "GG402", "error"),  # nvidia_smi memory used under DCGM (erratum 6)
    ("infrastructure.yml", 28, "GG403", "warning"),  # numbackends{datname} / max_connections never matches
    ("infrastructure.yml", 31, "GG402", "error"),  # pg_stat_statements_mean_time_bucket does not exist (3)
    ("infrastructure.yml", 31, "GG407", "error"),  # ... and is not summed by le (3)
]

# SEED-ERRATA item -> the findings that report it. Item 8 (high-cardinality labels) does not occur in
# the reference rule files; test_erratum_8_grouping_by_batch_size covers it.
ERRATA = {
    1: [("alerts.yml", 18, "GG403", "is a histogram")],
    2: [("alerts.yml", 28, "GG407", "one quantile per series")],
    3: [
        ("infrastructure.yml", 31, "GG402", "pg_stat_statements_mean_time_bucket"),
        ("infrastructure.yml", 31, "GG407", "histogram_quantile"),
    ],
    4: [("alerts.yml", 44, "GG406", "already a 0-100 percentage")],
    5: [("alerts.yml", 24, "GG406", "not a 0-1 ratio (unit score)")],
    6: [
        ("infrastructure.yml", 17, "GG402", "use DCGM_FI_DEV_GPU_UTIL, on a percent scale"),
        ("infrastructure.yml", 20, "GG402", "nvidia_smi_memory_used_bytes"),
        ("infrastructure.yml", 20, "GG402", "nvidia_smi_memory_total_bytes"),
    ],
    7: [("alerts.yml", 57, "GG402", "guardian_errors_total"), ("alerts.yml", 66, "GG402", "improvement_suggestions")],
    14: [("alerts.yml", 44, "GG406", "HighGPUUtilization")],
    15: [("alerts.yml", 7, "GG403", "ratio specialist_errors_total / specialist_requests_total")],
}


def test_reference_rules_findings_are_exact(dcgm: Catalog) -> None:
    assert _keys(_reference(dcgm)) == REFERENCE_FINDINGS


@pytest.mark.parametrize("item", sorted(ERRATA), ids=[f"erratum-{i}" for i in sorted(ERRATA)])
def test_each_erratum_is_reported(dcgm: Catalog, item: int) -> None:
    diags = _reference(dcgm)
    for path, line, code, text in ERRATA[item]:
        assert any((d.path, d.line, d.code) == (path, line, code) and text in d.message for d in diags), (
            item,
            path,
            line,
            code,
            text,
        )


def test_erratum_14_ratio_annotations_pass(dcgm: Catalog) -> None:
    """HighMemoryUsage and DatabaseConnectionLimit humanize ratios traced through recording rules."""
    messages = [d.message for d in _reference(dcgm) if d.code == "GG406"]
    assert not any(m.startswith(("HighMemoryUsage", "DatabaseConnectionLimit")) for m in messages)


def test_gpu_rules_are_valid_under_their_own_exporter() -> None:
    smi = build_catalog(gpu_exporter="nvidia_smi", postgres_enabled=True)
    assert not any(d.path == "infrastructure.yml" and d.line in (17, 20) for d in _reference(smi))


def test_erratum_8_grouping_by_batch_size(dcgm: Catalog) -> None:
    diags = _lint(
        dcgm,
        "record: model_name_batch_size:model_inference_duration_seconds:p95",
        "expr: histogram_quantile(0.95, sum by (le, model_name, batch_size) "
        "(rate(model_inference_duration_seconds_bucket[5m])))",
    )
    assert [d.code for d in diags] == ["GG404"]
    assert "batch_size" in diags[0].message


# ---- each check fires, and is silent on good input ----


def _doc(*rule_lines: str, extra_rules: str = "") -> str:
    rule = "\n".join(("      - " if i == 0 else "        ") + line for i, line in enumerate(rule_lines))
    return f"groups:\n  - name: test\n    rules:\n{rule}\n{extra_rules}"


def _lint(catalog: Catalog, *rule_lines: str) -> list[Diagnostic]:
    return lint_rule_file(_doc(*rule_lines), catalog, path="t.yml")


QS = "rate(specialist_quality_score_bucket[5m])"
REQ = "rate(specialist_requests_total[5m])"
GOOD_ALERT_TAIL = (
    "labels: {severity: warning}",
    "annotations: {summary: Something is off., description: 'Value {{ $value | humanize }}'}",
)


def _alert(expr: str, *tail: str) -> tuple[str, ...]:
    return ("alert: SomethingOff", f"expr: {expr}", *(tail or GOOD_ALERT_TAIL))


def _record(name: str, expr: str) -> tuple[str, ...]:
    return (f"record: {name}", f"expr: {expr}")


FIRES = [
    ("GG401", _record("a:b:c", "rate(specialist_requests_total[5m)")),
    ("GG402", _record("a:b:c", "rate(specialist_request_total[5m])")),
    ("GG402", _record("a:b:c", "sum(job:undefined:rate5m)")),
    ("GG402", _record("a:b:c", 'sum by (specialist_type) (rate(specialist_requests_total{statuss="ok"}[5m]))')),
    ("GG403", _record("a:b:c", "sum by (specialist_type) (specialist_quality_score)")),
    ("GG403", _record("a:b:c", "rate(DCGM_FI_DEV_XID_ERRORS[5m])")),
    ("GG403", _record("a:b:c", "sum by (specialist_type) (specialist_requests_total)")),
    ("GG403", _record("a:b:c", "delta(specialist_requests_total[5m])")),
    ("GG403", _record("a:b:c", 'sum(rate(specialist_quality_score_bucket{le="1"}[5m]))')),
    ("GG403", _record("a:b:c", "node_filesystem_avail_bytes / node_memory_MemTotal_bytes")),
    ("GG403", _alert("sum by (specialist_type) (increase(specialist_timeouts_total[10m])) > 3")),
    ("GG403", _record("a:b:c", "histogram_quantile(95, sum by (le) (rate(specialist_quality_score_bucket[5m])))")),
    ("GG404", _record("a:b:c", "sum by (batch_size) (rate(model_inference_duration_seconds_count[5m]))")),
    ("GG404", _record("a:b:c", "sum without (model_name) (rate(model_inference_duration_seconds_count[5m]))")),
    ("GG404", _record("a:b:c", "rate(model_inference_duration_seconds_count[5m])")),
    ("GG405", _alert("sum by (specialist_type) (rate(specialist_requests_total[5m]))")),
    ("GG405", _alert("up == bool 0")),
    (
        "GG406",
        _alert(
            "avg(DCGM_FI_DEV_GPU_UTIL) > 90",
            "labels: {severity: info}",
            "annotations: {summary: GPUs are busy., description: 'At {{ $value | humanizePercentage }}'}",
        ),
    ),
    (
        "GG406",
        _alert(
            "max(node_memory_MemAvailable_bytes) < 1e9",
            "labels: {severity: info}",
            "annotations: {summary: Memory is low., description: 'Only {{ humanizeDuration $value }}'}",
        ),
    ),
    ("GG407", _record("a:b:c", "histogram_quantile(0.9, rate(specialist_quality_score_bucket[5m]))")),
    ("GG407", _record("a:b:c", f"histogram_quantile(0.9, sum by (specialist_type) ({QS}))")),
    ("GG408", _record("errors_rate5m", "sum(rate(specialist_errors_total[5m]))")),
    ("GG408", ("alert: something_off", "expr: up == 0", *GOOD_ALERT_TAIL)),
    ("GG408", _alert("up == 0", "labels: {severity: page}", GOOD_ALERT_TAIL[1])),
    ("GG408", _alert("up == 0", "labels: {severity: info, value: '{{ $value }}'}", GOOD_ALERT_TAIL[1])),
    (
        "GG408",
        _alert(
            "up == 0", GOOD_ALERT_TAIL[0], "annotations: {summary: '{{ $labels.job }}', description: '{{ $value }}'}"
        ),
    ),
    ("GG408", _alert("up == 0", GOOD_ALERT_TAIL[0], "annotations: {summary: Down., description: static}")),
    ("GG408", _alert("up == 0", GOOD_ALERT_TAIL[0], "annotations: {description: 'x {{ $value }}'}")),
    ("GG408", ("record: a:b:c", "alert: Both", "expr: up")),
    ("GG408", _alert("up == 0", "labels: {severity: info, __name__: x}", GOOD_ALERT_TAIL[1])),  # promtool refuses
    ("GG408", (*_record("a:b:c", f"sum by (specialist_type) ({REQ})"), "labels: {__tenant: x}")),
]


@pytest.mark.parametrize(("code", "rule"), FIRES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(FIRES)])
def test_check_fires(dcgm: Catalog, code: str, rule: tuple[str, ...]) -> None:
    diags = _lint(dcgm, *rule)
    assert [d.code for d in diags] == [code], [d.format_text() for d in diags]
    assert diags[0].line >= 4  # positioned at the rule, not at the file


SILENT = [
    _record("specialist_type:specialist_requests:rate5m", f"sum by (specialist_type) ({REQ})"),
    _record("a:b:c", f"histogram_quantile(0.9, sum by (le, specialist_type) ({QS}))"),
    _record("a:b:c", f"histogram_quantile(0.9, sum without (instance, job) ({QS}))"),
    _record("a:b:c", "sum by (model_name) (rate(model_inference_duration_seconds_count[5m]))"),
    _record("a:b:c", 'sum(rate(specialist_quality_score_bucket{le=~"1(\\\\.0)?"}[5m]))'),
    _record("a:b:c", "count(specialist_requests_total)"),
    _record("a:b:c", "absent(guardian_evaluations_total)"),
    _record("a:b:c", "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes"),
    _alert("changes(DCGM_FI_DEV_XID_ERRORS[10m]) > 0"),
    _alert('absent(up{job="specialists"})'),
    _alert("up == 0 and on (instance) node_load1 > 1"),
    _alert(
        "sum by (specialist_type) (rate(specialist_errors_total[5m])) / (sum by (specialist_type) "
        "(rate(specialist_requests_total[5m])) > 0) > 0.01",
        "labels: {severity: critical}",
        "annotations: {summary: Errors are high., description: 'Error ratio {{ $value | humanizePercentage }}'}",
    ),
    _alert(
        "histogram_quantile(0.95, sum by (le, specialist_type) "
        "(rate(specialist_request_duration_seconds_bucket[5m]))) > 10",
        "labels: {severity: warning}",
        "annotations: {summary: Slow., description: 'p95 {{ $value | humanizeDuration }}'}",
    ),
    _alert(
        "avg(DCGM_FI_DEV_GPU_UTIL) > 90",
        "labels: {severity: warning}",
        "annotations: {summary: GPUs are busy., description: 'At {{ printf \"%.1f\" $value }}%'}",
    ),
]


@pytest.mark.parametrize("rule", SILENT, ids=[f"silent-{i}" for i in range(len(SILENT))])
def test_check_stays_silent(dcgm: Catalog, rule: tuple[str, ...]) -> None:
    diags = _lint(dcgm, *rule)
    assert diags == [], [d.format_text() for d in diags]


def test_recording_rules_of_other_files_are_known(dcgm: Catalog) -> None:
    records = _doc(*_record("specialist_type:specialist_requests:rate5m", f"sum by (specialist_type) ({REQ})"))
    alerts = _doc(*_alert("specialist_type:specialist_requests:rate5m < 1"))
    assert lint_rule_files({"r.yml": records, "a.yml": alerts}, dcgm) == []
    alone = lint_rule_file(alerts, dcgm, path="a.yml")
    assert [(d.code, d.line) for d in alone] == [("GG402", 5)]
    assert "no rule in these files records it" in alone[0].message


def test_scale_is_traced_through_recording_rules(dcgm: Catalog) -> None:
    """A percent recorded from a ratio (* 100) must not be humanized as a percentage."""
    text = _doc(
        *_record(
            "instance:node_cpu_busy:percent",
            '100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100',
        ),
        extra_rules="\n".join(
            "      " + ("- " if i == 0 else "  ") + line
            for i, line in enumerate(
                _alert(
                    "instance:node_cpu_busy:percent > 95",
                    "labels: {severity: info}",
                    "annotations: {summary: CPU busy., description: 'CPU at {{ $value | humanizePercentage }}'}",
                )
            )
        ),
    )
    diags = lint_rule_file(text, dcgm, path="t.yml")
    assert [(d.code, d.line) for d in diags] == [("GG406", 9)]


def test_quantile_argument_traced_through_recording_rule(dcgm: Catalog) -> None:
    buckets = "sum by (le, specialist_type) (rate(specialist_quality_score_bucket[5m]))"
    text = _doc(
        *_record("le_specialist_type:specialist_quality_score_bucket:rate5m", buckets),
        extra_rules="      - record: specialist_type:specialist_quality_score:p50\n"
        "        expr: histogram_quantile(0.5, le_specialist_type:specialist_quality_score_bucket:rate5m)\n",
    )
    assert lint_rule_file(text, dcgm, path="t.yml") == []


def test_yaml_errors_are_positioned(dcgm: Catalog) -> None:
    diags = lint_rule_file("groups:\n  - name: x\n    rules: [\n", dcgm, path="bad.yml")
    assert [(d.code, d.path) for d in diags] == [("GG002", "bad.yml")]
    assert diags[0].line > 0


def test_plain_dicts_lint_without_positions(dcgm: Catalog) -> None:
    doc = {"groups": [{"name": "g", "rules": [{"record": "a:b:c", "expr": "specialist_quality_score"}]}]}
    diags = lint_rule_groups(doc, dcgm, path="p.yml")
    assert [(d.code, d.line, d.col) for d in diags] == [("GG403", 0, 0)]
    assert lint_rule_groups({"nope": 1}, dcgm, path="p.yml")[0].code == "GG408"


def test_warnings_are_warnings(dcgm: Catalog) -> None:
    diags = _lint(dcgm, *_record("a:b:c", 'sum(rate(specialist_quality_score_bucket{le="1"}[5m]))'))
    assert diags[0].severity is Severity.WARNING
    assert 'use le=~"1(\\\\.0)?"' in diags[0].message


def test_builder_rules_lint_clean(dcgm: Catalog) -> None:
    """Rules written with the builders pass the lint: the two halves agree."""
    by = ("specialist_type",)
    err = q.sum_by(q.rate(q.series(dcgm, "specialist_errors_total"), "5m"), *by)
    req = q.sum_by(q.rate(q.series(dcgm, "specialist_requests_total"), "5m"), *by)
    ratio = q.ratio(err, req)
    p95 = q.quantile(0.95, q.series(dcgm, "specialist_request_duration_seconds"), "5m", by)
    util = q.avg_by(q.gpu.utilization(dcgm), dcgm.gpu.host_label)
    doc = {
        "groups": [
            {
                "name": "g",
                "rules": [
                    {"record": "specialist_type:specialist_errors:ratio_rate5m", "expr": str(ratio)},
                    {
                        "alert": "SpecialistErrorRatioHigh",
                        "expr": str(q.gt(q.recorded("specialist_type:specialist_errors:ratio_rate5m", ratio), 0.05)),
                        "labels": {"severity": "critical"},
                        "annotations": {
                            "summary": "Specialist error ratio is high.",
                            "description": f"{{{{ $labels.specialist_type }}}} fails {q.humanize_template(ratio.meta)}",
                        },
                    },
                    {
                        "alert": "SpecialistSlow",
                        "expr": str(q.gt(p95, 10)),
                        "labels": {"severity": "warning"},
                        "annotations": {"summary": "Slow.", "description": f"p95 {q.humanize_template(p95.meta)}"},
                    },
                    {
                        "alert": "GpuBusy",
                        "expr": str(q.gt(util, 0.95)),
                        "labels": {"severity": "info"},
                        "annotations": {"summary": "Busy.", "description": q.humanize_template(util.meta)},
                    },
                ],
            }
        ]
    }
    assert lint_rule_groups(doc, dcgm, path="gen.yml") == []


def test_a_reserved_label_name_is_named_at_its_key(dcgm: Catalog) -> None:
    text = _doc(*_alert("up == 0", "labels:", "  severity: info", "  __name__: x", GOOD_ALERT_TAIL[1]))
    (diag,) = lint_rule_file(text, dcgm, path="t.yml")
    assert (diag.code, diag.line, diag.col) == ("GG408", 8, 11), diag.format_text()
    assert diag.message == 'SomethingOff: label "__name__" starts with "__", which Prometheus reserves for internal use'
