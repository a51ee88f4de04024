"""When the session kinds are due: reminders, agenda prompts, no-show follow-ups, "no next session"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from engagements import services as engagement_services
from engagements.models import Engagement, Session
from notifications import services
from notifications.models import Kind, Notification
from tests.factories import AgendaItemFactory, CoachFactory, EngagementFactory, SessionFactory, UserFactory

Status = Notification.Status
START = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)  # Thursday 10:00 in New York
MINUTE = timedelta(minutes=1)


@pytest.fixture
def engagement(db) -> Engagement:
    return EngagementFactory(
        coach=CoachFactory(full_name="Ada Achebe", time_zone="Europe/London"),
        leader=UserFactory(full_name="Lee Lindqvist", time_zone="America/New_York"),
        organisation="Acme Logistics",
    )


@pytest.fixture
def session(engagement) -> Session:
    return SessionFactory(engagement=engagement, starts_at=START, location="https://video.example.com/lee")


def rows(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).select_related("recipient").order_by("recipient__email"))


# --- Session reminders ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_session_reminder_is_due_24_hours_before_to_the_leader_and_the_coach(session, run_tick):
    run_tick(START - timedelta(hours=24) - MINUTE)
    assert rows(Kind.SESSION_REMINDER) == []
    run_tick(START - timedelta(hours=24))
    reminders = rows(Kind.SESSION_REMINDER)
    engagement = session.engagement
    assert {r.recipient for r in reminders} == {engagement.leader, engagement.coach}
    assert {r.period_key for r in reminders} == {f"session:{session.pk}:20260312T1500Z"}
    assert all(r.due_at == START - timedelta(hours=24) and r.status == Status.SENT for r in reminders)
    assert all(r.engagement_id == engagement.pk for r in reminders)
    reminder_mails = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert sorted(m.to[0] for m in reminder_mails) == sorted([engagement.leader.email, engagement.coach.email])


@pytest.mark.django_db
def test_ticks_all_day_long_send_each_reminder_once(session, run_tick):
    for minutes in range(0, 24 * 60, 30):
        run_tick(START - timedelta(hours=24) + timedelta(minutes=minutes))
    assert len(rows(Kind.SESSION_REMINDER)) == 2
    assert len([m for m in mail.outbox if m.subject.startswith("Reminder")]) == 2


@pytest.mark.django_db
def test_a_session_booked_less_than_a_day_ahead_is_reminded_at_once(engagement, run_tick):
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        session = SessionFactory(engagement=engagement, starts_at=START)
    run_tick(START - timedelta(hours=3))
    assert len(rows(Kind.SESSION_REMINDER)) == 2
    assert session.pk


@pytest.mark.django_db
def test_a_moved_session_is_reminded_for_its_new_time_and_the_old_reminder_is_skipped(session, run_tick):
    with time_machine.travel(START - timedelta(hours=30), tick=False):
        services.notifications_record(
            specs=[s for s in _reminder_specs(START - timedelta(hours=23))], now=START - timedelta(hours=23)
        )
    new_start = START + timedelta(days=2)
    Session.objects.filter(pk=session.pk).update(starts_at=new_start)
    run_tick(START - timedelta(hours=23))
    old = rows(Kind.SESSION_REMINDER)
    assert {r.status for r in old} == {Status.SKIPPED}
    assert "moved" in old[0].skip_reason
    run_tick(new_start - timedelta(hours=24))
    fresh = Notification.objects.filter(kind=Kind.SESSION_REMINDER, status=Status.SENT)
    assert fresh.count() == 2
    assert {r.period_key for r in fresh} == {f"session:{session.pk}:20260314T1500Z"}


def _reminder_specs(now):
    from engagements.notifications import find_session_reminders

    return list(find_session_reminders(now))


@pytest.mark.django_db
def test_a_cancelled_session_gets_no_reminder(session, run_tick):
    engagement_services.session_cancel(session=session, now=START - timedelta(days=3))
    run_tick(START - timedelta(hours=2))
    assert rows(Kind.SESSION_REMINDER) == []


@pytest.mark.django_db
def test_a_session_cancelled_after_its_reminder_was_recorded_is_skipped(session, run_tick, monkeypatch):
    from notifications import tasks

    monkeypatch.setattr(tasks.send_notification_batch, "delay", lambda pks: None)  # recorded, not yet sent
    run_tick(START - timedelta(hours=20))
    engagement_services.session_cancel(session=session, now=START - timedelta(hours=19, minutes=30))
    for row in rows(Kind.SESSION_REMINDER):
        services.notification_deliver(notification_id=row.pk, now=START - timedelta(hours=19))
    assert {r.status for r in rows(Kind.SESSION_REMINDER)} == {Status.SKIPPED}
    assert mail.outbox == []


@pytest.mark.django_db
def test_sessions_of_finished_engagements_are_not_reminded(session, run_tick):
    Engagement.objects.filter(pk=session.engagement_id).update(status=Engagement.Status.COMPLETED)
    run_tick(START - timedelta(hours=2))
    assert rows(Kind.SESSION_REMINDER) == []


# --- Agenda prompts ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agenda_prompt_goes_to_the_leader_two_days_before(session, run_tick):
    run_tick(START - timedelta(hours=48) - MINUTE)
    assert rows(Kind.AGENDA_PROMPT) == []
    run_tick(START - timedelta(hours=48))
    (prompt,) = rows(Kind.AGENDA_PROMPT)
    assert (prompt.recipient, prompt.status) == (session.engagement.leader, Status.SENT)
    assert prompt.period_key == f"agenda:{session.pk}:20260312T1500Z"


@pytest.mark.django_db
def test_a_session_booked_a_day_and_a_half_ahead_is_prompted_at_once(engagement, run_tick):
    SessionFactory(engagement=engagement, starts_at=START)
    run_tick(START - timedelta(hours=36))
    assert len(rows(Kind.AGENDA_PROMPT)) == 1


@pytest.mark.django_db
def test_a_session_within_a_day_gets_the_reminder_but_no_agenda_prompt(engagement, run_tick):
    SessionFactory(engagement=engagement, starts_at=START)
    run_tick(START - timedelta(hours=23))
    assert rows(Kind.AGENDA_PROMPT) == []
    assert len(rows(Kind.SESSION_REMINDER)) == 2


# --- No-show follow-up ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recorded_no_show_sends_the_coach_a_follow_up(session, run_tick):
    recorded = START + timedelta(hours=1)
    with time_machine.travel(recorded, tick=False):
        engagement_services.session_record_outcome(session=session, status=Session.Status.NO_SHOW)
    run_tick(recorded - MINUTE)
    assert rows(Kind.NO_SHOW_FOLLOW_UP) == []
    run_tick(recorded + MINUTE)
    (follow_up,) = rows(Kind.NO_SHOW_FOLLOW_UP)
    assert (follow_up.recipient, follow_up.status) == (session.engagement.coach, Status.SENT)
    assert follow_up.period_key == f"no-show:{session.pk}"


@pytest.mark.django_db
def test_an_old_no_show_is_not_followed_up_days_later(session, run_tick):
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        engagement_services.session_record_outcome(session=session, status=Session.Status.NO_SHOW)
    run_tick(START + timedelta(days=4))
    assert rows(Kind.NO_SHOW_FOLLOW_UP) == []


@pytest.mark.django_db
def test_a_no_show_corrected_to_held_before_sending_is_skipped(session, run_tick, monkeypatch):
    from notifications import tasks

    with time_machine.travel(START + timedelta(hours=1), tick=False):
        engagement_services.session_record_outcome(session=session, status=Session.Status.NO_SHOW)
    monkeypatch.setattr(tasks.send_notification_batch, "delay", lambda pks: None)
    run_tick(START + timedelta(hours=2))
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        engagement_services.session_record_outcome(session=session, status=Session.Status.HELD)
    (row,) = rows(Kind.NO_SHOW_FOLLOW_UP)
    assert services.notification_deliver(notification_id=row.pk, now=START + timedelta(hours=3)) == Status.SKIPPED


# --- No next session booked ----------------------------------------------------------------------


@pytest.fixture
def held(engagement) -> Session:
    return SessionFactory(engagement=engagement, starts_at=START, status=Session.Status.HELD)


@pytest.mark.django_db
def test_a_week_after_the_last_session_with_none_booked_the_coach_is_nudged(held, run_tick):
    run_tick(START + timedelta(days=7) - MINUTE)
    assert rows(Kind.NO_NEXT_SESSION) == []
    run_tick(START + timedelta(days=7))
    (nudge,) = rows(Kind.NO_NEXT_SESSION)
    assert (nudge.recipient, nudge.status, nudge.period_key) == (
        held.engagement.coach,
        Status.SENT,
        f"no-next:{held.pk}",
    )
    run_tick(START + timedelta(days=8))
    assert len(rows(Kind.NO_NEXT_SESSION)) == 1


@pytest.mark.django_db
def test_no_nudge_when_a_next_session_is_booked(held, run_tick):
    SessionFactory(engagement=held.engagement, starts_at=START + timedelta(days=10))
    run_tick(START + timedelta(days=7))
    assert rows(Kind.NO_NEXT_SESSION) == []


@pytest.mark.django_db
def test_no_nudge_for_a_paused_engagement(held, run_tick):
    Engagement.objects.filter(pk=held.engagement_id).update(status=Engagement.Status.PAUSED)
    run_tick(START + timedelta(days=7))
    assert rows(Kind.NO_NEXT_SESSION) == []


@pytest.mark.django_db
def test_a_cancelled_session_does_not_count_as_the_last_one(held, run_tick):
    SessionFactory(engagement=held.engagement, starts_at=START + timedelta(days=3), status=Session.Status.CANCELLED)
    run_tick(START + timedelta(days=7))
    assert rows(Kind.NO_NEXT_SESSION)[0].period_key == f"no-next:{held.pk}"


@pytest.mark.django_db
def test_the_finders_iterate_in_chunks_with_a_fixed_number_of_queries(engagement, django_assert_max_num_queries):
    from engagements import notifications as sources

    for offset in range(30):
        SessionFactory(engagement=engagement, starts_at=START + timedelta(minutes=offset))
        AgendaItemFactory(session=Session.objects.last())
    now = START - timedelta(hours=20)
    with django_assert_max_num_queries(4):
        assert len(list(sources.find_session_reminders(now))) == 60
        list(sources.find_agenda_prompts(now))
        list(sources.find_no_show_follow_ups(now))
        list(sources.find_no_next_session(now))


# --- A leader who has not accepted the engagement yet ------------------------------------------


@pytest.mark.django_db
def test_a_leader_who_has_not_accepted_gets_no_reminder_while_the_coach_does(session, run_tick):
    Engagement.objects.filter(pk=session.engagement_id).update(awaiting_leader=True)
    run_tick(START - timedelta(hours=24))
    assert [r.recipient for r in rows(Kind.SESSION_REMINDER)] == [session.engagement.coach]


@pytest.mark.django_db
def test_a_leader_who_has_not_accepted_gets_no_agenda_prompt(session, run_tick):
    Engagement.objects.filter(pk=session.engagement_id).update(awaiting_leader=True)
    run_tick(START - timedelta(hours=48))
    assert rows(Kind.AGENDA_PROMPT) == []
