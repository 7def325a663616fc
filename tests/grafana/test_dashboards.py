"""The rendered dashboards of the reference spec: schema-valid, lint-clean, and right in substance."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser as pp
import pytest
from rendered import (
    DASHBOARD_DIR,
    DASHBOARD_NAMES,
    Rendered,
    keys_and_values,
    panel_by_title,
    panels,
    query_panels,
    render_spec,
    targets,
)
from schema_check import schema_errors

from guardiangen.catalog import MetricType
from guardiangen.lint.dashboards import lint_dashboard_dir, lint_dashboards
from guardiangen.plan.links import DASHBOARDS, dashboard_title, dashboard_uid
from guardiangen.promql import Analyzer
from guardiangen.render.dashboards.sanitize import (
    LEGACY_DASHBOARD_KEYS,
    LEGACY_PANEL_KEYS,
    LEGACY_TARGET_KEYS,
    LEGACY_VARIABLE_KEYS,
)
from tests.conftest import ROOT

RATE_FUNCTIONS = {"rate", "irate", "increase"}


def test_target_writes_five_dashboards_and_two_provisioning_files(reference: Rendered) -> None:
    assert sorted(reference.files) == [
        *(f"{DASHBOARD_DIR}/{name}.json" for name in DASHBOARD_NAMES),
        "grafana/provisioning/dashboards/guardiangen.yml",
        "grafana/provisioning/datasources/guardiangen.yml",
    ]
    assert set(DASHBOARDS) == set(DASHBOARD_NAMES)  # one file per kind of plan.links


@pytest.mark.parametrize("name", DASHBOARD_NAMES)
def test_dashboard_validates_against_grafanas_schema(reference: Rendered, name: str) -> None:
    assert schema_errors(reference.dashboards[name]) == []


def test_dashboards_are_lint_clean(reference: Rendered) -> None:
    dashboards = {f"{DASHBOARD_DIR}/{n}.json": d for n, d in reference.dashboards.items()}
    assert [d.format_text() for d in lint_dashboards(dashboards)] == []


def test_lint_dashboard_dir_on_written_files(reference: Rendered, tmp_path: Path) -> None:
    for relpath, text in reference.files.items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert lint_dashboard_dir(tmp_path / DASHBOARD_DIR) == []


@pytest.mark.parametrize("name", DASHBOARD_NAMES)
def test_identity_comes_from_plan_links(reference: Rendered, name: str) -> None:
    dashboard = reference.dashboards[name]
    assert dashboard["uid"] == dashboard_uid(reference.plan.cluster, name)
    assert dashboard["title"] == dashboard_title(reference.plan.cluster, name)
    assert dashboard["schemaVersion"] == 39
    assert dashboard["editable"] is False
    assert dashboard["tags"] == ["guardiangen", reference.spec.metadata.name]
    assert dashboard["description"].strip()


def test_text_is_deterministic_sorted_json(reference: Rendered) -> None:
    again = render_spec(reference.spec)
    assert again.files == reference.files
    for name, dashboard in reference.dashboards.items():
        text = reference.files[f"{DASHBOARD_DIR}/{name}.json"]
        assert text == json.dumps(dashboard, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# -- cleanliness ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DASHBOARD_NAMES)
def test_no_legacy_keys_and_no_nulls(reference: Rendered, name: str) -> None:
    dashboard = reference.dashboards[name]
    assert not set(dashboard) & LEGACY_DASHBOARD_KEYS
    assert "time_options" not in dashboard["timepicker"]
    for panel in panels(dashboard):
        assert not set(panel) & LEGACY_PANEL_KEYS, panel["title"]
        assert panel.get("maxDataPoints") is None, panel["title"]
        if panel["type"] == "row":
            assert set(panel) <= {"type", "id", "title", "gridPos", "collapsed", "panels"}
    for _, target in targets(dashboard):
        assert not set(target) & LEGACY_TARGET_KEYS
    for variable in dashboard["templating"]["list"]:
        assert not set(variable) & (LEGACY_VARIABLE_KEYS | {"auto", "auto_min", "auto_count"})
    nulls = [f"{path}/{key}" for path, key, value in keys_and_values(dashboard) if value is None]
    # Only a threshold's base step has a null value (it means "from minus infinity").
    assert all(re.fullmatch(r".*/thresholds/steps/0/value", path) for path in nulls), nulls


@pytest.mark.parametrize("name", DASHBOARD_NAMES)
def test_every_panel_is_described_and_every_query_panel_has_a_unit(reference: Rendered, name: str) -> None:
    for panel in panels(reference.dashboards[name]):
        if panel["type"] == "row":
            continue
        assert panel["title"].strip() and panel["description"].strip(), panel
        if panel["type"] == "text":
            continue
        unit = panel["fieldConfig"]["defaults"].get("unit") or panel["options"].get("yAxis", {}).get("unit")
        assert unit, panel["title"]


@pytest.mark.parametrize("name", DASHBOARD_NAMES)
def test_datasource_variable_is_used_everywhere(reference: Rendered, name: str) -> None:
    dashboard = reference.dashboards[name]
    first, *others = dashboard["templating"]["list"]
    source = reference.spec.defaults.prometheus_datasource
    assert first == {
        "current": {"selected": True, "text": source.name, "value": source.uid},
        "hide": 0,
        "includeAll": False,
        "label": "Data source",
        "multi": False,
        "name": "datasource",
        "options": [],
        "query": "prometheus",
        "refresh": 1,
        "sort": 1,
        "type": "datasource",
    }
    ref = {"type": "prometheus", "uid": "${datasource}"}
    for variable in others:
        assert variable["datasource"] == ref
        assert variable["refresh"] == 2
    for panel, target in targets(dashboard):
        assert panel["datasource"] == ref
        assert target["datasource"] == ref


# -- queries ------------------------------------------------------------------------------------


def _exprs(reference: Rendered) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, dashboard in reference.dashboards.items():
        for panel, target in targets(dashboard):
            yield f"{name}: {panel['title']} {target['refId']}", target["expr"], target


def _substituted(expr: str) -> str:
    """The query as Prometheus receives it, with example values for Grafana's variables."""
    text = expr.replace("$__rate_interval", "1m").replace("$__range", "6h")
    return re.sub(r"\$\{?([A-Za-z_]\w*)\}?", r"value_of_\1", text)


