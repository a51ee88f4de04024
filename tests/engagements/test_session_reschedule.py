"""Moving a session: the new start is stored, and its reminders follow the new time."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from engagements import services
from engagements.models import Session
from notifications import services as outbox
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tick(django_capture_on_commit_callbacks):
    """`run_tick(at)`: one outbox tick at moment `at`, its sends run in-process before it returns."""

    def run(at):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return outbox.tick()

    return run


def _hour(days: float):
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def test_rescheduling_a_session_stores_the_new_start_and_details(cast):
    session = cast.lee_next_session
    new_start = _hour(9)
    services.session_reschedule(
        session=session, starts_at=new_start, duration_minutes=90, mode="phone", kind="three_way", location=" Room 4 "
    )
    session.refresh_from_db()
    assert (session.starts_at, session.duration_minutes, session.mode, session.kind, session.location) == (
        new_start,
        90,
        "phone",
        "three_way",
        "Room 4",
    )


def test_a_session_cannot_be_moved_into_the_past_or_once_it_is_no_longer_scheduled(cast):
    session = cast.lee_next_session
    old_start = session.starts_at
    with pytest.raises(ValidationError):
        services.session_reschedule(
            session=session, starts_at=_hour(-2), duration_minutes=60, mode="video", kind="regular", location=""
        )
    services.session_cancel(session=session)
    with pytest.raises(ValidationError, match="Only a scheduled session can be moved"):
        services.session_reschedule(
            session=session, starts_at=_hour(9), duration_minutes=60, mode="video", kind="regular", location=""
        )
    session.refresh_from_db()
    assert (session.starts_at, session.status) == (old_start, Session.Status.CANCELLED)


def test_the_coach_moves_a_session_from_its_edit_page(cast, client_for):
    session = cast.lee_next_session
    local_start = _hour(10).astimezone(cast.ada.tz).replace(hour=14)
    response = client_for("ada").post(
        f"/sessions/{session.pk}/edit/",
        {
            "starts_at": local_start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45",
            "kind": "regular",
            "mode": "in_person",
            "location": "Room 4",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"
    session.refresh_from_db()
    assert (session.starts_at, session.duration_minutes, session.mode) == (local_start, 45, "in_person")


def test_the_leader_cannot_move_a_session(cast, client_for):
    session = cast.lee_next_session
    old_start = session.starts_at
    response = client_for("lee").post(
        f"/sessions/{session.pk}/edit/",
        {"starts_at": "2030-01-01T10:00", "duration_minutes": "60", "kind": "regular", "mode": "video"},
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.starts_at == old_start


def test_a_move_into_the_past_is_refused_on_the_page_and_keeps_what_was_typed(cast, client_for):
    session = cast.lee_next_session
    old_start = session.starts_at
    yesterday = f"{timezone.localtime(timezone.now() - timedelta(days=1), ZoneInfo('Europe/London')):%Y-%m-%d}T10:00"
    response = client_for("ada").post(
        f"/sessions/{session.pk}/edit/",
        {"starts_at": yesterday, "duration_minutes": "45", "kind": "regular", "mode": "phone"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a time in the future" in html and f'value="{yesterday}"' in html
    session.refresh_from_db()
    assert session.starts_at == old_start


def test_reminders_follow_the_new_time_and_the_old_one_is_not_sent(cast, run_tick):
    session = cast.lee_next_session
    old_start = session.starts_at
    # A day before the old start, the reminders for the old time are recorded and sent.
    with time_machine.travel(old_start - timedelta(days=1, minutes=5), tick=False):
        services.session_reschedule(
            session=session,
            starts_at=old_start + timedelta(days=3),
            duration_minutes=60,
            mode="video",
            kind="regular",
            location="",
        )
    run_tick(old_start - timedelta(days=1))
    assert not Notification.objects.filter(kind=Kind.SESSION_REMINDER).exists()

    new_start = old_start + timedelta(days=3)
    run_tick(new_start - timedelta(days=1))

    reminders = Notification.objects.filter(kind=Kind.SESSION_REMINDER)
    assert sorted(r.recipient_id for r in reminders) == sorted([cast.lee.pk, cast.ada.pk])
    assert {r.due_at for r in reminders} == {new_start - timedelta(days=1)}
    assert {r.status for r in reminders} == {Notification.Status.SENT}
    assert len([m for m in mail.outbox if m.subject.startswith("Reminder")]) == 2


def test_a_reminder_recorded_for_the_old_time_is_skipped_after_the_move(cast, run_tick):
    session = cast.lee_next_session
    old_start = session.starts_at
    with time_machine.travel(old_start - timedelta(days=1), tick=False):
        outbox.notifications_record(
            specs=[s for s in _reminder_specs(old_start - timedelta(days=1)) if s.context["session_id"] == session.pk],
            now=old_start - timedelta(days=1),
        )
        services.session_reschedule(
            session=session,
            starts_at=old_start + timedelta(days=3),
            duration_minutes=60,
            mode="video",
            kind="regular",
            location="",
        )
    run_tick(old_start - timedelta(days=1))
    old = Notification.objects.filter(kind=Kind.SESSION_REMINDER)
    assert {r.status for r in old} == {Notification.Status.SKIPPED}
    assert {r.skip_reason for r in old} == {"The session was moved; a message for the new time is recorded separately."}


def _reminder_specs(now):
    from engagements.notifications import find_session_reminders

    return list(find_session_reminders(now))
