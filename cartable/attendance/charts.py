"""Server-rendered SVG charts: accessible (a title, a description, the numbers in text too)."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 28
LABEL = 110
WIDTH = 320


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: float
    text_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    width: int = WIDTH + LABEL + 60
    label_width: int = LABEL


def bars(values: list[tuple[str, float]], *, maximum: float | None = None) -> BarChart:
    """Horizontal bars, one per label, scaled to the largest value (or ``maximum``)."""
    top = maximum or max((v for _l, v in values), default=0) or 1
    found = []
    for index, (label, value) in enumerate(values):
        width = round(WIDTH * value / top, 1)
        found.append(Bar(label, value, index * ROW + 4, width, LABEL + width + 6))
    return BarChart(found, len(values) * ROW + 8)