def test_every_query_parses_after_substitution(reference: Rendered) -> None:
    for where, expr, _ in _exprs(reference):
        try:
            pp.parse(_substituted(expr))
        except ValueError as exc:
            pytest.fail(f"{where}: {exc}: {expr}")


def test_every_range_is_the_rate_interval_or_an_instant_whole_range(reference: Rendered) -> None:
    seen = set()
    for where, expr, target in _exprs(reference):
        for window in re.findall(r"\[([^\]]*)\]", expr):
            seen.add(window)
            allowed = {"$__rate_interval", "$__range"} if target["instant"] else {"$__rate_interval"}
            assert window in allowed, f"{where}: [{window}] in {expr}"
    assert seen == {"$__rate_interval", "$__range"}


def test_counters_only_inside_rate_or_increase(reference: Rendered) -> None:
    catalog = reference.catalog
    for where, expr, _ in _exprs(reference):
        stack: list[Any] = []

        def pre(node: Any, stack: list[Any] = stack, where: str = where) -> None:
            if isinstance(node, pp.VectorSelector) and node.name in catalog.series_names():
                metric, part = catalog.resolve_series(node.name)
                if metric.type is MetricType.COUNTER or part:
                    parent = stack[-2] if len(stack) >= 2 else None  # Call -> MatrixSelector -> VectorSelector
                    assert isinstance(stack[-1] if stack else None, pp.MatrixSelector), where
                    assert isinstance(parent, pp.Call) and parent.func.name in RATE_FUNCTIONS, where
            stack.append(node)

        def post(node: Any, stack: list[Any] = stack) -> None:
            stack.pop()

        pp.walk(pp.parse(_substituted(expr)), pre, post)


def test_queries_pass_the_catalog_analyzer(reference: Rendered) -> None:
    """Every selector is a catalog metric (or a recorded rule of the plan), used as its type allows."""
    rules = [r for g in reference.plan.rules.groups for r in g.rules if r.record]
    records = {r.record: r.expr for r in rules if r.record}
    # The SLO rules attach their `slo` label through the rule's `labels:`.
    labels: dict[str, frozenset[str]] = {}
    for r in rules:
        if r.record:
            labels[r.record] = labels.get(r.record, frozenset()) | {name for name, _ in r.labels}
    analyzer = Analyzer(reference.catalog, records, labels)
    for where, expr, _ in _exprs(reference):
        _, findings = analyzer.check(_substituted(expr))
        assert findings == [], f"{where}: {findings} in {expr}"


def test_latency_quantiles_aggregate_by_le(reference: Rendered) -> None:
    panel = panel_by_title(reference.dashboards["overview"], "Latency p50 / p95 / p99 by specialist")
    assert [t["expr"] for t in panel["targets"]] == [
        f"histogram_quantile({q}, sum by (le, specialist_type) "
        "(rate(specialist_request_duration_seconds_bucket[$__rate_interval])))"
        for q in ("0.5", "0.95", "0.99")
    ]


