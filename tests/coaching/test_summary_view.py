"""The three-way progress summary page: what the sponsor sees, the leader's sponsor view, the coach's release."""

from __future__ import annotations

import dataclasses

import pytest

from coaching.summary import engagement_summary
from engagements.models import AgendaItem, Session
from tests.coaching.helpers import at, feedback_round, grow_history, held, reviewed
from tests.factories import CommitmentFactory, PracticeLogFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

RELEASED = "Lee now pauses before answering in the operations review; Sam has noticed the change."
UNRELEASED = "Lee wants Sam to hear about the reorganisation plan at the next three-way meeting."
NOT_SHARED = "A summary the coach keeps between Lee and herself for now."


def _url(engagement) -> str:
    return f"/engagements/{engagement.pk}/summary/"


@pytest.fixture
def summaries(cast):
    """Lee's engagement with a released summary, one marked for the sponsor but unreleased, one not shared."""
    e = cast.lee_engagement
    released = held(e, 20, shared_summary=RELEASED, summary_shared_with_sponsor=True, summary_released_at=at(-19))
    unreleased = held(e, 14, shared_summary=UNRELEASED, summary_shared_with_sponsor=True)
    not_shared = held(e, 10, shared_summary=NOT_SHARED)
    return {"released": released, "unreleased": unreleased, "not_shared": not_shared}


def test_the_sponsor_sees_goals_attendance_and_released_summaries(cast, client_for, summaries):
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(-3), status=Session.Status.NO_SHOW)
    html = client_for("sam").get(_url(cast.lee_engagement)).content.decode()

    assert "Stay calm under pressure from senior leaders" in html
    assert "Acme needs Lee&#x27;s team heard" in html
    assert RELEASED in html
    assert "4 of 6 sessions held" in html
    assert "No-show" in html


def test_the_sponsor_never_sees_an_unreleased_or_unshared_summary(cast, client_for, summaries):
    html = client_for("sam").get(_url(cast.lee_engagement)).content.decode()

    assert UNRELEASED not in html
    assert NOT_SHARED not in html
    assert "Not yet released" not in html
    assert "Sponsor view" not in html


def test_the_leader_previews_unreleased_summaries_marked_as_such(cast, client_for, summaries):
    html = client_for("lee").get(_url(cast.lee_engagement)).content.decode()

    assert "Sponsor view" in html
    assert UNRELEASED in html and "Not yet released" in html
    assert RELEASED in html
    assert NOT_SHARED not in html
    assert "Release to the sponsor" not in html


def test_the_leaders_sponsor_view_holds_exactly_what_the_sponsor_sees(cast, summaries):
    for_sponsor = engagement_summary(viewer=cast.sam, pk=cast.lee_engagement.pk)
    for_leader = engagement_summary(viewer=cast.lee, pk=cast.lee_engagement.pk)

    def facts(summary, **changes):
        return dataclasses.replace(summary, generated_at=None, viewer_role=None, includes_previews=None, **changes)

    released_only = tuple(s for s in for_leader.summaries if s.is_released)
    assert facts(for_leader, summaries=released_only) == facts(for_sponsor)
    assert [s.text for s in for_leader.summaries if not s.is_released] == [UNRELEASED]


def test_the_coach_releases_a_summary_from_the_summary_page(cast, client_for, summaries):
    session = summaries["unreleased"]
    response = client_for("ada").post(f"{_url(cast.lee_engagement)}sessions/{session.pk}/release/")

    assert response.status_code == 302 and response["Location"] == _url(cast.lee_engagement)
    session.refresh_from_db()
    assert session.summary_released_at is not None
    assert UNRELEASED in client_for("sam").get(_url(cast.lee_engagement)).content.decode()


def test_the_coach_sees_a_release_button_for_each_unreleased_summary(cast, client_for, summaries):
    html = client_for("ada").get(_url(cast.lee_engagement)).content.decode()

    assert html.count("Release to the sponsor") == 1
    assert f"sessions/{summaries['unreleased'].pk}/release/" in html


def test_releasing_a_summary_not_marked_for_the_sponsor_explains_why_and_changes_nothing(cast, client_for, summaries):
    session = summaries["not_shared"]
    response = client_for("ada").post(f"{_url(cast.lee_engagement)}sessions/{session.pk}/release/", follow=True)

    assert "Mark the summary as shared with the sponsor before releasing it." in response.content.decode()
    session.refresh_from_db()
    assert session.summary_released_at is None


