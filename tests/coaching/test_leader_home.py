"""The leader's home: next session with its agenda, goals, the partnership check-in when due, past engagements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.models import Engagement, Session
from tests.coaching.helpers import PartnershipCheckInFactory, at, feedback_round, grow_history, held
from tests.factories import (
    EngagementFactory,
    GoalFactory,
    SelfRatingFactory,
    SessionFactory,
    WeeklyReflectionFactory,
)

pytestmark = pytest.mark.django_db


def test_the_leader_sees_the_next_session_with_its_agenda_and_goals(cast, client_for):
    html = client_for("lee").get("/leader/").content.decode()
    assert cast.secrets["agenda_item"] in html
    assert "Stay calm under pressure from senior leaders" in html
    assert f"/engagements/{cast.lee_engagement.pk}/summary/" in html


def test_the_check_in_prompt_appears_after_the_third_held_session(cast, client_for):
    client = client_for("lee")
    held(cast.lee_engagement, 20)
    assert "Partnership check-in" not in client.get("/leader/").content.decode()

    held(cast.lee_engagement, 14)
    html = client.get("/leader/").content.decode()
    assert "Partnership check-in" in html and "How is the coaching working for you?" in html
    assert f"/engagements/{cast.lee_engagement.pk}/check-in/" in html


def test_an_answered_check_in_is_not_asked_again_until_the_sixth_session(cast, client_for):
    for days in (30, 20, 14):
        held(cast.lee_engagement, days)
    PartnershipCheckInFactory(engagement=cast.lee_engagement, held_sessions=3)
    client = client_for("lee")
    assert "Partnership check-in" not in client.get("/leader/").content.decode()

    for days in (12, 11, 10):
        held(cast.lee_engagement, days)
    assert "Partnership check-in" in client.get("/leader/").content.decode()


def test_a_three_way_meeting_next_tells_the_leader_which_topics_the_sponsor_sees(cast, client_for):
    cast.lee_next_session.kind = Session.Kind.THREE_WAY
    cast.lee_next_session.save()
    html = client_for("lee").get("/leader/").content.decode()
    assert "your sponsor joins and sees the topics marked “sponsor sees this”" in html
    # The cast's topic was written while the session was a regular one: it stays private.
    item_at = html.index(cast.lee_agenda_item.text)
    assert "Only you and your coach" in html[item_at : item_at + 400]


def test_finished_engagements_are_listed_apart(cast, client_for):
    EngagementFactory(coach=cast.ben, leader=cast.lee, organisation="Old Firm", status=Engagement.Status.COMPLETED)
    html = client_for("lee").get("/leader/").content.decode()
    assert "Past engagements" in html and "Old Firm" in html


def test_goals_show_the_leaders_own_rating_trend(cast, client_for):
    goal = cast.lee_goals[0]
    now = timezone.now()
    for weeks_ago, score in ((2, 4), (1, 6), (0, 7)):
        year, week, _ = (now - timedelta(weeks=weeks_ago)).astimezone(cast.lee.tz).isocalendar()
        reflection = WeeklyReflectionFactory(engagement=cast.lee_engagement, iso_year=year, iso_week=week)
        SelfRatingFactory(reflection=reflection, goal=goal, score=score)

    html = client_for("lee").get("/leader/").content.decode()

    assert "Your rating <strong>7/10</strong>" in html and "up 1 since your last reflection" in html
    assert f'id="rating-{goal.pk}-title"' in html
    assert "Rate this goal in your weekly reflection" in html  # the second goal has no rating yet


def test_goals_show_the_stakeholders_net_score_once_a_round_has_closed(cast, client_for):
    feedback_round(cast.lee_engagement, {"peer": [[1, 2], [2, 2], [1, 1]]}, opened_days_ago=30)
    html = client_for("lee").get("/leader/").content.decode()
    assert "Stakeholders <strong>+1.3</strong>" in html and "Progress round 1; target +1" in html


@pytest.mark.parametrize("size", [1, 8])
def test_the_leader_home_runs_the_same_queries_as_history_grows(cast, client_for, django_assert_num_queries, size):
    grow_history(cast.lee_engagement, size)
    for i in range(size):
        reflection = WeeklyReflectionFactory(engagement=cast.lee_engagement, iso_year=2026, iso_week=30 + i)
        SelfRatingFactory(reflection=reflection, goal=cast.lee_goals[0], score=5)
        feedback_round(cast.lee_engagement, {"peer": [[1, 2], [2, 2], [1, 1]]}, opened_days_ago=80 - i)
        old = EngagementFactory(coach=cast.ben, leader=cast.lee, status=Engagement.Status.COMPLETED)
        GoalFactory(engagement=old)
        SessionFactory(engagement=old, starts_at=at(-300), status=Session.Status.HELD)
    client = client_for("lee")
    with django_assert_num_queries(LEADER_HOME_QUERIES):
        response = client.get("/leader/")
    assert response.status_code == 200


# Session, user; engagements with counts and the last check-in, their goals, upcoming sessions, their
# agenda items, the goals' self-ratings; the stakeholder trend: closed rounds, goals, scores; fieldwork:
# active commitments, open engagements, this week's reflections; the navigation's "leads" and
# "sponsors" checks.
LEADER_HOME_QUERIES = 15


@pytest.mark.parametrize("open_engagements", [1, 3])
def test_the_leader_home_runs_the_same_queries_with_more_open_engagements(
    cast, client_for, django_assert_num_queries, open_engagements
):
    feedback_round(cast.lee_engagement, {"peer": [[1, 2], [2, 2], [1, 1]]}, opened_days_ago=40)
    for _ in range(open_engagements - 1):
        other = EngagementFactory(coach=cast.ben, leader=cast.lee)
        GoalFactory(engagement=other)
        feedback_round(other, {"peer": [[1], [2], [0]]}, opened_days_ago=40)
    client = client_for("lee")
    with django_assert_num_queries(LEADER_HOME_QUERIES):
        assert client.get("/leader/").status_code == 200


def test_the_leader_is_told_when_the_coach_has_paused_the_engagement(cast, client_for):
    client = client_for("lee")
    assert "has paused this engagement" not in client.get("/leader/").content.decode()
    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(status=Engagement.Status.PAUSED)
    for path in ("/leader/", f"/engagements/{cast.lee_engagement.pk}/"):
        html = client.get(path).content.decode()
        assert "Ada Achebe has paused this engagement." in html, path
        assert "reflection prompts and fieldwork reminders stop until it resumes" in html
    coach_view = client_for("ada").get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()
    assert "has paused this engagement" not in coach_view
