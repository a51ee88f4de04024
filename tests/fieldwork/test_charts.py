"""The self-rating chart's geometry: one line per goal, oldest week on the left, 10 at the top."""

from __future__ import annotations

from fieldwork.charts import HEIGHT, LEFT, TOP, WIDTH, ratings_chart
from tests.factories import SelfRatingFactory, WeeklyReflectionFactory


def test_each_goal_gets_a_line_with_a_point_per_rated_week(cast):
    calm, delegate = cast.lee_goals
    for week, calm_score, delegate_score in ((3, 2, None), (1, 10, 1), (2, 5, 5)):
        r = WeeklyReflectionFactory(engagement=cast.lee_engagement, iso_year=2026, iso_week=week)
        SelfRatingFactory(reflection=r, goal=calm, score=calm_score)
        if delegate_score:
            SelfRatingFactory(reflection=r, goal=delegate, score=delegate_score)
    reflections = list(cast.lee_engagement.reflections.prefetch_related("ratings"))

    chart = ratings_chart(reflections=reflections, goals=[calm, delegate])

    calm_line, delegate_line = chart.series
    assert [p.score for p in calm_line.points] == [10, 5, 2]  # weeks 1, 2, 3
    assert [p.score for p in delegate_line.points] == [1, 5]
    assert calm_line.points[0].x == LEFT and calm_line.points[-1].x == WIDTH - 16
    assert calm_line.points[0].y == TOP  # 10 is at the top
    assert delegate_line.points[0].y == HEIGHT - 34  # 1 is on the axis
    assert [label for _, label in chart.x_labels] == ["W1", "W2", "W3"]
    assert chart.table == [(calm.title, [10, 5, 2]), (delegate.title, [1, 5, None])]
    assert calm_line.dash == "" and delegate_line.dash  # told apart without colour


def test_a_single_week_is_drawn_in_the_middle(cast):
    r = WeeklyReflectionFactory(engagement=cast.lee_engagement, iso_year=2026, iso_week=5)
    SelfRatingFactory(reflection=r, goal=cast.lee_goals[0], score=7)

    chart = ratings_chart(reflections=[r], goals=cast.lee_goals)

    assert chart.series[0].points[0].x == LEFT + (WIDTH - LEFT - 16) / 2
    assert chart.has_points


def test_no_ratings_means_no_points(cast):
    chart = ratings_chart(reflections=[], goals=cast.lee_goals)

    assert not chart.has_points
