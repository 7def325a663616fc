"""SLOs and threshold alerts on users' own metrics (``metric_slos``, ``metric_alerts``), end to end.

Validation: every misuse is a positioned error at the field it is about. Output: the rules pass
``promtool check rules --lint=all``, the generated tests pass ``promtool test rules`` and fail when a
threshold in the rules changes, every alert has a firing and a silent case, ``guardiangen lint``
finds nothing, and Alertmanager (``amtool``) routes the alerts by their team and labels.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from guardiangen import pipeline
from guardiangen.lint.rules import lint_rule_files
from guardiangen.load import PathKey, load_file
from guardiangen.plan.model import Plan
from guardiangen.spec.models import ClusterSpec
from tests.alertmanager.helpers import load_data, render_to, routes_test, routes_test_all
from tests.conftest import valid_spec
from tests.fuzz.harness import label_problems
from tests.prometheus.helpers import RULES_DIR, TESTS_DIR, failures, run, run_all
from tests.prometheus.test_promtool import _cases_for

SPEC = Path(__file__).with_name("metrics-cluster.yaml")


@pytest.fixture(scope="module")
def spec() -> ClusterSpec:
    return valid_spec(SPEC)


@pytest.fixture(scope="module")
def plan(spec: ClusterSpec) -> Plan:
    return pipeline.plan(spec)


@pytest.fixture(scope="module")
def out(spec: ClusterSpec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("metrics") / "out"
    render_to(spec, out)
    return out


# ------------------------------------------------------------------------------------ validation


def _data() -> dict[str, Any]:
    return copy.deepcopy(load_data(SPEC))


def _errors(data: dict[str, Any], tmp_path: Path) -> tuple[list[tuple[int, int, str, str]], Any]:
    path = tmp_path / "cluster.yaml"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = pipeline.validate(str(path))
    assert result.spec is None
    doc, _ = load_file(str(path))
    assert doc is not None
    return [(d.line, d.col, d.code, d.message) for d in result.diagnostics if d.severity.value == "error"], doc


def _at(doc: Any, where: PathKey, *, key: bool = False) -> tuple[int, int]:
    return doc.positions.of_key(where) if key else doc.positions.of_value(where)


def _one(data: dict[str, Any], tmp_path: Path, where: PathKey, code: str, *words: str, key: bool = False) -> None:
    errors, doc = _errors(data, tmp_path)
    line, col = _at(doc, where, key=key)
    assert line > 0
    hits = [e for e in errors if e[:3] == (line, col, code)]
    assert len(errors) == 1 and hits, (where, errors)
    for word in words:
        assert word in hits[0][3], (word, hits[0][3])


def test_the_test_spec_validates_and_plans_every_entry(spec: ClusterSpec, plan: Plan) -> None:
    assert [s.name for s in spec.metric_slos] == ["checkout-availability", "payments-declined", "checkout-latency"]
    assert {s.id for s in plan.slos} == {s.name for s in spec.metric_slos}
    assert {s.owner_kind for s in plan.slos} == {"metric"}
    group = next(g for g in plan.rules.groups if g.name == "metrics")
    assert [r.alert for r in group.rules] == [
        "ShopCheckoutErrorsHigh",
        "ShopOrderQueueDeep",
        "ShopInventoryOutOfSync",
        "ShopCheckoutIdle",
    ]


def test_an_slo_on_an_undeclared_metric_is_a_positioned_error(tmp_path: Path) -> None:
    data = _data()
    data["metric_slos"][0]["events"]["total"]["metric"] = "checkout_request_total"
    where = ("metric_slos", 0, "events", "total", "metric")
    _one(data, tmp_path, where, "GG205", 'unknown metric "checkout_request_total"', '"checkout_requests_total"')


def test_a_latency_threshold_between_buckets_lists_the_usable_ones(tmp_path: Path) -> None:
    data = _data()
    data["metric_slos"][2]["latency"]["threshold"] = 300
    where = ("metric_slos", 2, "latency", "threshold")
    _one(data, tmp_path, where, "GG207", "300 is not a bucket boundary", "50, 100, 250, 500, 1000, 2500")


def test_a_latency_slo_on_a_counter_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["metric_slos"][2]["latency"]["metric"] = "payment_failures_total"
    data["metric_slos"][2]["latency"]["matchers"] = {}
    _one(data, tmp_path, ("metric_slos", 2, "latency", "metric"), "GG218", "is a counter", "histogram")


def test_a_gauge_cannot_count_events(tmp_path: Path) -> None:
    data = _data()
    data["metric_slos"][1]["events"]["bad"]["metric"] = "order_queue_depth"
    _one(data, tmp_path, ("metric_slos", 1, "events", "bad", "metric"), "GG218", "is a gauge")


def test_bad_events_that_select_all_events_are_refused(tmp_path: Path) -> None:
    data = _data()
    data["metric_slos"][0]["events"]["bad"]["matchers"] = {"route": "checkout"}
    _one(data, tmp_path, ("metric_slos", 0, "events", "bad"), "GG206", "every event would count as bad")


def test_a_matcher_on_a_label_the_metric_lacks_points_at_the_label(tmp_path: Path) -> None:
    data = _data()
    data["metric_slos"][2]["latency"]["matchers"] = {"rout": "checkout"}
    where = ("metric_slos", 2, "latency", "matchers", "rout")
    _one(data, tmp_path, where, "GG205", 'no label "rout"', '"route"', key=True)


def test_an_slo_name_taken_by_a_built_in_slo_is_a_duplicate(tmp_path: Path) -> None:
    data = _data()
    data["specialists"][0]["slos"] = {"latency": {"objective_percent": 99, "threshold_seconds": 10}}
    data["metric_slos"][0]["name"] = "code-latency"
    _one(data, tmp_path, ("metric_slos", 0, "name"), "GG201", "specialist code's latency SLO")


def test_alert_grouping_by_a_high_cardinality_label_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["metric_alerts"][0]["by"] = ["route", "request_id"]
    _one(data, tmp_path, ("metric_alerts", 0, "by", 1), "GG218", "unbounded values")


def test_alert_grouping_by_a_label_the_alerts_set_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["metric_alerts"][1]["by"] = ["severity"]
    _one(data, tmp_path, ("metric_alerts", 1, "by", 0), "GG212", "set themselves")


def test_alert_grouping_by_an_unknown_label(tmp_path: Path) -> None:
    data = _data()
    data["metric_alerts"][1]["by"] = ["warehous"]
    _one(data, tmp_path, ("metric_alerts", 1, "by", 0), "GG205", '"warehouse"')


def test_an_alert_on_a_histogram_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["metric_alerts"][1]["metric"] = "checkout_duration_milliseconds"
    data["metric_alerts"][1]["by"] = []
    _one(data, tmp_path, ("metric_alerts", 1, "metric"), "GG218", "is a histogram")


def test_a_threshold_the_metric_cannot_cross_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["metric_alerts"][2]["comparison"] = ">"
    data["metric_alerts"][2]["threshold"] = 1
    _one(data, tmp_path, ("metric_alerts", 2, "threshold"), "GG105", "never > 1")
    data["metric_alerts"][2]["comparison"] = "<="
    _one(data, tmp_path, ("metric_alerts", 2, "threshold"), "GG105", "always fire")
    data = _data()
    data["metric_alerts"][3]["comparison"] = "<"
    data["metric_alerts"][3]["threshold"] = 0
    _one(data, tmp_path, ("metric_alerts", 3, "threshold"), "GG105", "never < 0")


def test_alert_names_are_checked_against_the_limit_and_other_alerts(tmp_path: Path) -> None:
    data = _data()
    data["defaults"]["alert_name_prefix"] = "ShopFrontEn"
    data["metric_alerts"][0]["name"] = "checkoutrequestsfailingtoofast"
    _one(
        data, tmp_path, ("metric_alerts", 0, "name"), "GG105", "ShopFrontEnCheckoutrequestsfailingtoofast", "at most 40"
    )
    data = _data()
    data["metric_alerts"][0]["name"] = "gpu-xid-errors"
    _one(data, tmp_path, ("metric_alerts", 0, "name"), "GG201", "ShopGpuXidErrors is already")
    data = _data()
    data["metric_alerts"][1]["name"] = "checkout_errors_high"
    _one(data, tmp_path, ("metric_alerts", 1, "name"), "GG201", 'metric alert "checkout-errors-high"')


def test_an_alert_on_a_subset_counter_asks_for_an_slo(tmp_path: Path) -> None:
    data = _data()
    data["metrics"][2]["subset_of"] = "checkout_requests_total"
    data["metric_alerts"][0]["metric"] = "payment_failures_total"
    data["metric_alerts"][0]["matchers"] = {}
    data["metric_alerts"][0]["by"] = ["provider"]
    _one(data, tmp_path, ("metric_alerts", 0, "metric"), "GG218", "events SLO")


def test_an_slo_needs_exactly_one_sli(tmp_path: Path) -> None:
    data = _data()
    data["metric_slos"][2]["events"] = data["metric_slos"][0]["events"]
    errors, doc = _errors(data, tmp_path)
    assert len(errors) == 1 and "exactly one of `events` and `latency`" in errors[0][3]
    assert errors[0][0] == _at(doc, ("metric_slos", 2))[0]


# ----------------------------------------------------------------------------------- real tools


def test_rules_pass_promtool_check_with_all_lints(out: Path) -> None:
    files = sorted((out / RULES_DIR).glob("*.yml"))
    assert {"metrics.yml", "slo-checkout-latency.yml", "slo-payments-declined.yml"} <= {f.name for f in files}
    results = run_all(("check", "rules", "--lint=all", "--lint-fatal", str(f)) for f in files)
    assert not failures(results), failures(results)


def test_generated_tests_pass_promtool(out: Path) -> None:
    files = sorted((out / TESTS_DIR).glob("*.yml"))
    names = {f.name for f in files}
    assert {"metrics.yml", "slo-checkout-availability.yml", "slo-checkout-latency.yml"} <= names
    results = run_all(("test", "rules", str(f)) for f in files)
    assert not failures(results), failures(results)


def test_every_metric_alert_has_a_firing_and_a_silent_case(plan: Plan) -> None:
    checked = 0
    for group in plan.rules.groups:
        for rule in group.rules:
            if rule.is_alert and dict(rule.labels).get("component") == "metric":
                firing, silent = _cases_for(rule, group.file, plan.rules.tests)
                assert firing and silent, (rule.alert, dict(rule.labels), firing, silent)
                checked += 1
    assert checked >= 4 + 3  # the threshold alerts and at least one burn-rate alert per SLO


@pytest.mark.parametrize(
    ("text", "wrong"),
    [("> 2.5", "> 25"), (">= 500", ">= 5000"), ("< 0.9", "< 0.09"), ("<= 0.1", "<= 1")],
)
def test_the_generated_alert_tests_fail_on_a_wrong_threshold(out: Path, tmp_path: Path, text: str, wrong: str) -> None:
    rules = (out / RULES_DIR / "metrics.yml").read_text(encoding="utf-8")
    assert rules.count(text + "\n") == 1  # the expression's end, not the description's
    (tmp_path / "rules").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "rules" / "metrics.yml").write_text(rules.replace(text + "\n", wrong + "\n"), encoding="utf-8")
    test = (out / TESTS_DIR / "metrics.yml").read_text(encoding="utf-8")
    (tmp_path / "tests" / "metrics.yml").write_text(test, encoding="utf-8")
    proc = run("test", "rules", str(tmp_path / "tests" / "metrics.yml"))
    assert proc.returncode != 0, proc.stdout


def test_the_generated_slo_tests_fail_on_a_wrong_latency_bucket(out: Path, tmp_path: Path) -> None:
    rules = (out / RULES_DIR / "slo-checkout-latency.yml").read_text(encoding="utf-8")
    assert rules.count('le=~"250(\\\\.0)?"') >= 1, rules[:2000]
    (tmp_path / "rules").mkdir()
    (tmp_path / "tests").mkdir()
    broken = rules.replace('le=~"250(\\\\.0)?"', 'le=~"500(\\\\.0)?"')
    (tmp_path / "rules" / "slo-checkout-latency.yml").write_text(broken, encoding="utf-8")
    test = (out / TESTS_DIR / "slo-checkout-latency.yml").read_text(encoding="utf-8")
    (tmp_path / "tests" / "slo-checkout-latency.yml").write_text(test, encoding="utf-8")
    proc = run("test", "rules", str(tmp_path / "tests" / "slo-checkout-latency.yml"))
    assert proc.returncode != 0, proc.stdout


def test_guardiangen_lint_accepts_the_output(spec: ClusterSpec, plan: Plan, out: Path) -> None:
    files = {str(f): f.read_text(encoding="utf-8") for f in sorted((out / RULES_DIR).glob("*.yml"))}
    diags = lint_rule_files(files, plan.catalog)
    assert [d.format_text() for d in diags] == []
    assert label_problems(spec, plan) == []


def test_alertmanager_routes_the_alerts_by_team_and_labels(plan: Plan, out: Path) -> None:
    config = out / "alertmanager" / "alertmanager.yml"
    assert routes_test_all(config, plan.alerting.routing_table) == []
    alerts = {
        r.alert + ":" + dict(r.labels).get("slo", "") + ":" + dict(r.labels).get("burn_tier", ""): dict(r.labels)
        for g in plan.rules.groups
        for r in g.rules
        if r.is_alert
    }
    expected = {
        "ShopCheckoutErrorsHigh::": ["payments-pager"],  # team payments, critical
        "ShopOrderQueueDeep::": ["fulfilment-chat"],  # team fulfilment
        "ShopInventoryOutOfSync::": ["fulfilment-chat"],
        "ShopCheckoutIdle::": ["default"],  # team payments, but a warning
        "ShopErrorBudgetBurn:checkout-latency:ticket": ["payments-pager"],  # the route on its slo label
        "ShopErrorBudgetBurn:payments-declined:ticket": ["default"],
    }
    for key, receivers in expected.items():
        labels = dict(alerts[key])
        labels["alertname"] = key.split(":")[0]
        assert routes_test(config, tuple(sorted(labels.items())), receivers) is None, (key, labels)