@pytest.mark.parametrize(
    ("name", "title", "metric"),
    [
        ("specialist", "Latency distribution", "specialist_request_duration_seconds"),
        ("specialist", "Quality score distribution", "specialist_quality_score"),
        ("specialist", "Confidence distribution", "specialist_confidence_score"),
        ("guardians", "Evaluation latency distribution", "guardian_evaluation_duration_seconds"),
    ],
)
def test_heatmaps_are_modern_over_precomputed_buckets(reference: Rendered, name: str, title: str, metric: str) -> None:
    panel = panel_by_title(reference.dashboards[name], title)
    assert panel["type"] == "heatmap"
    assert panel["options"]["calculate"] is False
    assert not {"cards", "xAxis", "yBucketBound", "color", "heatmap"} & set(panel)  # Angular-era keys
    [target] = panel["targets"]
    assert target["format"] == "heatmap"
    assert target["legendFormat"] == "{{le}}"
    variable = "specialist" if name == "specialist" else "guardian"
    label = "specialist_type" if name == "specialist" else "guardian_type"
    assert target["expr"] == f'sum by (le) (rate({metric}_bucket{{{label}=~"${variable}"}}[$__rate_interval]))'


def test_variables_select_with_regex_matchers(reference: Rendered) -> None:
    specialist = reference.dashboards["specialist"]
    [_, variable] = specialist["templating"]["list"]
    assert variable["name"] == "specialist"
    assert variable["query"]["query"] == "label_values(specialist_requests_total, specialist_type)"
    assert variable["multi"] is True and variable["includeAll"] is True
    own = {**specialist, "panels": [p for p in specialist["panels"] if not p["title"].startswith("Engine: ")]}
    for _, target in targets(own):
        assert 'specialist_type=~"$specialist"' in target["expr"]
    # the engine rows (tests/grafana/test_engine_panels.py) select their engine's series instead
    assert len(own["panels"]) < len(specialist["panels"])


# -- units --------------------------------------------------------------------------------------


UNITS = [
    ("overview", "Request rate", "reqps"),
    ("overview", "Error ratio", "percentunit"),
    ("overview", "Mean quality", "none"),
    ("overview", "p95 latency", "s"),
    ("overview", "Requests in range", "short"),
    ("overview", "Firing alerts", "short"),
    ("overview", "GPU utilization by node", "percentunit"),
    ("overview", "CPU utilization by node", "percentunit"),
    ("overview", "Memory utilization by node", "percentunit"),
    ("specialist", "Requests by status", "reqps"),
    ("specialist", "Error and timeout ratio", "percentunit"),
    ("specialist", "Tokens per second", "suffix: tok/s"),
    ("specialist", "Errors by type", "eps"),
    ("specialist", "GPU memory", "bytes"),
    ("specialist", "GPU utilization", "percent"),  # the specialist reports 0-100
    ("guardians", "Evaluation latency p50 / p95 / p99", "s"),
    ("guardians", "False-positive rate", "percentunit"),
    ("guardians", "Evaluation coverage", "percentunit"),
    ("gpu", "GPU memory used", "mbytes"),  # DCGM reports MiB
    ("gpu", "GPU temperature", "celsius"),
    ("gpu", "GPU power draw", "watt"),
    ("gpu", "XID errors by GPU", "short"),
    ("gpu", "gpu-a100-01: GPUs reporting", "short"),
]


@pytest.mark.parametrize(("name", "title", "unit"), UNITS)
def test_units_come_from_the_catalog(reference: Rendered, name: str, title: str, unit: str) -> None:
    assert panel_by_title(reference.dashboards[name], title)["fieldConfig"]["defaults"]["unit"] == unit


def test_heatmap_axes_carry_the_histogram_unit(reference: Rendered) -> None:
    latency = panel_by_title(reference.dashboards["specialist"], "Latency distribution")
    assert latency["options"]["yAxis"]["unit"] == "s"
    assert latency["options"]["cellValues"]["unit"] == "cps"  # observations per second
    quality = panel_by_title(reference.dashboards["specialist"], "Quality score distribution")
    assert quality["options"]["yAxis"]["unit"] == "none"


def test_gpu_utilization_is_a_ratio_and_thresholds_come_from_the_spec(reference: Rendered) -> None:
    panel = panel_by_title(reference.dashboards["gpu"], "GPU utilization")
    assert panel["targets"][0]["expr"] == (
        'max by (Hostname, gpu, UUID) (DCGM_FI_DEV_GPU_UTIL{Hostname=~"$node"} / 100)'
    )
    assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
        {"color": "green", "value": None},
        {"color": "red", "value": 0.95},  # utilization_high_percent: 95
    ]
    temperature = panel_by_title(reference.dashboards["gpu"], "GPU temperature")
    # min(max_temperature_celsius) 85 minus temperature_margin_celsius 5
    assert temperature["fieldConfig"]["defaults"]["thresholds"]["steps"][1] == {"color": "red", "value": 80}