def test_another_coach_cannot_release_a_summary(cast, client_for, summaries):
    session = summaries["unreleased"]
    response = client_for("ben").post(f"{_url(cast.lee_engagement)}sessions/{session.pk}/release/")

    assert response.status_code == 404
    session.refresh_from_db()
    assert session.summary_released_at is None


def test_the_leader_cannot_release_a_summary(cast, client_for, summaries):
    session = summaries["unreleased"]
    assert client_for("lee").post(f"{_url(cast.lee_engagement)}sessions/{session.pk}/release/").status_code == 404
    session.refresh_from_db()
    assert session.summary_released_at is None


@pytest.mark.parametrize("person", ["ben", "liv", "sue", "pam"])
def test_people_outside_the_engagement_get_a_404(cast, client_for, person):
    assert client_for(person).get(_url(cast.lee_engagement)).status_code == 404


def test_a_new_sponsor_of_another_engagement_gets_a_404(cast, client):
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(_url(cast.lee_engagement)).status_code == 404


def test_three_way_meetings_show_date_agenda_and_released_agreed_notes(cast, client_for):
    e = cast.lee_engagement
    meeting = held(
        e,
        30,
        kind=Session.Kind.THREE_WAY,
        shared_summary="Agreed: Sam gives feedback after each review.",
        summary_shared_with_sponsor=True,
        summary_released_at=at(-29),
    )
    AgendaItem.objects.create(
        session=meeting, author=cast.lee, text="Which signs of progress does Sam look for?", visible_to_sponsor=True
    )
    upcoming = SessionFactory(engagement=e, starts_at=at(12, 15), kind=Session.Kind.THREE_WAY)
    AgendaItem.objects.create(
        session=upcoming,
        author=cast.ada,
        text="Review the first stakeholder round",
        source=AgendaItem.Source.COACH,
        visible_to_sponsor=True,
    )
    AgendaItem.objects.create(
        session=upcoming,
        author=cast.lee,
        text="Reflection topic kept for the coach",
        source=AgendaItem.Source.REFLECTION,
    )

    html = client_for("sam").get(_url(e)).content.decode()

    assert "Agreed: Sam gives feedback after each review." in html
    assert "Which signs of progress does Sam look for?" in html
    assert "Review the first stakeholder round" in html
    assert "Reflection topic kept for the coach" not in html
    assert "Upcoming" in html


def test_agreed_notes_of_a_three_way_meeting_wait_for_release(cast, client_for):
    held(
        cast.lee_engagement,
        30,
        kind=Session.Kind.THREE_WAY,
        shared_summary="Draft of the agreed notes.",
        summary_shared_with_sponsor=True,
    )

    assert "Draft of the agreed notes." not in client_for("sam").get(_url(cast.lee_engagement)).content.decode()
    leader_html = client_for("lee").get(_url(cast.lee_engagement)).content.decode()
    assert "Draft of the agreed notes." in leader_html and "Not yet released" in leader_html


def test_the_summary_shows_last_and_next_session_dates(cast, client_for):
    html = client_for("sam").get(_url(cast.lee_engagement)).content.decode()
    last = cast.lee_past_session.starts_at
    nxt = cast.lee_next_session.starts_at
    from django.utils import timezone

    with timezone.override(cast.sam.tz):
        assert f"{timezone.localtime(last):%-d %b %Y}" in html
        assert f"{timezone.localtime(nxt):%-d %b %Y}" in html


def test_fieldwork_appears_as_counts_and_a_weekly_chart_without_any_text(cast, client_for):
    done = reviewed(cast.lee_past_session, "done", text="SECRET commitment text")
    reviewed(cast.lee_past_session, "not_done", text="SECRET second commitment")
    CommitmentFactory(session=cast.lee_past_session, text="SECRET open commitment")
    for days in (1, 2, 9):
        PracticeLogFactory(commitment=done, occurred_at=at(-days), note="SECRET log note")

    html = client_for("sam").get(_url(cast.lee_engagement)).content.decode()

    assert "SECRET" not in html
    assert "Commitments made</dt><dd>3</dd>" in html
    assert "3 times" in html
    assert "50%" in html and "1 of 2 reviewed" in html
    assert '<title id="practice-' in html and "Practice logged per week" in html


