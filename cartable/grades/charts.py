"""Server-rendered SVG charts: a subject's marks over the year (/20) against the class average.

The chart is drawn by the template from the coordinates computed here; the same numbers are in a table
next to it, so the chart adds a picture and never holds information of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cartable.core import dates

WIDTH, HEIGHT = 320, 160
LEFT, RIGHT, TOP, BOTTOM = 28, 10, 10, 24


@dataclass
class Chart:
    subject: str
    width: int
    height: int
    student_points: str  # "x,y x,y" for a polyline
    class_points: str
    dots: list[tuple[float, float, str]]  # x, y, label
    class_dots: list[tuple[float, float, str]]
    ticks: list[tuple[float, int]]  # y, value
    rows: list  # the series' points, for the table


def _y(value: Decimal) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value) / 20), 1)  # drawing only: floats are fine


def evolution_chart(series) -> Chart:
    """Coordinates of one subject's marks (/20) and the class averages, in date order."""
    points = series.points
    n = len(points)
    span = WIDTH - LEFT - RIGHT

    def x(i: int) -> float:
        return round(LEFT + (span / 2 if n == 1 else span * i / (n - 1)), 1)

    dots, class_dots = [], []
    for i, (mark, value, mean) in enumerate(points):
        date = dates.date_court(mark.evaluation.date)
        french = {v: str(v).replace(".", ",") for v in (value, mean) if v is not None}
        if value is not None:
            dots.append((x(i), _y(value), f"{date} : {french[value]}"))
        if mean is not None:
            class_dots.append((x(i), _y(mean), f"{date} : {french[mean]}"))  # centre; the square is drawn around it
    return Chart(
        subject=series.name,
        width=WIDTH,
        height=HEIGHT,
        student_points=" ".join(f"{a},{b}" for a, b, _l in dots),
        class_points=" ".join(f"{a},{b}" for a, b, _l in class_dots),
        dots=dots,
        class_dots=[(round(a - 3, 1), round(b - 3, 1), label) for a, b, label in class_dots],
        ticks=[(_y(Decimal(v)), v) for v in (0, 5, 10, 15, 20)],
        rows=points,
    )
