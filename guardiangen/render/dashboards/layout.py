"""Grid layout: rows of panels on Grafana's 24-column grid, placed by guardiangen.

grafanalib has no automatic layout, and Grafana silently pushes overlapping panels down, so every
``gridPos`` is computed here. Each section is a row header (full width, height 1) followed by its
panels, packed left to right in "shelves": a panel that does not fit in what is left of the current
shelf starts the next one, below the tallest panel so far. Nothing overlaps and nothing passes
column 24 by construction; builders keep the panels of one shelf the same height so Grafana's
vertical compaction has no gaps to fill.

A collapsed row keeps its panels inside the row with the coordinates they get when it is expanded
(Grafana moves them as a block under the row), so the rows after it follow directly below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GRID_COLUMNS = 24
ROW_HEIGHT = 1


@dataclass(frozen=True)
class Box:
    """A ``gridPos``: column ``x``, row ``y``, width ``w`` (columns), height ``h`` (grid units)."""

    x: int
    y: int
    w: int
    h: int

    def as_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h}


@dataclass(frozen=True)
class SectionSize:
    """The panels of one section as (width, height) pairs, in reading order."""

    sizes: tuple[tuple[int, int], ...]
    collapsed: bool = False


@dataclass(frozen=True)
class PlacedSection:
    row: Box
    panels: tuple[Box, ...]


class LayoutError(ValueError):
    """A panel size that cannot be placed on the grid."""


def place(sections: Sequence[SectionSize]) -> list[PlacedSection]:
    """Place every section's row header and panels; see the module docstring for the rules."""
    placed: list[PlacedSection] = []
    y = 0
    for section in sections:
        row = Box(0, y, GRID_COLUMNS, ROW_HEIGHT)
        boxes, bottom = _pack(section.sizes, top=y + ROW_HEIGHT)
        placed.append(PlacedSection(row, tuple(boxes)))
        # A collapsed row takes one grid row on screen; its panels only appear when it is opened.
        y = row.y + ROW_HEIGHT if section.collapsed else bottom
    return placed


def _pack(sizes: Sequence[tuple[int, int]], *, top: int) -> tuple[list[Box], int]:
    boxes: list[Box] = []
    x, y, shelf = 0, top, 0
    for w, h in sizes:
        if not 0 < w <= GRID_COLUMNS or h <= 0:
            raise LayoutError(f"panel size {w}x{h} does not fit a {GRID_COLUMNS}-column grid")
        if x + w > GRID_COLUMNS:
            x, y, shelf = 0, y + shelf, 0
        boxes.append(Box(x, y, w, h))
        x += w
        shelf = max(shelf, h)
    return boxes, y + shelf
