"""E-mails of booking: the leader's "book your next session" nudge and the move/cancel links that
every session reminder carries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from booking import notifications as sources
from booking import services
from engagements import notifications as engagement_sources
from engagements.models import Session
from notifications import services as outbox
from notifications.models import Kind, Notification
from tests.factories import SessionFactory

SITE = "http://127.0.0.1:8000"
LAST = datetime(2027, 3, 1, 10, tzinfo=UTC)


def send(finder, now) -> list:
    """Records and sends what `finder` finds due at `now`: the messages of its kinds, not the calendar
    invitations a booking sends on its own."""
    with time_machine.travel(now, tick=False):
        specs = list(finder(now))
        outbox.notifications_record(specs=specs, now=now)
        mail.outbox.clear()
        due = Notification.objects.filter(status="pending", kind__in={spec.kind for spec in specs})
        for pk in due.values_list("pk", flat=True):
            outbox.notification_deliver(notification_id=pk, now=now)
    return list(mail.outbox)


@pytest.fixture
def held(engagement):
    return SessionFactory(engagement=engagement, starts_at=LAST, status=Session.Status.HELD, kind="kickoff")


@pytest.mark.usefixtures("availability", "held")
def test_a_week_after_the_last_session_the_leader_gets_a_link_to_book_the_next(engagement, leader):
    (message,) = send(sources.BOOKING_NUDGES.find_due, LAST + timedelta(days=7, minutes=1))

    assert message.to == [leader.email]
    assert message.subject == "Book your next session with Cora Coach"
    assert "2 planned sessions are left" in message.body
    assert f"{SITE}/engagements/{engagement.pk}/book/" in message.body
    assert f'href="{SITE}/engagements/{engagement.pk}/book/"' in message.alternatives[0][0]


@pytest.mark.usefixtures("availability", "held")
def test_no_nudge_before_a_week_or_once_a_session_is_booked(engagement):
    assert send(sources.BOOKING_NUDGES.find_due, LAST + timedelta(days=6, hours=23)) == []
    with time_machine.travel(LAST + timedelta(days=6), tick=False):
        services.booking_create(engagement=engagement, starts_at=datetime(2027, 3, 10, 10, tzinfo=UTC), length=60)
    assert send(sources.BOOKING_NUDGES.find_due, LAST + timedelta(days=7, minutes=1)) == []


@pytest.mark.usefixtures("held")
def test_no_nudge_when_the_coach_takes_no_bookings(engagement):
    assert send(sources.BOOKING_NUDGES.find_due, LAST + timedelta(days=7, minutes=1)) == []


@pytest.mark.usefixtures("availability", "held")
def test_no_nudge_once_every_planned_session_is_used(engagement):
    for days in (2, 3):
        SessionFactory(engagement=engagement, starts_at=LAST - timedelta(days=days), status=Session.Status.HELD)
    assert engagement.sessions.count() == engagement.planned_sessions
    assert send(sources.BOOKING_NUDGES.find_due, LAST + timedelta(days=7, minutes=1)) == []


def test_the_nudge_kind_is_known_to_the_outbox():
    assert Kind.BOOKING_NUDGE in Kind.values and Kind.ASSISTANT_LINK in Kind.values


@pytest.mark.usefixtures("availability")
def test_every_session_reminder_carries_move_and_cancel_links(engagement, leader):
    starts = datetime(2027, 3, 10, 10, tzinfo=UTC)
    with time_machine.travel(starts - timedelta(days=3), tick=False):
        session = services.booking_create(engagement=engagement, starts_at=starts, length=60)

    messages = send(engagement_sources.find_session_reminders, starts - timedelta(hours=23))

    assert len(messages) == 2  # leader and coach
    for message in messages:
        assert f"{SITE}/sessions/{session.pk}/move/" in message.body
        assert f"{SITE}/sessions/{session.pk}/cancel-booking/" in message.body
        assert f'href="{SITE}/sessions/{session.pk}/cancel-booking/"' in message.alternatives[0][0]
