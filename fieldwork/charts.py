"""Server-rendered SVG geometry for the self-rating chart: one line per goal, one point per week.

The template draws the SVG from these numbers with presentation attributes only (no inline styles),
so the chart passes a strict content security policy and prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext, pgettext

from engagements.models import Goal

from .models import WeeklyReflection

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 32, 16, 14, 34
MAX_WEEKS = 26
# Colours with at least 4.5:1 contrast on white; dashes tell the lines apart without colour.
SERIES_STYLES = [("#1f5f8b", ""), ("#2e7d5b", "8 5"), ("#8a4b00", "2 4")]
MARKERS = ["circle", "square", "diamond"]


@dataclass
class Point:
    x: float
    y: float
    score: int
    week: str

    @property
    def square_x(self) -> float:
        return self.x - 4

    @property
    def square_y(self) -> float:
        return self.y - 4

    @property
    def diamond(self) -> str:
        x, y = self.x, self.y
        return f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"


@dataclass
class Series:
    goal: Goal
    colour: str
    dash: str
    marker: str
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class Chart:
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM
    top: int = TOP
    weeks: list[str] = field(default_factory=list)
    table: list[tuple[str, list[int | None]]] = field(default_factory=list)

    @property
    def has_points(self) -> bool:
        return any(s.points for s in self.series)


def _y(score: int) -> float:
    return TOP + (10 - score) * (HEIGHT - TOP - BOTTOM) / 9


def ratings_chart(*, reflections: list[WeeklyReflection], goals: list[Goal]) -> Chart:
    """Geometry for the chart of self-ratings per goal over the last weeks (oldest on the left).

    `reflections` must have their `ratings` loaded; weeks without a reflection are left out.
    """
    weekly = sorted(reflections, key=lambda r: (r.iso_year, r.iso_week))[-MAX_WEEKS:]
    span = WIDTH - LEFT - RIGHT
    n = len(weekly)
    xs = [LEFT + span / 2] if n == 1 else [LEFT + i * span / (n - 1) for i in range(n)]
    series = [
        Series(goal=g, colour=SERIES_STYLES[i % 3][0], dash=SERIES_STYLES[i % 3][1], marker=MARKERS[i % 3])
        for i, g in enumerate(goals)
    ]
    by_goal = {s.goal.pk: s for s in series}
    table_rows: dict[int, list[int | None]] = {g.pk: [None] * n for g in goals}
    for i, reflection in enumerate(weekly):
        for rating in reflection.ratings.all():
            if rating.goal_id in by_goal:
                by_goal[rating.goal_id].points.append(
                    Point(
                        x=xs[i],
                        y=_y(rating.score),
                        score=rating.score,
                        week=gettext("week %(number)s") % {"number": reflection.iso_week},
                    )
                )
                table_rows[rating.goal_id][i] = rating.score
    step = max(1, -(-n // 6))  # at most six labels under the axis
    x_labels = [
        (xs[i], pgettext("short for week", "W%(number)s") % {"number": r.iso_week})
        for i, r in enumerate(weekly)
        if i % step == 0 or i == n - 1
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        series=series,
        x_labels=x_labels,
        y_ticks=[(_y(s), s) for s in (1, 4, 7, 10)],
        weeks=[gettext("Week %(week)s, %(year)s") % {"week": r.iso_week, "year": r.iso_year} for r in weekly],
        table=[(g.title, table_rows[g.pk]) for g in goals],
    )