def test_each_goal_shows_the_stakeholders_net_score_across_closed_rounds(cast, client_for):
    e = cast.lee_engagement
    feedback_round(e, {"peer": [[1, 0], [1, 1], [2, 2]]}, opened_days_ago=60)
    feedback_round(e, {"peer": [[2, 1], [2, 1]], "direct_report": [[3, 1], [1, 2], [2, 3]]}, opened_days_ago=30)

    html = client_for("sam").get(_url(e)).content.decode()

    goal = cast.lee_goals[0]
    assert f'id="trend-{goal.pk}-title">Stakeholder net score: {goal.title}</title>' in html
    assert "Progress round 1" in html and "+1.3" in html  # (1 + 1 + 2) / 3
    assert "Progress round 2" in html
    assert "Rounds or groups with too few answers to stay anonymous are left out." in html


def test_a_round_where_no_group_reached_the_threshold_is_a_gap_not_a_score(cast, client_for):
    e = cast.lee_engagement
    feedback_round(e, {"peer": [[1, 1], [2, 2], [3, 3]]}, opened_days_ago=60)
    feedback_round(e, {"peer": [[-3, -3], [-3, -3]]}, opened_days_ago=30)  # two peers: below K = 3

    assert "left out (too few answers)" in client_for("sam").get(_url(e)).content.decode()
    trend = engagement_summary(viewer=cast.sam, pk=e.pk).goals[0].trend
    assert [value for _, value in trend.rows] == ["+2", "left out (too few answers)"]


def test_no_trend_is_shown_before_a_round_has_enough_answers(cast, client_for):
    feedback_round(cast.lee_engagement, {"peer": [[3, 3], [3, 3]]})
    html = client_for("sam").get(_url(cast.lee_engagement)).content.decode()
    assert "Stakeholder net score" not in html
    assert "Stakeholder results appear here after a feedback round" in html


def test_an_open_round_is_not_in_the_trend(cast, client_for):
    feedback_round(cast.lee_engagement, {"peer": [[3, 3], [3, 3], [3, 3]]}, close=False)
    assert "Stakeholder net score" not in client_for("sam").get(_url(cast.lee_engagement)).content.decode()


def test_an_engagement_without_fieldwork_says_so(cast, client_for):
    assert "No fieldwork agreed yet." in client_for("sam").get(_url(cast.lee_engagement)).content.decode()


@pytest.mark.parametrize("rounds", [1, 6])
def test_the_summary_runs_the_same_queries_whatever_the_history(cast, client_for, django_assert_num_queries, rounds):
    grow_history(cast.lee_engagement, rounds)
    for i in range(rounds):
        feedback_round(cast.lee_engagement, {"peer": [[1, 2], [2, 2], [0, 1]]}, opened_days_ago=80 - i)
    client = client_for("sam")
    # Session, user; engagement, its sponsors, its goals, its sessions, its three-way agenda;
    # fieldwork counts, practice logged per week; stakeholder rounds, goals, scores; the ledger entry
    # the leader reads; the navigation's "leads" and "sponsors" checks.
    with django_assert_num_queries(15):
        response = client.get(_url(cast.lee_engagement))
    assert response.content.decode().count("Three-way topic") == rounds


def test_the_practice_chart_starts_with_the_week_the_engagement_began(cast):
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    e = cast.lee_engagement
    e.start_date = timezone.localdate() - timedelta(days=10)
    e.save(update_fields=["start_date"])

    rows = engagement_summary(viewer=cast.sam, pk=e.pk).fieldwork.weekly_chart.rows
    first_week = e.start_date - timedelta(days=e.start_date.weekday())
    this_week = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert rows[0][0] == date_format(first_week, "j M")
    assert len(rows) == (this_week - first_week).days // 7 + 1


def test_a_long_running_engagement_shows_every_week_of_the_chart(cast):
    from coaching.summary import FIELDWORK_WEEKS

    e = cast.lee_engagement
    e.start_date = e.start_date.replace(year=e.start_date.year - 1)
    e.save(update_fields=["start_date"])
    assert len(engagement_summary(viewer=cast.sam, pk=e.pk).fieldwork.weekly_chart.rows) == FIELDWORK_WEEKS


@pytest.mark.parametrize(
    ("dates", "labels"),
    [
        (["2026-03-03", "2026-05-20"], ["Mar 2026", "May 2026"]),
        (["2026-03-03", "2026-03-24"], ["3 Mar", "24 Mar"]),
        (["2025-12-20", "2026-12-02", "2026-12-30"], ["20 Dec 2025", "2 Dec 2026", "30 Dec 2026"]),
        (["2026-03-03", "2026-03-03"], ["1. 3 Mar 2026", "2. 3 Mar 2026"]),
    ],
)
def test_trend_axis_labels_tell_every_round_apart(dates, labels):
    from datetime import date

    from coaching.summary import distinct_date_labels

    assert distinct_date_labels([date.fromisoformat(d) for d in dates]) == labels
