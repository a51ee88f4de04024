"""The booking, move and cancel pages: what each person sees in their own zone, bad input, the
"just taken" answer, the late-cancellation warning, and a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking import services
from booking.models import Booking, BusyPeriod, CalendarConnection
from engagements.models import Session
from tests.factories import EngagementFactory, SessionFactory, UserFactory

NOW = datetime(2027, 3, 22, 12, tzinfo=UTC)  # Monday; London on GMT, New York already on EDT
WED_9 = datetime(2027, 3, 24, 9, tzinfo=UTC)  # 09:00 in London, 05:00 in New York

pytestmark = pytest.mark.usefixtures("availability")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lead(leader) -> Client:
    client = Client()
    client.force_login(leader)
    return client


def test_the_leader_sees_the_coachs_slots_in_their_own_time_zone(lead, engagement):
    page = lead.get(f"/engagements/{engagement.pk}/book/").content.decode()

    assert "Wednesday 24 March" in page and "America/New_York" in page
    assert f'value="{WED_9.isoformat()}">05:00' in page  # 09:00 in London
    assert "3 planned sessions left to book" in page


def test_the_leader_books_a_slot_in_two_taps(lead, engagement, leader):
    response = lead.post(f"/engagements/{engagement.pk}/book/", {"starts_at": WED_9.isoformat(), "length": "60"})

    assert response.status_code == 302 and response["Location"] == f"/engagements/{engagement.pk}/"
    session = engagement.sessions.get()
    assert session.starts_at == WED_9 and session.kind == Session.Kind.KICKOFF
    assert Booking.objects.get(session=session).booked_by == leader
    page = lead.get(response["Location"]).content.decode()
    assert "Booked: Wednesday 24 March at 05:00." in page


def test_a_slot_someone_else_just_booked_answers_just_taken(lead, engagement, coach):
    other = EngagementFactory(coach=coach, leader=UserFactory())
    services.booking_create(engagement=other, starts_at=WED_9, length=60)

    response = lead.post(f"/engagements/{engagement.pk}/book/", {"starts_at": WED_9.isoformat()}, follow=True)

    assert "that time was just taken" in response.content.decode()
    assert engagement.sessions.count() == 0


def test_a_second_tap_on_the_same_slot_is_not_an_error(lead, engagement):
    data = {"starts_at": WED_9.isoformat()}
    lead.post(f"/engagements/{engagement.pk}/book/", data)
    response = lead.post(f"/engagements/{engagement.pk}/book/", data, follow=True)

    assert "just taken" not in response.content.decode()
    assert engagement.sessions.count() == 1


@pytest.mark.parametrize("value", ["", "tomorrow", "2027-03-24T09:00:00", "9999-99-99"])
def test_a_tampered_slot_gets_a_clear_message_not_a_500(lead, engagement, value):
    response = lead.post(f"/engagements/{engagement.pk}/book/", {"starts_at": value})

    assert response.status_code == 400
    assert "Pick one of the times shown" in response.content.decode() or "required" in response.content.decode()
    assert engagement.sessions.count() == 0


def test_someone_elses_engagement_cannot_be_booked(engagement):
    stranger = Client()
    stranger.force_login(UserFactory())
    response = stranger.post(f"/engagements/{engagement.pk}/book/", {"starts_at": WED_9.isoformat()})

    assert response.status_code == 404 and engagement.sessions.count() == 0


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_booking_page_keeps_its_query_count_however_many_sessions_and_busy_periods(lead, engagement, coach):
    path = f"/engagements/{engagement.pk}/book/"
    few = _count_queries(lead, path)

    calendar = CalendarConnection.objects.create(coach=coach, url="https://cal.example.com/c/", username="c")
    for day in range(1, 25):
        others = EngagementFactory(coach=coach, leader=UserFactory())
        SessionFactory(engagement=others, starts_at=NOW + timedelta(days=day, hours=-2), status="scheduled")
        BusyPeriod.objects.create(
            connection=calendar,
            starts_at=NOW + timedelta(days=day, hours=-3),
            ends_at=NOW + timedelta(days=day, hours=-2, minutes=30),
        )
    SessionFactory(engagement=engagement, status="held", starts_at=NOW - timedelta(days=30))  # still bookable
    many = _count_queries(lead, path)

    # session, user, the navigation's two role checks (leader? sponsor?), engagement with coach and
    # leader, availability, weekly hours, exceptions, counted sessions, the coach's booked sessions,
    # calendar busy periods
    assert few == many == 11


def test_the_cancel_page_warns_before_a_late_cancellation(lead, engagement):
    session = services.booking_create(engagement=engagement, starts_at=WED_9, length=60)
    with time_machine.travel(WED_9 - timedelta(hours=10), tick=False):
        page = lead.get(f"/sessions/{session.pk}/cancel-booking/").content.decode()
        assert "late cancellation" in page and "24 hours" in page

        refused = lead.post(f"/sessions/{session.pk}/cancel-booking/")
        session.refresh_from_db()
        assert refused.status_code == 409 and session.status == Session.Status.SCHEDULED

        lead.post(f"/sessions/{session.pk}/cancel-booking/", {"confirm_late": "1"})
        session.refresh_from_db()
        assert session.status == Session.Status.LATE_CANCEL


def test_cancelling_in_good_time_shows_no_warning_and_frees_the_slot(lead, engagement):
    session = services.booking_create(engagement=engagement, starts_at=WED_9, length=60)
    page = lead.get(f"/sessions/{session.pk}/cancel-booking/").content.decode()
    assert "late cancellation" not in page

    lead.post(f"/sessions/{session.pk}/cancel-booking/")
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert WED_9.isoformat() in lead.get(f"/engagements/{engagement.pk}/book/").content.decode()


def test_the_move_page_offers_other_slots_and_moves_the_session(lead, engagement):
    session = services.booking_create(engagement=engagement, starts_at=WED_9, length=60)
    later = WED_9 + timedelta(days=1)

    response = lead.post(f"/sessions/{session.pk}/move/", {"starts_at": later.isoformat()})

    session.refresh_from_db()
    assert response.status_code == 302 and session.starts_at == later


def test_moving_inside_the_minimum_notice_is_refused_on_the_page(lead, engagement):
    session = services.booking_create(engagement=engagement, starts_at=WED_9, length=60)
    with time_machine.travel(WED_9 - timedelta(hours=5), tick=False):
        page = lead.get(f"/sessions/{session.pk}/move/").content.decode()
        assert "too soon to move it online" in page
        response = lead.post(f"/sessions/{session.pk}/move/", {"starts_at": (WED_9 + timedelta(days=1)).isoformat()})
    session.refresh_from_db()
    assert response.status_code == 409 and session.starts_at == WED_9


def test_the_engagement_page_shows_the_booking_section_to_the_leader(lead, engagement):
    services.booking_create(engagement=engagement, starts_at=WED_9, length=60)
    page = lead.get(f"/engagements/{engagement.pk}/").content.decode()

    assert "Book a session" in page and "2 planned sessions left to book" in page
    assert "/move/" in page and "/cancel-booking/" in page and "Name an assistant" in page
