"""The geometry of the report pages' charts, drawn as inline SVG by the templates.

No JavaScript and no style attributes (strict CSP): the templates draw these shapes with SVG
presentation attributes only. Every chart has a title and description (`role="img"`,
`aria-labelledby`) and is shown beside a GOV.UK table of the same figures, so nothing is
only in the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

# GOV.UK colours with at least 3:1 contrast against white (WCAG 1.4.11).
PALETTE = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b58840", "#505a5f")
TEXT = "#0b0c0c"
GRID = "#b1b4b6"

WIDTH = 640
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    value: float
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class LegendItem:
    x: float
    y: float
    fill: str
    text: str


@dataclass
class BarChart:
    """Vertical bars, grouped when there is more than one series."""

    id: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[AxisLabel] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    baseline: float = 0
    left: float = LEFT
    right: float = WIDTH - RIGHT
    empty: bool = False


def month_label(month: str) -> str:
    """'2025-01' -> 'Jan 2025'."""
    year, number = month.split("-")
    return f"{date(int(year), int(number), 1):%b} {year}"


def nice_top(value: float) -> tuple[float, float]:
    """A round top for the value axis and the step between its ticks (about five ticks)."""
    if value <= 0:
        return 1, 1
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if float(value).is_integer():
        step = max(1, math.ceil(step))
    return math.ceil(value / step - 1e-9) * step, step


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(*, id: str, title: str, description: str, categories: list[str],
              series: list[tuple[str, list[float | None]]], width: int = WIDTH, height: int = HEIGHT) -> BarChart:
    """Bars for each category (x) and series; None is drawn as no bar."""
    chart = BarChart(id=id, title=title, description=description, width=width, height=height)
    chart.right = width - RIGHT
    legend_rows = 1 if len(series) > 1 else 0
    top_y = TOP + legend_rows * 22
    base_y = height - BOTTOM
    chart.baseline = base_y
    values = [v for _, vs in series for v in vs if v is not None]
    peak = max(values, default=0)
    chart.empty = not categories or peak <= 0
    top, step = nice_top(peak)
    scale = (base_y - top_y) / top
    tick = 0.0
    while tick <= top + 1e-9:
        chart.ticks.append(Tick(y=round(base_y - tick * scale, 1), label=_number(tick)))
        tick += step
    plot_width = chart.right - chart.left
    slot = plot_width / max(len(categories), 1)
    group = slot * 0.8
    bar_width = group / max(len(series), 1)
    every = max(1, math.ceil(len(categories) / 12))
    for index, category in enumerate(categories):
        x0 = chart.left + index * slot + (slot - group) / 2
        for number, (name, vs) in enumerate(series):
            value = vs[index] if index < len(vs) else None
            if value is None:
                continue
            h = value * scale
            chart.bars.append(Bar(x=round(x0 + number * bar_width, 1), y=round(base_y - h, 1),
                                  width=round(max(bar_width - 2, 1), 1), height=round(h, 1),
                                  fill=PALETTE[number % len(PALETTE)], value=value,
                                  label=f"{category}, {name}: {_number(value)}"))
        if index % every == 0:
            chart.labels.append(AxisLabel(x=round(chart.left + index * slot + slot / 2, 1), y=base_y + 18,
                                          text=category))
    if legend_rows:
        x = float(chart.left)
        for number, (name, _) in enumerate(series):
            chart.legend.append(LegendItem(x=x, y=TOP, fill=PALETTE[number % len(PALETTE)], text=name))
            x += 24 + 7.5 * len(name)
    return chart


@dataclass(frozen=True)
class HBar:
    y: float
    width: float
    value: float
    label: str
    value_x: float
    fill: str


@dataclass
class HBarChart:
    """Horizontal bars: one per labelled row (long labels read better this way)."""

    id: str
    title: str
    description: str
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[HBar] = field(default_factory=list)
    empty: bool = False


def hbar_chart(*, id: str, title: str, description: str, rows: list[tuple[str, float]],
               width: int = WIDTH, label_width: int = 220) -> HBarChart:
    row_height, bar_height = 28, 20
    chart = HBarChart(id=id, title=title, description=description, width=width,
                      height=max(len(rows), 1) * row_height + 8, label_width=label_width, bar_height=bar_height)
    peak = max((v for _, v in rows), default=0)
    chart.empty = peak <= 0
    room = width - label_width - 60
    for index, (label, value) in enumerate(rows):
        bar = room * value / peak if peak else 0
        chart.rows.append(HBar(y=4 + index * row_height, width=round(bar, 1), value=value,
                               label=label if len(label) <= 34 else label[:33] + "…",
                               value_x=round(label_width + bar + 6, 1), fill=PALETTE[0]))
    return chart


@dataclass(frozen=True)
class Node:
    key: int
    x: float
    y: float
    label: str
    href: str


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke_width: float


@dataclass
class NetworkChart:
    id: str
    title: str
    description: str
    size: int
    radius: float
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def network_chart(*, id: str, title: str, description: str, nodes: list[tuple[int, str, str]],
                  edges: list[tuple[int, int, int]], size: int = 480) -> NetworkChart:
    """Nodes (key, label, link) on a circle, edges (source, target, weight) as lines."""
    centre = size / 2
    ring = centre - 40
    chart = NetworkChart(id=id, title=title, description=description, size=size, radius=18)
    places: dict[int, tuple[float, float]] = {}
    count = len(nodes)
    for index, (key, label, href) in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        x, y = (centre, centre) if count == 1 else (centre + ring * math.cos(angle), centre + ring * math.sin(angle))
        places[key] = (round(x, 1), round(y, 1))
        chart.nodes.append(Node(key=key, x=round(x, 1), y=round(y, 1), label=label, href=href))
    for source, target, weight in edges:
        if source in places and target in places:
            (x1, y1), (x2, y2) = places[source], places[target]
            chart.edges.append(Edge(x1=x1, y1=y1, x2=x2, y2=y2, stroke_width=min(2 + 2 * max(weight, 1), 10)))
    return chart