def test_expected_gpus_come_from_the_inventory(reference: Rendered) -> None:
    gpu = reference.dashboards["gpu"]
    for node in reference.spec.gpu_inventory.nodes:
        panel = panel_by_title(gpu, f"{node.name}: GPUs reporting")
        assert panel["targets"][0]["expr"] == f'count(DCGM_FI_DEV_GPU_UTIL{{Hostname="{node.host}"}})'
        assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
            {"color": "red", "value": None},
            {"color": "green", "value": node.gpu_count},
            {"color": "orange", "value": node.gpu_count + 1},
        ]
    inventory = panel_by_title(gpu, "Inventory in the spec")["options"]["content"]
    assert "gpu\\-h100\\-01\\.eu\\-west\\.internal" in inventory  # markdown-escaped host label value


def test_firing_alerts_count_alerts_by_severity(reference: Rendered) -> None:
    panel = panel_by_title(reference.dashboards["overview"], "Firing alerts")
    assert panel["targets"][0]["expr"] == 'count by (severity) (ALERTS{alertstate="firing"})'
    assert panel["fieldConfig"]["defaults"]["noValue"] == "0"


def test_guardian_coverage_follows_watches(reference: Rendered) -> None:
    panel = panel_by_title(reference.dashboards["guardians"], "Evaluation coverage")
    by_legend = {t["legendFormat"]: t["expr"] for t in panel["targets"]}
    assert list(by_legend) == [g.name for g in reference.spec.guardians]
    assert by_legend["medical-safety"] == (
        'sum(rate(guardian_evaluations_total{guardian_type="medical-safety",guardian_type=~"$guardian"}'
        "[$__rate_interval])) / "
        '(sum(rate(specialist_requests_total{specialist_type=~"medical"}[$__rate_interval])) > 0)'
    )
    # legal's metric label value is legal-research
    assert 'specialist_type=~"code|legal-research|math|medical"' in by_legend["quality"]


def test_overview_links_to_the_specialist_dashboard(reference: Rendered) -> None:
    panel = panel_by_title(reference.dashboards["overview"], "Request rate by specialist")
    [link] = panel["fieldConfig"]["defaults"]["links"]
    assert link["url"].startswith(
        f"{reference.spec.defaults.dashboard_base_url}/d/{dashboard_uid(reference.plan.cluster, 'specialist')}?"
    )
    assert "var-specialist=${__field.labels.specialist_type}" in link["url"]


def test_panels_are_laid_out_in_rows(reference: Rendered) -> None:
    for dashboard in reference.dashboards.values():
        top = dashboard["panels"]
        assert top[0]["type"] == "row" and top[0]["gridPos"] == {"x": 0, "y": 0, "w": 24, "h": 1}
        ids = [p["id"] for p in panels(dashboard)]
        assert ids == list(range(1, len(ids) + 1))
        assert all(p["gridPos"]["x"] + p["gridPos"]["w"] <= 24 for p in panels(dashboard))
        assert any(True for _ in query_panels(dashboard)) or dashboard["uid"].endswith("-slo")


def test_validate_and_the_registry_never_import_grafanalib() -> None:
    code = (
        "import sys\n"
        "from guardiangen import pipeline\n"
        "assert pipeline.validate('specs/cluster.yaml').spec is not None\n"
        "from guardiangen.render import targets\n"
        "assert 'grafana' in [t.name for t in targets()]\n"
        "import guardiangen.lint.dashboards\n"
        "assert 'grafanalib' not in sys.modules, sorted(m for m in sys.modules if 'grafanalib' in m)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_slo_dashboard_covers_every_planned_slo(reference: Rendered) -> None:
    slo = reference.dashboards["slo"]
    planned = reference.plan.slos
    assert planned, "the reference spec defines SLOs; the SLO planner returned none"
    budgets = panel_by_title(slo, "Error budget remaining")
    assert [t["legendFormat"] for t in budgets["targets"]] == [s.id for s in planned]
    for s in planned:
        burn = panel_by_title(slo, f"{s.id}: burn rate")
        assert burn["targets"][0]["expr"] == f'{s.burn_rate}{{slo="{s.id}"}}'
        sli = panel_by_title(slo, f"{s.id}: SLI vs objective")
        assert sli["targets"][-1]["expr"] == s.objective
        assert panel_by_title(slo, f"{s.id}: budget left")["fieldConfig"]["defaults"]["unit"] == "percentunit"
    owners = [p["title"] for p in slo["panels"] if p["type"] == "row"][1:]
    assert owners == list(dict.fromkeys(f"{s.owner_kind.capitalize()} {s.owner}" for s in planned))
