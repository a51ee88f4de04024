"""Selectors: counts for the sponsor summary, the leader's home, and fixed query counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from engagements.models import Session
from fieldwork.models import Commitment
from fieldwork.selectors import (
    fieldwork_counts,
    forgotten_counts,
    leader_home_fieldwork,
    logs_per_week,
    reflection_history,
)
from fieldwork.services import reflection_save
from tests.factories import (
    CommitmentFactory,
    EngagementFactory,
    PracticeLogFactory,
    SessionFactory,
    WeeklyReflectionFactory,
)


def _reviewed(commitment, outcome, forgotten=False):
    Commitment.objects.filter(pk=commitment.pk).update(outcome=outcome, reviewed_at=timezone.now(), forgotten=forgotten)


def _fill(cast, n: int) -> None:
    """n commitments in Lee's engagement, each with two practised logs and one "could not"."""
    for i in range(n):
        c = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[i % 2])
        PracticeLogFactory.create_batch(2, commitment=c)
        PracticeLogFactory(commitment=c, kind="could_not")


def test_fieldwork_counts_are_numbers_per_engagement_with_zeros(cast):
    done = CommitmentFactory(session=cast.lee_past_session)
    partly = CommitmentFactory(session=cast.lee_past_session)
    CommitmentFactory(session=cast.lee_past_session)
    PracticeLogFactory.create_batch(3, commitment=done)
    PracticeLogFactory(commitment=partly)
    PracticeLogFactory(commitment=partly, kind="could_not")
    _reviewed(done, "done")
    _reviewed(partly, "partly")

    counts = fieldwork_counts(engagement_ids=[cast.lee_engagement.pk, cast.liv_engagement.pk])

    assert counts == {
        cast.lee_engagement.pk: {"commitments": 3, "logs": 4, "reviewed": 2, "completed": 1},
        cast.liv_engagement.pk: {"commitments": 0, "logs": 0, "reviewed": 0, "completed": 0},
    }


@pytest.mark.parametrize("size", [1, 6])
def test_count_selectors_run_one_query_each_at_any_size(cast, django_assert_num_queries, size):
    _fill(cast, size)
    ids = [cast.lee_engagement.pk, cast.liv_engagement.pk]

    with django_assert_num_queries(1):  # engagements annotated with commitment and log counts
        fieldwork_counts(engagement_ids=ids)
    with django_assert_num_queries(1):  # forgotten commitments grouped by engagement
        forgotten_counts(engagement_ids=ids)
    with django_assert_num_queries(1):  # practised logs grouped by engagement and day
        logs_per_week(engagement_ids=ids, weeks=4)


def test_forgotten_counts_leave_out_engagements_without_any(cast):
    c1 = CommitmentFactory(session=cast.lee_past_session)
    c2 = CommitmentFactory(session=cast.lee_past_session)
    _reviewed(c1, "not_done", forgotten=True)
    _reviewed(c2, "not_done", forgotten=False)

    assert forgotten_counts(engagement_ids=[cast.lee_engagement.pk, cast.liv_engagement.pk]) == {
        cast.lee_engagement.pk: 1
    }


@time_machine.travel(datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
def test_logs_per_week_counts_practised_logs_in_each_iso_week_oldest_first(db):
    session = SessionFactory(status=Session.Status.HELD, starts_at=timezone.now() - timedelta(days=40))
    c = CommitmentFactory(session=session)
    for days_ago in (0, 1, 8, 8, 22):
        PracticeLogFactory(commitment=c, occurred_at=timezone.now() - timedelta(days=days_ago))
    PracticeLogFactory(commitment=c, kind="could_not", occurred_at=timezone.now())
    PracticeLogFactory(commitment=c, occurred_at=timezone.now() - timedelta(days=60))  # outside the window

    weeks = logs_per_week(engagement_ids=[c.engagement_id], weeks=4)[c.engagement_id]

    assert [(w["week"], w["count"]) for w in weeks] == [
        ("2026-W45", 1),
        ("2026-W46", 0),
        ("2026-W47", 2),
        ("2026-W48", 2),
    ]


def test_leader_home_lists_active_commitments_with_logged_counts(cast, lee_commitment):
    PracticeLogFactory.create_batch(3, commitment=lee_commitment)
    PracticeLogFactory(commitment=lee_commitment, kind="could_not")
    reviewed = CommitmentFactory(session=cast.lee_past_session)
    _reviewed(reviewed, "done")
    CommitmentFactory(session=SessionFactory(engagement=cast.liv_engagement, status="held"))

    data = leader_home_fieldwork(leader=cast.lee)

    assert [c.pk for c in data["commitments"]] == [lee_commitment.pk]
    (c,) = data["commitments"]
    assert (c.logged_count, c.could_not_count, c.percent) == (3, 1, 75)
    assert [card["reflection"] for card in data["reflection_cards"]] == [None]


def test_leader_home_shows_this_weeks_reflection(cast):
    reflection_save(leader=cast.lee, engagement=cast.lee_engagement, wins="A win")

    data = leader_home_fieldwork(leader=cast.lee)

    assert data["reflection_cards"][0]["reflection"].wins == "A win"


@pytest.mark.parametrize("size", [1, 8])
def test_leader_home_fieldwork_runs_three_queries_at_any_size(cast, django_assert_num_queries, size):
    _fill(cast, size)
    for _ in range(size):
        EngagementFactory(leader=cast.lee)

    # 1 active commitments with goals, engagements and counts; 2 the leader's open engagements;
    # 3 this week's reflections of those engagements.
    with django_assert_num_queries(3):
        data = leader_home_fieldwork(leader=cast.lee)
    assert len(data["commitments"]) == size


@pytest.mark.parametrize("size", [1, 10])
def test_reflection_history_runs_three_queries_at_any_size(cast, django_assert_num_queries, size):
    for week in range(1, size + 1):
        WeeklyReflectionFactory(engagement=cast.lee_engagement, iso_year=2026, iso_week=week)

    # 1 reflections; 2 their ratings with goals; 3 the engagement's goals.
    with django_assert_num_queries(3):
        data = reflection_history(engagement=cast.lee_engagement)
        [list(r.ratings.all()) for r in data["reflections"]]
    assert len(data["reflections"]) == size
