"""Geometry for server-rendered SVG charts (templates draw them with presentation attributes only).

Charts are inline <svg> so they print, work without JavaScript and pass a strict content security
policy. Each chart also has a text alternative (a table or an aria-label) in its template.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import SCORE_MAX, SCORE_MIN
from .selectors import Figure, TrendPoint

TARGET = 1  # a net score above +1 is the usual goal of stakeholder-centred coaching


@dataclass
class LineChart:
    width: int
    height: int
    gridlines: list[dict] = field(default_factory=list)
    target_y: float = 0
    segments: list[str] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    x_labels: list[dict] = field(default_factory=list)
    plot_left: int = 0
    plot_right: int = 0
    has_data: bool = False


MINUS = "\u2212"


def _fmt(value: float) -> str:
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text.replace("-", MINUS)


def _short(label: str) -> str:
    return label.replace("Progress round ", "Round ")


def line_chart(points: list[TrendPoint], *, width: int = 440, height: int = 210) -> LineChart:
    """A line of net scores per round on a fixed -3..+3 scale; a round without enough answers is a gap."""
    left, right, top, bottom = 40, 60, 14, 44
    inset = 40  # keeps the first and last points (and their labels) clear of the axis and the edge
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(value: float) -> float:
        return round(top + (SCORE_MAX - value) / (SCORE_MAX - SCORE_MIN) * plot_h, 1)

    n = len(points)

    def x_of(i: int) -> float:
        span = plot_w - 2 * inset
        return round(left + inset + (span / 2 if n == 1 else i * span / (n - 1)), 1)

    chart = LineChart(width=width, height=height, plot_left=left, plot_right=width - right)
    chart.gridlines = [
        {"y": y_of(v), "label": f"{v:+d}".replace("-", MINUS) if v else "0", "zero": v == 0}
        for v in range(SCORE_MIN, SCORE_MAX + 1)
    ]
    chart.target_y = y_of(TARGET)
    segment: list[str] = []
    for i, point in enumerate(points):
        x = x_of(i)
        chart.x_labels.append({"x": x, "label": _short(point.label), "date": point.date})
        if point.net is None:
            if segment:
                chart.segments.append(" ".join(segment))
            segment = []
            chart.points.append({"x": x, "y": y_of(0), "missing": True, "label": point.label})
            continue
        y = y_of(point.net)
        segment.append(f"{'M' if not segment else 'L'}{x},{y}")
        chart.points.append({"x": x, "y": y, "missing": False, "value": _fmt(point.net), "label": point.label})
        chart.has_data = True
    if segment:
        chart.segments.append(" ".join(segment))
    return chart


@dataclass
class Bars:
    width: int
    height: int
    bars: list[dict]
    summary: str


def distribution_bars(figure: Figure, *, width: int = 238, height: int = 84) -> Bars:
    """Seven bars, one per score from -3 to +3, scaled to the largest count."""
    slot = width / 7
    base, top = height - 18, 14
    peak = figure.peak or 1
    bars = []
    for i, (score, count) in enumerate(figure.distribution):
        bar_h = round((base - top) * count / peak, 1)
        bars.append(
            {
                "x": round(i * slot + 4, 1),
                "w": round(slot - 8, 1),
                "y": round(base - bar_h, 1),
                "h": bar_h,
                "cx": round(i * slot + slot / 2, 1),
                "score": f"{score:+d}".replace("-", MINUS) if score else "0",
                "count": count,
                "positive": score > 0,
                "negative": score < 0,
            }
        )
    summary = ", ".join(f"{b['score']}: {b['count']}" for b in bars)
    return Bars(width=width, height=height, bars=bars, summary=f"Answers per score: {summary}")
