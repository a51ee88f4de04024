"""Booking, moving and cancelling through the services: plan limits, session kinds, the slot constraint,
minimum notice and the cancellation window."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from booking import services
from booking.models import Booking
from engagements.models import Session
from tests.factories import CoachFactory, EngagementFactory, SessionFactory, UserFactory

NOW = datetime(2027, 3, 8, 9, tzinfo=UTC)  # Monday 09:00 in London
WED_10 = datetime(2027, 3, 10, 10, tzinfo=UTC)
THU_10 = datetime(2027, 3, 11, 10, tzinfo=UTC)
FRI_10 = datetime(2027, 3, 12, 10, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("availability")


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(NOW, tick=False):
        yield


def book(engagement, at, length=60, **kw) -> Session:
    return services.booking_create(engagement=engagement, starts_at=at, length=length, **kw)


def test_booking_creates_a_session_through_the_engagement_and_holds_the_slot(engagement, leader):
    session = book(engagement, WED_10, booked_by=leader)

    assert session.engagement == engagement and session.status == Session.Status.SCHEDULED
    assert session.starts_at == WED_10 and session.duration_minutes == 60
    booking = Booking.objects.get(session=session)
    assert booking.active and booking.booked_by == leader and booking.coach == engagement.coach


def test_the_first_booking_is_the_kick_off_the_last_planned_one_the_closing_session(engagement):
    kinds = [book(engagement, at).kind for at in (WED_10, THU_10, FRI_10)]

    assert kinds == [Session.Kind.KICKOFF, Session.Kind.REGULAR, Session.Kind.CLOSING]


def test_remaining_planned_sessions_limit_bookings(engagement):
    for at in (WED_10, THU_10, FRI_10):
        book(engagement, at)

    with pytest.raises(ValidationError, match="All 3 planned sessions"):
        book(engagement, datetime(2027, 3, 15, 10, tzinfo=UTC))
    assert engagement.sessions.count() == 3


def test_a_session_cancelled_in_good_time_gives_its_place_in_the_plan_back(engagement):
    sessions = [book(engagement, at) for at in (WED_10, THU_10, FRI_10)]
    services.booking_cancel(session=sessions[2])

    assert book(engagement, datetime(2027, 3, 15, 10, tzinfo=UTC)).kind == Session.Kind.CLOSING


def test_a_taken_slot_cannot_be_booked_again(engagement, coach):
    book(engagement, WED_10)
    other = EngagementFactory(coach=coach, leader=UserFactory())

    with pytest.raises(services.SlotTaken):
        book(other, WED_10)
    with pytest.raises(services.SlotTaken):  # overlaps the first one's buffer
        book(other, WED_10 + timedelta(minutes=30))
    assert other.sessions.count() == 0


def test_a_time_off_the_grid_outside_hours_or_too_soon_is_refused(engagement):
    with pytest.raises(services.SlotTaken):
        book(engagement, WED_10 + timedelta(minutes=10))
    with pytest.raises(services.SlotTaken):
        book(engagement, datetime(2027, 3, 10, 15, tzinfo=UTC))
    with pytest.raises(ValidationError, match="at least 24 hours"):
        book(engagement, datetime(2027, 3, 9, 8, tzinfo=UTC))
    with pytest.raises(ValidationError, match="session lengths"):
        book(engagement, WED_10, length=45)
    assert engagement.sessions.count() == 0


def test_a_coach_without_availability_or_a_paused_engagement_takes_no_bookings(engagement):
    other = EngagementFactory(coach=CoachFactory())
    with pytest.raises(ValidationError, match="does not take bookings"):
        book(other, WED_10)
    engagement.status = engagement.Status.PAUSED
    engagement.save()
    with pytest.raises(ValidationError, match="active"):
        book(engagement, WED_10)


def test_the_database_allows_one_active_booking_per_coach_and_start(engagement, coach):
    session = book(engagement, WED_10)
    other = SessionFactory(engagement=engagement, starts_at=WED_10)

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(session=other, coach=coach, starts_at=WED_10)
    Booking.objects.filter(session=session).update(active=False)
    Booking.objects.create(session=other, coach=coach, starts_at=WED_10)  # a released slot is free again


@pytest.mark.django_db(transaction=True)
def test_two_people_booking_the_last_slot_at_once_get_one_session_and_one_just_taken(coach):
    """Two threads, two database connections, one slot: exactly one booking wins."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (set DATABASE_URL); SQLite serialises the whole database.")
    first = EngagementFactory(coach=coach, leader=UserFactory())
    second = EngagementFactory(coach=coach, leader=UserFactory())
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(engagement) -> None:
        try:
            start.wait()
            book(engagement, WED_10)
            outcomes.append("booked")
        except services.SlotTaken:
            outcomes.append("taken")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(e,)) for e in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked", "taken"]
    assert Session.objects.filter(engagement__coach=coach, starts_at=WED_10).count() == 1
    assert Booking.objects.filter(coach=coach, active=True).count() == 1


def test_moving_goes_to_a_free_slot_and_frees_the_old_one(engagement, coach):
    session = book(engagement, WED_10)
    services.booking_move(session=session, starts_at=THU_10)

    session.refresh_from_db()
    assert session.starts_at == THU_10 and session.status == Session.Status.SCHEDULED
    assert Booking.objects.get(session=session).starts_at == THU_10
    other = EngagementFactory(coach=coach, leader=UserFactory())
    assert book(other, WED_10).starts_at == WED_10


def test_a_session_can_move_to_an_overlapping_time_of_its_own(engagement):
    session = book(engagement, WED_10)
    services.booking_move(session=session, starts_at=WED_10 + timedelta(minutes=30))

    session.refresh_from_db()
    assert session.starts_at == WED_10 + timedelta(minutes=30)


def test_moving_inside_the_minimum_notice_is_refused(engagement):
    session = book(engagement, WED_10)
    with time_machine.travel(WED_10 - timedelta(hours=23, minutes=59), tick=False):
        with pytest.raises(ValidationError, match="less than 24 hours"):
            services.booking_move(session=session, starts_at=FRI_10)
    with time_machine.travel(WED_10 - timedelta(hours=24), tick=False):
        services.booking_move(session=session, starts_at=FRI_10)
    session.refresh_from_db()
    assert session.starts_at == FRI_10


def test_a_late_cancellation_needs_confirming_and_counts_as_late(engagement):
    session = book(engagement, WED_10)
    inside = WED_10 - timedelta(hours=23)

    with pytest.raises(services.LateCancellation):
        services.booking_cancel(session=session, now=inside)
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED

    services.booking_cancel(session=session, confirm_late=True, now=inside)
    session.refresh_from_db()
    assert session.status == Session.Status.LATE_CANCEL
    assert not Booking.objects.get(session=session).active


def test_a_cancellation_outside_the_window_needs_no_confirmation(engagement):
    session = book(engagement, WED_10)
    services.booking_cancel(session=session, now=WED_10 - timedelta(hours=24))

    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
