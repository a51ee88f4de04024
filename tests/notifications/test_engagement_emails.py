"""What the session e-mails say, where their links lead, and the calendar file they carry."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from icalendar import Calendar

from engagements import notifications as sources
from engagements import services as engagement_services
from engagements.models import Session
from notifications import services
from notifications.models import Notification

SITE = "http://127.0.0.1:8000"


def send(finder, now, *, to=None) -> list:
    """Records what `finder` says is due at `now` and sends it; returns the e-mails (to `to` only, if given)."""
    with time_machine.travel(now, tick=False):
        services.notifications_record(specs=finder(now), now=now)
        for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
            services.notification_deliver(notification_id=pk, now=now)
    return [m for m in mail.outbox if to is None or m.to == [to.email]]


def parts(message) -> str:
    return message.subject + message.body + message.alternatives[0][0]


@pytest.fixture
def reminder_time(cast):
    return cast.lee_next_session.starts_at - timedelta(hours=23)


@pytest.mark.django_db
def test_the_leaders_session_reminder_says_when_and_with_whom_but_never_the_agenda(cast, reminder_time):
    session = cast.lee_next_session
    (message,) = send(sources.find_session_reminders, reminder_time, to=cast.lee)
    local = session.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert (
        message.subject
        == f"Reminder: coaching session with Ada Achebe, {local:%a} {local.day} {local:%b} at {local:%H:%M}"
    )
    assert f"is on {local:%A} {local.day} {local:%B} at {local:%H:%M} (America/New_York time)" in message.body
    # E-mail and calendars are often shared with assistants: the agenda stays on the session page.
    assert cast.secrets["agenda_item"] not in parts(message) + message.attachments[0].as_string()
    assert f"{SITE}/sessions/{session.pk}/" in message.body
    assert f'href="{SITE}/sessions/{session.pk}/"' in message.alternatives[0][0]
    assert "Hello Lee," in message.body


@pytest.mark.django_db
def test_the_coachs_reminder_names_the_leader_in_the_coachs_time_zone(cast, reminder_time):
    (message,) = send(sources.find_session_reminders, reminder_time, to=cast.ada)
    local = cast.lee_next_session.starts_at.astimezone(ZoneInfo("Europe/London"))
    assert message.subject.startswith("Reminder: session with Lee Lindqvist (Acme Logistics), ")
    assert message.subject.endswith(f"at {local:%H:%M}")


@pytest.mark.django_db
def test_no_reminder_ever_carries_the_coachs_private_notes(cast, reminder_time):
    engagement_services.session_write_notes(
        session=cast.lee_next_session, shared_summary="", private_notes="Secret plan", summary_shared_with_sponsor=False
    )
    for message in send(sources.find_session_reminders, reminder_time):
        text = parts(message) + message.attachments[0].as_string()
        assert cast.secrets["private_notes"] not in text
        assert "Secret plan" not in text


@pytest.mark.django_db
def test_the_calendar_file_parses_back_as_one_published_event_at_the_sessions_time(cast, reminder_time):
    session = cast.lee_next_session
    (message,) = send(sources.find_session_reminders, reminder_time, to=cast.lee)
    (attachment,) = message.attachments
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename().endswith(".ics")
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    assert calendar["METHOD"] == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"session-{session.pk}@127.0.0.1"
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTEND") == session.ends_at
    # In the coach's own zone, with its VTIMEZONE, so the hour survives daylight-saving changes.
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert int(event["SEQUENCE"]) == session.sequence == 0
    assert str(event["SUMMARY"]) == "Coaching session: Lee Lindqvist with Ada Achebe"
    assert cast.secrets["agenda_item"] not in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Video call"
    assert str(event["URL"]) == f"{SITE}/sessions/{session.pk}/"


@pytest.mark.django_db
def test_the_calendar_uid_stays_the_same_when_the_session_moves(cast):
    from engagements.calendar import reminder_calendar

    session = cast.lee_next_session
    before = Calendar.from_ical(reminder_calendar(session)).walk("VEVENT")[0]
    engagement_services.session_reschedule(
        session=session,
        starts_at=session.starts_at + timedelta(days=1),
        duration_minutes=60,
        mode=session.mode,
        kind=session.kind,
        location="",
    )
    after = Calendar.from_ical(reminder_calendar(session)).walk("VEVENT")[0]
    assert before["UID"] == after["UID"]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1 == 1
    assert after.decoded("DTSTART") - before.decoded("DTSTART") == timedelta(days=1)


@pytest.mark.django_db
def test_the_agenda_prompt_links_straight_to_the_agenda_form(cast):
    session = cast.lee_next_session
    (message,) = send(sources.find_agenda_prompts, session.starts_at - timedelta(hours=47), to=cast.lee)
    assert message.subject.startswith("Bring your topics to ")
    assert message.subject.endswith("session with Ada Achebe")
    assert f"Add your topics: {SITE}/sessions/{session.pk}/#agenda-h" in message.body
    assert cast.secrets["agenda_item"] in message.body
    response = cast_client(cast.lee).get(f"/sessions/{session.pk}/")
    assert 'id="agenda-h"' in response.content.decode()


@pytest.mark.django_db
def test_the_no_show_follow_up_tells_the_coach_how_to_reach_the_leader(cast):
    session = cast.lee_next_session
    with time_machine.travel(session.starts_at + timedelta(hours=1), tick=False):
        engagement_services.session_record_outcome(session=session, status=Session.Status.NO_SHOW)
    (message,) = send(sources.find_no_show_follow_ups, session.starts_at + timedelta(hours=2), to=cast.ada)
    assert message.subject.startswith("Lee Lindqvist missed the session on ")
    assert "lee@example.com" in message.body
    assert f"Open the engagement: {SITE}/engagements/{cast.lee_engagement.pk}/" in message.body
    assert "No next session is booked yet." in message.body


@pytest.mark.django_db
def test_the_no_next_session_nudge_links_to_scheduling(cast):
    Session.objects.filter(pk=cast.lee_next_session.pk).update(status=Session.Status.CANCELLED)
    (message,) = send(sources.find_no_next_session, cast.lee_past_session.starts_at + timedelta(days=7, hours=1))
    assert message.to == [cast.ada.email]
    assert message.subject == "No next session booked with Lee Lindqvist (Acme Logistics)"
    assert f"{SITE}/engagements/{cast.lee_engagement.pk}/sessions/new/" in message.body
    response = cast_client(cast.ada).get(f"/engagements/{cast.lee_engagement.pk}/sessions/new/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_every_session_email_offers_a_working_unsubscribe_link(cast, reminder_time):
    for message in send(sources.find_session_reminders, reminder_time):
        link = message.extra_headers["List-Unsubscribe"][1:-1]
        assert f"Stop these e-mails: {link}" in message.body
        assert Client().get(link.removeprefix(SITE)).status_code == 200


def cast_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
