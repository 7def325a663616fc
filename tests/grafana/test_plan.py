"""The dashboards' part of the plan: what the renderer reads instead of the spec, decided when planning."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from rendered import Rendered, spec_variant

from guardiangen.plan import dashboards
from guardiangen.plan.model import Datasource, InventoryNode, SloWindowSeries
from tests.conftest import plan_of


def test_datasources_folder_and_scrape_interval(reference: Rendered) -> None:
    plan = reference.plan.dashboards
    d = reference.spec.defaults
    assert plan.prometheus == Datasource(
        d.prometheus_datasource.name, d.prometheus_datasource.uid, d.prometheus_datasource.url
    )
    assert plan.alertmanager.uid == d.alertmanager_datasource.uid
    assert plan.folder == d.dashboard_folder
    assert plan.scrape_interval == "15s" and type(plan.scrape_interval) is str


def test_inventory_nodes_carry_their_models_figures(reference: Rendered) -> None:
    inventory = reference.spec.gpu_inventory
    models = {m.name: m for m in inventory.models}
    assert reference.plan.dashboards.gpu_nodes == tuple(
        InventoryNode(
            n.name,
            n.host,
            models[n.gpu_model].product_name,
            n.gpu_count,
            models[n.gpu_model].memory_gib,
            models[n.gpu_model].max_temperature_celsius,
        )
        for n in inventory.nodes
    )


def test_the_temperature_line_is_the_lowest_alerting_temperature(tmp_path: Path) -> None:
    def mutate(data: dict[str, Any]) -> None:
        models = data["gpu_inventory"]["models"]
        models[0]["max_temperature_celsius"] = 90
        models.append({**models[0], "name": "cool-gpu", "max_temperature_celsius": 70})
        data["gpu_inventory"]["thresholds"] = {"temperature_margin_celsius": 3, "utilization_high_percent": 99.5}

    thresholds = plan_of(spec_variant(tmp_path, mutate)).dashboards.thresholds
    assert thresholds.gpu_temperature_celsius == 67  # the coolest model (70) minus the margin (3)
    assert thresholds.gpu_utilization_percent == Decimal("99.5")


def test_guardians_watch_label_values_sorted_and_unique(reference: Rendered) -> None:
    [quality] = [g for g in reference.plan.dashboards.guardians if g.name == "quality"]
    assert quality.watched == ("code", "legal-research", "math", "medical")  # legal's label value is legal-research
    assert [g.name for g in reference.plan.dashboards.guardians] == [g.name for g in reference.spec.guardians]


def test_sli_windows_closest_to_an_hour_then_the_period(reference: Rendered) -> None:
    slo = reference.plan.slos[0]

    def windows(*names: str, period: str = "30d") -> tuple[str, ...]:
        series = tuple(SloWindowSeries(w, f"slo:error:ratio_rate{w}") for w in names)
        return tuple(w.window for w in dashboards.sli_windows(replace(slo, windows=series, period=period)))

    assert windows("5m", "30m", "1h", "6h", "30d") == ("1h", "30d")
    assert windows("5m", "2h", "30m") == ("30m",)
    assert windows("30m", "1h30m") == ("1h30m",)  # both 30m away from 1h: the first in text order
    assert windows("5m", "6h", period="6h") == ("5m", "6h")
    assert windows("1h", period="1h") == ("1h",)  # the period's window is not drawn twice
    assert windows() == ()
    planned = {lines.slo: lines.windows for lines in reference.plan.dashboards.sli}
    assert list(planned) == [s.id for s in reference.plan.slos]
    assert all(planned[s.id] == dashboards.sli_windows(s) for s in reference.plan.slos)
