"""The scheduling assistant: named by the leader, reached by a private link, books, moves and cancels,
and sees times only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from booking import services
from booking.models import Booking, SchedulingAssistant
from engagements.models import Session
from notifications import services as outbox
from notifications.models import Kind, Notification
from tests.factories import AgendaItemFactory

NOW = datetime(2027, 3, 22, 12, tzinfo=UTC)
WED_9 = datetime(2027, 3, 24, 9, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("availability")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def named(engagement, leader):
    client = Client()
    client.force_login(leader)
    response = client.post(
        f"/engagements/{engagement.pk}/assistants/new/", {"name": "Avery Assistant", "email": "Avery@Example.com"}
    )
    assert response.status_code == 302
    assistant = SchedulingAssistant.objects.get(engagement=engagement)
    return assistant, f"/book/a/{services.assistant_link_token(assistant=assistant)}/"


def test_the_assistant_receives_their_private_link_by_email(named):
    assistant, link = named
    notification = Notification.objects.get(kind=Kind.ASSISTANT_LINK)
    outbox.notification_deliver(notification_id=notification.pk, now=NOW)

    (message,) = mail.outbox
    assert message.to == ["avery@example.com"]
    assert "Nia Leader asked you to schedule" in message.subject
    assert f"http://127.0.0.1:8000{link}" in message.body
    assert assistant.token_hash not in message.body and len(link.split("/")[3]) >= 43


def test_the_assistant_books_for_the_leader_and_sees_times_only(named, engagement):
    assistant, link = named
    session = services.booking_create(engagement=engagement, starts_at=WED_9 + timedelta(days=1), length=60)
    AgendaItemFactory(session=session, text="Private topic about the VP")
    session.private_notes = "Coach's private thought"
    session.save()
    client = Client()

    page = client.get(link)
    body = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert "Private topic" not in body and "private thought" not in body and engagement.organisation not in body
    assert "Thursday 25 March, 05:00" in body  # shown in the leader's zone

    response = client.post(f"{link}book/", {"starts_at": WED_9.isoformat()})
    assert response.status_code == 302 and response["Location"] == link
    booked = engagement.sessions.get(starts_at=WED_9)
    assert Booking.objects.get(session=booked).assistant == assistant

    client.post(f"{link}sessions/{booked.pk}/move/", {"starts_at": (WED_9 + timedelta(hours=1)).isoformat()})
    booked.refresh_from_db()
    assert booked.starts_at == WED_9 + timedelta(hours=1)

    client.post(f"{link}sessions/{booked.pk}/cancel/")
    booked.refresh_from_db()
    assert booked.status == Session.Status.CANCELLED


def test_a_removed_assistants_link_stops_working(named, engagement, leader):
    assistant, link = named
    client = Client()
    client.force_login(leader)
    client.post(f"/engagements/{engagement.pk}/assistants/{assistant.pk}/remove/")

    assert Client().get(link).status_code == 404


def test_only_the_leader_names_an_assistant(engagement, coach):
    client = Client()
    client.force_login(coach)
    response = client.post(f"/engagements/{engagement.pk}/assistants/new/", {"name": "X", "email": "x@example.com"})

    assert response.status_code == 403 and not SchedulingAssistant.objects.exists()


def test_a_finished_engagement_closes_the_assistants_link(named, engagement):
    _, link = named
    engagement.status = engagement.Status.COMPLETED
    engagement.save()

    assert Client().get(link).status_code == 404


def test_an_unknown_link_says_what_to_do_and_guessing_is_limited(db):
    client = Client()
    response = client.get("/book/a/not-a-real-link/")
    assert response.status_code == 404 and "Ask them to name you again" in response.content.decode()
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"

    codes = [client.get(f"/book/a/guess-{n}/").status_code for n in range(25)]
    assert codes.count(404) == 19 and codes[-1] == 429  # 20 guesses a minute per address, the first above


def test_the_assistants_link_is_redacted_from_logs():
    from accounts.logs import redact

    assert redact('"GET /book/a/AbC-123_xyz/sessions/4/move/ HTTP/1.1"') == (
        '"GET /book/a/[redacted]/sessions/4/move/ HTTP/1.1"'
    )
