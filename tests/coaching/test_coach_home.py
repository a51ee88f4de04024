"""The coach's home: what needs attention, this week's sessions, and every engagement as a card."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.models import Engagement, Session
from fieldwork.models import Commitment
from notifications.models import Notification
from tests.coaching.helpers import PartnershipCheckInFactory, at, feedback_round, grow_history, held, reviewed
from tests.factories import (
    CommitmentFactory,
    EngagementFactory,
    GoalFactory,
    PracticeLogFactory,
    SessionFactory,
    StakeholderFactory,
    UserFactory,
)
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _attention(client) -> str:
    html = client.get("/coach/").content.decode()
    start = html.index('id="attention-h"')
    return html[start : html.index("</section>", start)]


def test_a_recent_no_show_appears_under_needs_attention(cast, client_for):
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(-4), status=Session.Status.NO_SHOW)
    attention = _attention(client_for("ada"))
    assert "Lee Lindqvist" in attention and "No-show: follow up with the leader" in attention


def test_an_old_no_show_no_longer_needs_attention(cast, client_for):
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(-40), status=Session.Status.NO_SHOW)
    assert "No-show" not in _attention(client_for("ada"))


def test_an_active_engagement_without_a_next_session_needs_attention(cast, client_for):
    attention = _attention(client_for("ben"))  # Liv's engagement has no session booked
    assert "Liv Larsen" in attention and "No next session booked" in attention
    assert "No next session booked" not in _attention(client_for("ada"))


def test_a_paused_engagement_without_a_next_session_is_left_alone(cast, client_for):
    cast.liv_engagement.status = Engagement.Status.PAUSED
    cast.liv_engagement.save()
    assert "No next session booked" not in _attention(client_for("ben"))


def test_an_engagement_ending_within_three_weeks_needs_attention(cast, client_for):
    today = timezone.localdate()
    cast.lee_engagement.planned_end_date = today + timedelta(days=10)
    cast.lee_engagement.save()
    assert "Ends in 10 days" in _attention(client_for("ada"))


def test_an_engagement_ending_later_is_not_listed(cast, client_for):
    cast.lee_engagement.planned_end_date = timezone.localdate() + timedelta(days=40)
    cast.lee_engagement.save()
    assert "Ends in" not in _attention(client_for("ada"))


def test_a_past_session_without_an_outcome_needs_attention(cast, client_for):
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(-2), status=Session.Status.SCHEDULED)
    assert "Record the outcome of the session" in _attention(client_for("ada"))


def test_e_mails_that_could_not_be_sent_need_attention_and_lead_to_the_outbox(cast, client_for):
    for _ in range(2):
        NotificationFactory(
            recipient=cast.lee,
            engagement_id=cast.lee_engagement.pk,
            status=Notification.Status.FAILED,
            due_at=at(-2),
            last_error="550 mailbox unavailable",
        )
    NotificationFactory(
        recipient=cast.lee,
        engagement_id=cast.lee_engagement.pk,
        status=Notification.Status.SENT,
        sent_at=at(-1),
        due_at=at(-1),
    )
    attention = _attention(client_for("ada"))
    assert "2 e-mails could not be sent" in attention
    assert f"/engagements/{cast.lee_engagement.pk}/outbox/" in attention


def test_old_failed_e_mails_and_other_coaches_failures_are_left_out(cast, client_for):
    NotificationFactory(
        recipient=cast.lee, engagement_id=cast.lee_engagement.pk, status=Notification.Status.FAILED, due_at=at(-30)
    )
    NotificationFactory(
        recipient=cast.liv, engagement_id=cast.liv_engagement.pk, status=Notification.Status.FAILED, due_at=at(-1)
    )
    assert "could not be sent" not in _attention(client_for("ada"))


def test_a_pattern_of_forgotten_fieldwork_needs_attention(cast, client_for):
    reviewed(cast.lee_past_session, Commitment.Outcome.NOT_DONE, forgotten=True)
    assert "forgotten" not in _attention(client_for("ada"))  # once is forgivable

    reviewed(cast.lee_past_session, Commitment.Outcome.NOT_DONE, forgotten=True)
    assert "2 commitments forgotten" in _attention(client_for("ada"))


def test_no_practice_logged_for_two_weeks_needs_attention(cast, client_for):
    commitment = CommitmentFactory(session=cast.lee_past_session)
    Commitment.objects.filter(pk=commitment.pk).update(created_at=at(-20))
    PracticeLogFactory(commitment=commitment, occurred_at=at(-16))
    assert re.search(r"No practice logged for 1[56] days", _attention(client_for("ada")))


def test_recent_practice_or_a_fresh_commitment_is_not_a_silence(cast, client_for):
    practised = CommitmentFactory(session=cast.lee_past_session)
    Commitment.objects.filter(pk=practised.pk).update(created_at=at(-20))
    PracticeLogFactory(commitment=practised, occurred_at=at(-2))
    assert "No practice logged" not in _attention(client_for("ada"))

    Commitment.objects.filter(pk=practised.pk).update(outcome=Commitment.Outcome.DONE, reviewed_at=at(0))
    CommitmentFactory(session=cast.lee_past_session)  # agreed today, nothing logged yet
    assert "No practice logged" not in _attention(client_for("ada"))


def test_cards_show_how_much_reviewed_fieldwork_was_done(cast, client_for):
    for outcome in (Commitment.Outcome.DONE, Commitment.Outcome.DONE, Commitment.Outcome.PARTLY):
        reviewed(cast.lee_past_session, outcome)
    html = client_for("ada").get("/coach/").content.decode()
    assert "Fieldwork done: 2 of 3 reviewed" in html and "67%" in html


def test_a_feedback_round_about_to_close_below_the_threshold_needs_attention(cast, client_for):
    feedback_round(
        cast.lee_engagement,
        {"peer": [[1, 1], [], []], "direct_report": [[2, 2], [1, 1], [0, 0]]},
        closes_in_days=2,
        close=False,
    )
    attention = _attention(client_for("ada"))
    assert "Progress round 1 closes in 2 days with too few answers: peers 1 of 3" in attention
    assert "direct reports" not in attention  # three answered: enough


def test_a_round_closing_later_or_a_group_too_small_to_ever_count_is_left_alone(cast, client_for):
    feedback_round(cast.lee_engagement, {"peer": [[1, 1], [], []]}, closes_in_days=10, close=False)
    feedback_round(cast.liv_engagement, {"manager": [[]]}, closes_in_days=1, close=False)
    assert "too few answers" not in _attention(client_for("ada"))
    assert "too few answers" not in _attention(client_for("ben"))


def test_another_coachs_engagements_never_appear(cast, client_for):
    SessionFactory(engagement=cast.liv_engagement, starts_at=at(-3), status=Session.Status.NO_SHOW)
    html = client_for("ada").get("/coach/").content.decode()
    assert "Liv Larsen" not in html and "Borealis" not in html


def test_nothing_needing_attention_is_said_plainly(cast, client_for):
    cast.lee_engagement.planned_end_date = timezone.localdate() + timedelta(weeks=8)
    cast.lee_engagement.save()
    assert "Nothing needs you right now." in _attention(client_for("ada"))


def test_cards_show_sessions_held_and_time_elapsed(cast, client_for):
    html = client_for("ada").get("/coach/").content.decode()
    assert "1 of 6 sessions held" in html
    assert "Week 5 of 12" in html
    assert f"/engagements/{cast.lee_engagement.pk}/summary/" in html


def test_this_week_lists_sessions_of_the_coming_days_only(cast, client_for):
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(2, 14))
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(20, 14))
    html = client_for("ada").get("/coach/").content.decode()
    start = html.index('id="week-h"')
    week = html[start : html.index("</section>", start)]
    assert week.count("/sessions/") == 1


@pytest.mark.parametrize("status", ["", "completed", "all"])
@pytest.mark.parametrize("size", [2, 12])
def test_the_coach_home_runs_the_same_queries_with_many_engagements_and_years_of_history(
    cast, client_for, django_assert_num_queries, size, status
):
    for i in range(size):
        engagement = EngagementFactory(
            coach=cast.ada,
            leader=UserFactory(),
            status=Engagement.Status.COMPLETED if i % 3 == 0 else Engagement.Status.ACTIVE,
        )
        GoalFactory(engagement=engagement)
        grow_history(engagement, 3)
        SessionFactory(engagement=engagement, starts_at=at(-3), status=Session.Status.NO_SHOW)
        NotificationFactory(recipient=engagement.leader, engagement_id=engagement.pk, status=Notification.Status.FAILED)
        if engagement.status == Engagement.Status.ACTIVE:
            feedback_round(engagement, {"peer": [[1], [], []]}, closes_in_days=1, close=False)
        PartnershipCheckInFactory(engagement=engagement, held_sessions=3, score=2)
        PartnershipCheckInFactory(engagement=engagement, held_sessions=6, score=1)
        StakeholderFactory(engagement=engagement, status="nominated")
        StakeholderFactory(engagement=engagement, status="nominated")
    held(cast.lee_engagement, 3)
    client = client_for("ada")
    # Session, user; open engagements with counts and last practice, their goals; sessions waiting
    # for an outcome; failed e-mails; forgotten commitments; feedback rounds closing short; fieldwork
    # counts of the cards; this week's sessions; with a filter other than "open": the filtered cards
    # and their goals. The navigation's "leads" and "sponsors" checks.
    expected = 12 if status == "" else 14
    with django_assert_num_queries(expected):
        response = client.get(f"/coach/?status={status}" if status else "/coach/")
    assert response.status_code == 200


@pytest.mark.parametrize(("score", "listed"), [(1, True), (2, True), (3, False)])
def test_a_low_partnership_check_in_needs_attention(cast, client_for, score, listed):
    PartnershipCheckInFactory(engagement=cast.lee_engagement, held_sessions=3, score=score)
    attention = _attention(client_for("ada"))
    assert (f"Partnership check-in scored {score} of 5" in attention) is listed
    assert "Partnership check-in" not in _attention(client_for("ben"))


def test_only_the_latest_check_in_counts(cast, client_for):
    PartnershipCheckInFactory(engagement=cast.lee_engagement, held_sessions=3, score=2)
    PartnershipCheckInFactory(engagement=cast.lee_engagement, held_sessions=6, score=4)
    assert "Partnership check-in" not in _attention(client_for("ada"))


def test_nominations_waiting_for_approval_need_attention_and_lead_to_the_roster(cast, client_for):
    StakeholderFactory(engagement=cast.lee_engagement, status="nominated")
    StakeholderFactory(engagement=cast.lee_engagement, status="nominated")
    StakeholderFactory(engagement=cast.lee_engagement, status="approved")
    attention = _attention(client_for("ada"))
    assert "2 stakeholder nominations waiting for your approval" in attention
    assert f'href="/engagements/{cast.lee_engagement.pk}/feedback/"' in attention
    assert "nomination" not in _attention(client_for("ben"))


def test_a_draft_engagement_without_a_session_needs_attention(cast, client_for):
    cast.liv_engagement.status = Engagement.Status.DRAFT
    cast.liv_engagement.save()
    attention = _attention(client_for("ben"))
    assert "Liv Larsen" in attention and "No next session booked" in attention
