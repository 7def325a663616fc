"""Specs other than the reference: another GPU exporter, no guardians, SLOs, odd text; and the provisioning files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rendered import DASHBOARD_DIR, Rendered, panel_by_title, render_spec, spec_variant, targets
from ruamel.yaml import YAML
from schema_check import schema_errors

from guardiangen.lint.dashboards import lint_dashboard_dir, lint_dashboards
from guardiangen.plan import dashboards as plan_dashboards
from guardiangen.plan.model import SloPlan, SloWindowSeries
from guardiangen.render.dashboards.provisioning import DASHBOARDS_PATH


def assert_clean(rendered: Rendered) -> None:
    dashboards = rendered.dashboards
    for name, dashboard in dashboards.items():
        assert schema_errors(dashboard) == [], name
    assert [d.format_text() for d in lint_dashboards(dashboards)] == []


def test_nvidia_smi_exporter(tmp_path: Path) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["gpu_inventory"]["exporter"] = "nvidia_smi"
        data["gpu_inventory"]["host_label"] = "instance"

    rendered = render_spec(spec_variant(tmp_path, mutate))
    assert_clean(rendered)
    gpu = rendered.dashboards["gpu"]
    # nvidia_smi already reports a 0-1 ratio (no "/ 100"), and has only the UUID to tell GPUs apart
    assert panel_by_title(gpu, "GPU utilization")["targets"][0]["expr"] == (
        'max by (instance, uuid) (nvidia_smi_utilization_gpu_ratio{instance=~"$node"})'
    )
    assert panel_by_title(gpu, "GPU memory used")["fieldConfig"]["defaults"]["unit"] == "bytes"
    assert panel_by_title(gpu, "XID errors by GPU")["targets"][0]["expr"] == (
        'sum by (instance, uuid) (increase(nvidia_smi_xid_errors_total{instance=~"$node"}[$__rate_interval]))'
    )
    memory = panel_by_title(gpu, "GPU memory used by node")["targets"][0]["expr"]
    assert "nvidia_smi_memory_total_bytes" in memory


def test_no_guardians(tmp_path: Path) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["guardians"] = []

    rendered = render_spec(spec_variant(tmp_path, mutate))
    assert_clean(rendered)
    coverage = panel_by_title(rendered.dashboards["guardians"], "Evaluation coverage")
    assert coverage["type"] == "text"


def test_many_nodes_wrap_the_inventory_stats(tmp_path: Path) -> None:
    def mutate(data: dict[str, Any]) -> None:
        nodes = [{"name": f"node-{i}", "gpu_model": "a100-80gb", "gpu_count": 8} for i in range(9)]
        data["gpu_inventory"]["nodes"] = nodes
        for i, specialist in enumerate(data["specialists"]):
            specialist["gpu_placement"]["nodes"] = [f"node-{i}"]

    rendered = render_spec(spec_variant(tmp_path, mutate))
    assert_clean(rendered)
    stats = [p for p in rendered.dashboards["gpu"]["panels"] if p["title"].endswith(": GPUs reporting")]
    assert len(stats) == 9
    assert {p["gridPos"]["w"] for p in stats} == {4}


def test_spec_text_is_escaped(tmp_path: Path) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["defaults"]["dashboard_folder"] = "LLM | *Guardian*"
        data["defaults"]["prometheus_datasource"]["name"] = 'Prom "PROD"'
        data["gpu_inventory"]["models"][0]["product_name"] = "NVIDIA <b>A100</b> | 80GB"

    rendered = render_spec(spec_variant(tmp_path, mutate))
    assert_clean(rendered)
    yaml = YAML(typ="safe", pure=True)
    provider = yaml.load(rendered.files["grafana/provisioning/dashboards/guardiangen.yml"])
    assert provider["providers"][0]["folder"] == "LLM | *Guardian*"
    sources = yaml.load(rendered.files["grafana/provisioning/datasources/guardiangen.yml"])
    assert sources["datasources"][0]["name"] == 'Prom "PROD"'
    current = rendered.dashboards["overview"]["templating"]["list"][0]["current"]
    assert current["text"] == 'Prom "PROD"'
    table = panel_by_title(rendered.dashboards["gpu"], "Inventory in the spec")["options"]["content"]
    assert "NVIDIA \\<b\\>A100\\</b\\> \\| 80GB" in table


def test_spec_text_with_grafana_variables_is_refused(tmp_path: Path) -> None:
    # Grafana expands $VAR in provisioning files and $var in panel text and links: the spec's text
    # fields refuse `$`, `{` and `}` rather than rely on per-format escaping.
    def mutate(data: dict[str, Any]) -> None:
        data["defaults"]["dashboard_folder"] = "LLM $HOME"
        data["gpu_inventory"]["models"][0]["product_name"] = "A100 ${__user.login}"

    with pytest.raises(AssertionError, match="GG106"):
        spec_variant(tmp_path, mutate)


# -- provisioning ---------------------------------------------------------------------------------


def test_dashboard_provider(reference: Rendered) -> None:
    text = reference.files["grafana/provisioning/dashboards/guardiangen.yml"]
    assert text.startswith("# options.path is a placeholder")
    doc = YAML(typ="safe", pure=True).load(text)
    assert doc == {
        "apiVersion": 1,
        "providers": [
            {
                "name": "guardiangen-llm-guardian-prod",
                "orgId": 1,
                "folder": "LLM Guardian Cluster",
                "type": "file",
                "disableDeletion": False,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 30,
                "options": {"path": DASHBOARDS_PATH, "foldersFromFilesStructure": False},
            }
        ],
    }


def test_datasources(reference: Rendered) -> None:
    doc = YAML(typ="safe", pure=True).load(reference.files["grafana/provisioning/datasources/guardiangen.yml"])
    assert doc == {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "type": "prometheus",
                "uid": "llm-guardian-prometheus",
                "access": "proxy",
                "url": "http://prometheus.monitoring.svc:9090",
                "editable": False,
                # $__rate_interval is computed from the datasource's scrape interval
                "jsonData": {"httpMethod": "POST", "timeInterval": "15s"},
            },
            {
                "name": "Alertmanager",
                "type": "alertmanager",
                "uid": "llm-guardian-alertmanager",
                "access": "proxy",
                "url": "http://alertmanager.monitoring.svc:9093",
                "editable": False,
                "jsonData": {"implementation": "prometheus", "handleGrafanaManagedAlerts": False},
            },
        ],
    }


# -- SLO dashboard ----------------------------------------------------------------------------------


def _slo(slo_id: str, owner: str, kind: str, objective: str, budget: str) -> SloPlan:
    windows = tuple(
        SloWindowSeries(w, f"slo:sli_error:ratio_rate{w}") for w in ("5m", "30m", "1h", "6h", "1d", "3d", "30d")
    )
    return SloPlan(
        id=slo_id,
        kind=kind,
        owner_kind="specialist",
        owner=owner,
        spec_path=f"specialists[{owner}].slos.{kind}",
        team="t",
        objective=objective,
        error_budget=budget,
        period="30d",
        selector=(("slo", slo_id),),
        windows=windows,
        burn_rate="slo:error_budget_burn:rate",
        budget_remaining="slo:error_budget:remaining",
        info="slo:objective:info",
    )


def test_slo_dashboard_without_slos_says_so(reference: Rendered) -> None:
    rendered = render_spec(reference.spec, replace(reference.plan, slos=()))
    slo = rendered.dashboards["slo"]
    assert schema_errors(slo) == []
    [row, note] = slo["panels"]
    assert row["type"] == "row" and note["type"] == "text"
    assert "No SLOs are defined" in note["options"]["content"]
    assert lint_dashboards({"slo.json": slo}) == []


def test_slo_dashboard_from_the_plan(reference: Rendered) -> None:
    slos = (
        _slo("code-availability", "code", "availability", "0.999", "0.001"),
        _slo("code-latency", "code", "latency", "0.95", "0.05"),
        _slo("math-availability", "math", "availability", "0.995", "0.005"),
    )
    # The dashboards' part of the plan follows the SLOs (which windows the SLI panels draw).
    plan = replace(reference.plan, slos=slos, dashboards=plan_dashboards.build(reference.spec, slos))
    rendered = render_spec(reference.spec, plan)
    slo = rendered.dashboards["slo"]
    assert schema_errors(slo) == []
    assert lint_dashboards({"slo.json": slo}) == []
    rows = [p["title"] for p in slo["panels"] if p["type"] == "row"]
    assert rows == ["All SLOs", "Specialist code", "Specialist math"]
    budgets = panel_by_title(slo, "Error budget remaining")
    assert [(t["legendFormat"], t["expr"]) for t in budgets["targets"]] == [
        (s.id, f'slo:error_budget:remaining{{slo="{s.id}"}}') for s in slos
    ]
    assert budgets["fieldConfig"]["defaults"]["unit"] == "percentunit"
    burn = panel_by_title(slo, "code-latency: burn rate")
    assert burn["targets"][0]["expr"] == 'slo:error_budget_burn:rate{slo="code-latency"}'
    assert burn["targets"][0]["legendFormat"] == "{{window}}"
    assert burn["fieldConfig"]["defaults"]["unit"] == "suffix:x"
    sli = panel_by_title(slo, "code-availability: SLI vs objective")
    assert [(t["legendFormat"], t["expr"]) for t in sli["targets"]] == [
        ("SLI (1h)", '1 - slo:sli_error:ratio_rate1h{slo="code-availability"}'),
        ("SLI (30d)", '1 - slo:sli_error:ratio_rate30d{slo="code-availability"}'),  # what the objective judges
        ("objective", "0.999"),
    ]
    assert "min" not in sli["fieldConfig"]["defaults"]  # zoomed to the data, not 0-100 %
    summary = panel_by_title(slo, "SLOs in the spec")["options"]["content"]
    assert "| code\\-availability | specialist code | availability | 99.9 % | 0.1 % | 30d |" in summary
    for _, target in targets(slo):
        assert "$__rate_interval" not in target["expr"]  # recorded series already carry their windows


# -- lint_dashboard_dir -----------------------------------------------------------------------------


def test_lint_dashboard_dir_reports_missing_directory(tmp_path: Path) -> None:
    [diag] = lint_dashboard_dir(tmp_path / "nope", label="out/grafana/dashboards")
    assert diag.path == "out/grafana/dashboards"
    assert "run `guardiangen render` first" in diag.message


def test_lint_dashboard_dir_reports_bad_json_and_lints_the_rest(reference: Rendered, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    overview = reference.dashboards["overview"]
    overview["panels"][1]["description"] = ""
    (tmp_path / "overview.json").write_text(json.dumps(overview), encoding="utf-8")
    diags = lint_dashboard_dir(tmp_path, label="out/" + DASHBOARD_DIR)
    assert [(d.path, d.code) for d in diags] == [
        ("out/grafana/dashboards/broken.json", "GG410"),
        ("out/grafana/dashboards/overview.json", "GG410"),
    ]
    assert diags[0].message.startswith("cannot read dashboard JSON")
    assert diags[1].message.endswith('panel 2 "Request rate" has no description')


@pytest.mark.parametrize("name", ["overview.json"])
def test_lint_dashboard_dir_default_label_is_the_path(reference: Rendered, tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(json.dumps({"schemaVersion": 39}), encoding="utf-8")
    diags = lint_dashboard_dir(tmp_path)
    assert diags and all(d.path == f"{tmp_path.as_posix()}/{name}" for d in diags)
