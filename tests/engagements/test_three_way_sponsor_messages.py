"""Sponsors at three-way meetings: the day-before reminder (with its calendar file) and the agenda
prompt reach them, with only the topics meant for that meeting; regular sessions never reach them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from engagements import notifications as sources
from engagements.models import Session
from notifications import services
from notifications.models import Notification
from tests.engagements.calendar_helpers import calendar_part, full_text, parse_both
from tests.factories import AgendaItemFactory, SessionFactory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def _send(finder, now) -> dict[str, list]:
    with time_machine.travel(now, tick=False):
        services.notifications_record(specs=finder(now), now=now)
        for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
            services.notification_deliver(notification_id=pk, now=now)
    by_person: dict[str, list] = {}
    for message in mail.outbox:
        by_person.setdefault(message.to[0], []).append(message)
    return by_person


@pytest.fixture
def three_way(cast):
    session = SessionFactory(
        engagement=cast.lee_engagement,
        kind=Session.Kind.THREE_WAY,
        starts_at=cast.lee_next_session.starts_at + timedelta(days=7),
    )
    AgendaItemFactory(session=session, author=cast.lee, text="Progress on delegation", visible_to_sponsor=True)
    AgendaItemFactory(session=session, author=cast.lee, text="My fear of the VP", visible_to_sponsor=False)
    return session


def test_the_sponsors_of_a_three_way_meeting_get_its_reminder_without_any_agenda(cast, three_way):
    sent = _send(sources.find_session_reminders, three_way.starts_at - timedelta(hours=23))
    assert set(sent) == {"lee@example.com", "ada@example.com", "sam@example.com", "sol@example.com"}
    (message,) = sent["sam@example.com"]
    assert message.subject.startswith("Reminder: three-way coaching meeting with Lee Lindqvist, ")
    assert "The three-way coaching meeting with Lee Lindqvist and Ada Achebe is on " in message.body
    assert f"Your coaching summary: {SITE}/" in message.body
    assert "/sessions/" not in message.body
    for topic in ("Progress on delegation", "My fear of the VP"):
        assert topic not in full_text(message)
    parsed = parse_both(calendar_part(message).get_payload(decode=True))
    assert parsed.vcal.method.value == "PUBLISH"
    assert "mailto:sam@example.com" in [a.value for a in parsed.vevents[0].attendee_list]


def test_a_regular_sessions_reminder_never_reaches_a_sponsor(cast):
    sent = _send(sources.find_session_reminders, cast.lee_next_session.starts_at - timedelta(hours=23))
    assert set(sent) == {"lee@example.com", "ada@example.com"}


def test_the_sponsors_agenda_prompt_lists_only_the_topics_meant_for_the_meeting(cast, three_way):
    sent = _send(sources.find_agenda_prompts, three_way.starts_at - timedelta(hours=47))
    assert set(sent) == {"lee@example.com", "sam@example.com", "sol@example.com"}
    (to_sam,) = sent["sam@example.com"]
    assert to_sam.subject.startswith("Three-way coaching meeting with Lee Lindqvist on ")
    assert "Progress on delegation" in to_sam.body
    assert "My fear of the VP" not in to_sam.body + to_sam.alternatives[0][0]
    (to_lee,) = sent["lee@example.com"]
    assert "Progress on delegation" in to_lee.body and "My fear of the VP" in to_lee.body


def test_a_sponsor_removed_before_the_reminder_goes_out_gets_nothing(cast, three_way):
    now = three_way.starts_at - timedelta(hours=23)
    with time_machine.travel(now, tick=False):
        services.notifications_record(specs=sources.find_session_reminders(now), now=now)
    cast.lee_engagement.sponsors.remove(cast.sam)
    row = Notification.objects.get(recipient=cast.sam)
    with time_machine.travel(now, tick=False):
        assert services.notification_deliver(notification_id=row.pk, now=now) == "skipped"
