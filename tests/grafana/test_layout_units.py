"""The layout helper (no overlaps, within 24 columns) and the unit mapping (from expression meaning)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guardiangen.catalog import GpuExporter, MetricType, Scale, Unit, build_catalog
from guardiangen.promql import Meta
from guardiangen.promql.meta import of_metric, per_second
from guardiangen.render.dashboards.layout import GRID_COLUMNS, Box, LayoutError, SectionSize, place
from guardiangen.render.dashboards.units import UnitError, grafana_unit, value_range


def _overlap(a: Box, b: Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def test_shelves_wrap_at_24_columns() -> None:
    [section] = place([SectionSize(((12, 8), (12, 8), (8, 4), (8, 4), (8, 4), (24, 7)))])
    assert section.row == Box(0, 0, 24, 1)
    assert [(b.x, b.y, b.w, b.h) for b in section.panels] == [
        (0, 1, 12, 8),
        (12, 1, 12, 8),
        (0, 9, 8, 4),
        (8, 9, 8, 4),
        (16, 9, 8, 4),
        (0, 13, 24, 7),
    ]


def test_a_shelf_ends_below_its_tallest_panel() -> None:
    first, second = place([SectionSize(((6, 4), (6, 8), (12, 2), (24, 3))), SectionSize(((24, 5),))])
    assert [b.y for b in first.panels] == [1, 1, 1, 9]
    assert second.row == Box(0, 12, 24, 1)
    assert second.panels == (Box(0, 13, 24, 5),)


def test_collapsed_row_takes_one_line_and_keeps_its_panels_below_it() -> None:
    collapsed, following = place([SectionSize(((12, 8), (12, 8)), collapsed=True), SectionSize(((24, 4),))])
    assert collapsed.row == Box(0, 0, 24, 1)
    assert collapsed.panels == (Box(0, 1, 12, 8), Box(12, 1, 12, 8))  # where they open
    assert following.row == Box(0, 1, 24, 1)


def test_empty_section_is_just_a_row() -> None:
    first, second = place([SectionSize(()), SectionSize(((24, 2),))])
    assert first.panels == ()
    assert second.row.y == 1


@pytest.mark.parametrize("size", [(0, 4), (25, 4), (12, 0), (-1, 3)])
def test_impossible_sizes_are_refused(size: tuple[int, int]) -> None:
    with pytest.raises(LayoutError, match="does not fit"):
        place([SectionSize((size,))])


sizes = st.tuples(st.integers(1, GRID_COLUMNS), st.integers(1, 12))
sections = st.lists(
    st.builds(SectionSize, st.lists(sizes, max_size=12).map(tuple), st.booleans()), min_size=1, max_size=6
)


@given(sections)
def test_no_overlaps_and_nothing_past_column_24(layout: list[SectionSize]) -> None:
    placed = place(layout)
    # One plane: all rows plus the panels of expanded rows; each collapsed row's panels are their own plane.
    top = [p.row for p in placed] + [
        b for p, s in zip(placed, layout, strict=True) if not s.collapsed for b in p.panels
    ]
    planes = [top] + [list(p.panels) for p, s in zip(placed, layout, strict=True) if s.collapsed]
    for plane in planes:
        for box in plane:
            assert box.x >= 0 and box.y >= 0 and box.w > 0 and box.h > 0
            assert box.x + box.w <= GRID_COLUMNS
        for i, a in enumerate(plane):
            for b in plane[i + 1 :]:
                assert not _overlap(a, b), (a, b)
    rows = [p.row.y for p in placed]
    assert rows == sorted(rows)
    for p in placed:  # panels follow their row
        assert all(b.y > p.row.y for b in p.panels)


# -- units --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "unit"),
    [
        (Meta(Scale.RATIO, Unit.RATIO), "percentunit"),
        (Meta(Scale.PERCENT, Unit.PERCENT), "percent"),
        (Meta(Scale.ABSOLUTE, Unit.SECONDS), "s"),
        (Meta(Scale.ABSOLUTE, Unit.BYTES), "bytes"),
        (Meta(Scale.ABSOLUTE, Unit.MEBIBYTES), "mbytes"),
        (Meta(Scale.ABSOLUTE, Unit.CELSIUS), "celsius"),
        (Meta(Scale.ABSOLUTE, Unit.WATTS), "watt"),
        (Meta(Scale.ABSOLUTE, Unit.SCORE), "none"),
        (Meta(Scale.ABSOLUTE, Unit.COUNT), "short"),
        (Meta(Scale.ABSOLUTE, Unit.REQUESTS, per_second=True), "reqps"),
        (Meta(Scale.ABSOLUTE, Unit.EVENTS, per_second=True), "eps"),
        (Meta(Scale.ABSOLUTE, Unit.COUNT, per_second=True), "cps"),
        (Meta(Scale.ABSOLUTE, Unit.BYTES, per_second=True), "Bps"),
        # CPU seconds per second is a busy fraction
        (Meta(Scale.ABSOLUTE, Unit.SECONDS, per_second=True), "percentunit"),
    ],
)
def test_grafana_unit(meta: Meta, unit: str) -> None:
    assert grafana_unit(meta) == unit


def test_every_catalog_unit_has_a_grafana_unit() -> None:
    for unit in Unit:
        assert grafana_unit(Meta(Scale.ABSOLUTE, unit))


@pytest.mark.parametrize("gpu_exporter", ["dcgm", "nvidia_smi"])
def test_every_builtin_counter_rate_has_a_grafana_unit(gpu_exporter: GpuExporter) -> None:
    catalog = build_catalog(gpu_exporter=gpu_exporter, postgres_enabled=True)
    for metric in catalog:
        if metric.type is MetricType.COUNTER:
            assert grafana_unit(per_second(of_metric(metric))), metric.name


def test_rates_without_a_grafana_unit_are_refused() -> None:
    with pytest.raises(UnitError, match="no Grafana unit for celsius per second"):
        grafana_unit(Meta(Scale.ABSOLUTE, Unit.CELSIUS, per_second=True))


def test_unknown_meaning_is_refused() -> None:
    with pytest.raises(UnitError, match="unknown"):
        grafana_unit(Meta(scale=None))


def test_value_range() -> None:
    assert value_range(Meta(Scale.ABSOLUTE, Unit.SCORE)) == (0, 1)
    assert value_range(Meta(Scale.RATIO, Unit.RATIO)) == (0, None)  # small error ratios stay visible
    assert value_range(Meta(Scale.PERCENT, Unit.PERCENT)) == (0, None)
    assert value_range(Meta(Scale.ABSOLUTE, Unit.SECONDS)) == (None, None)
