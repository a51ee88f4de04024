"""The fieldwork panels of the session and engagement pages run a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fieldwork.selectors import engagement_fieldwork, session_fieldwork
from tests.factories import (
    CommitmentFactory,
    FieldworkTemplateFactory,
    PracticeLogFactory,
    WeeklyReflectionFactory,
)


def _fill(cast, size: int, first_week: int = 1) -> None:
    """`size` commitments agreed last session (each with logs), `size` at the next one, templates, reflections."""
    for i in range(size):
        c = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[i % 2])
        PracticeLogFactory.create_batch(2, commitment=c)
        PracticeLogFactory(commitment=c, kind="could_not")
        CommitmentFactory(session=cast.lee_next_session, goal=cast.lee_goals[0])
        FieldworkTemplateFactory(coach=cast.ada)
        WeeklyReflectionFactory(engagement=cast.lee_engagement, iso_year=2025, iso_week=first_week + i)


@pytest.mark.parametrize("size", [1, 7])
def test_session_panel_runs_six_queries_for_the_coach_at_any_size(cast, django_assert_num_queries, size):
    _fill(cast, size)
    session = cast.lee_next_session

    # 1 commitments agreed at this session with goals and counts; 2 commitments to review here with
    # goals, sessions and counts; 3 their logs with authors; 4 the engagement's goals; 5 the coach's
    # templates; 6 the engagement's forgotten count.
    with django_assert_num_queries(6):
        data = session_fieldwork(session=session, user=cast.ada)
        for c in data["to_review"]:
            [log.author for log in c.logs.all()]
    assert len(data["to_review"]) == size and len(data["agreed"]) == size


@pytest.mark.parametrize("size", [1, 7])
def test_session_panel_runs_four_queries_for_the_leader_at_any_size(cast, django_assert_num_queries, size):
    _fill(cast, size)

    # 1 agreed here; 2 to review here; 3 their logs; 4 goals. No library, no forgotten count.
    with django_assert_num_queries(4):
        data = session_fieldwork(session=cast.lee_next_session, user=cast.lee)
    assert data["templates"] == [] and not data["needs_attention"]


@pytest.mark.parametrize("size", [1, 7])
def test_engagement_panel_runs_three_queries_at_any_size(cast, django_assert_num_queries, size):
    _fill(cast, size)
    engagement = cast.lee_engagement
    engagement.leader  # noqa: B018 - loaded by the engagement page's own query

    # 1 open commitments with goals, sessions and counts; 2 forgotten count; 3 latest reflections.
    with django_assert_num_queries(3):
        data = engagement_fieldwork(engagement=engagement, user=cast.ada)
    assert len(data["active"]) == 2 * size


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("person", ["ada", "lee"])
def test_session_and_engagement_pages_do_not_grow_with_fieldwork(cast, client_for, person):
    client = client_for(person)
    paths = [f"/sessions/{cast.lee_next_session.pk}/", f"/engagements/{cast.lee_engagement.pk}/"]
    _fill(cast, 1)
    small = [_queries(client, p) for p in paths]
    _fill(cast, 2, first_week=10)  # three commitments per session: the most a session takes
    large = [_queries(client, p) for p in paths]

    assert small == large
