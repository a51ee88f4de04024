"""Slot computation: weekly hours in the coach's own zone, across both daylight-saving changes, with
minimum notice, buffers, exceptions, the horizon and busy time from the coach's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import time_machine

from booking import selectors
from booking.models import AvailabilityException, BusyPeriod, CalendarConnection
from engagements.models import Session
from tests.factories import SessionFactory


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slots_on(availability, day: date, *, now: datetime, length: int = 60, busy=()) -> list[datetime]:
    tz = availability.coach.tz
    return [s for s in availability.slots(now=now, length=length, busy=list(busy)) if s.astimezone(tz).date() == day]


def page_slots(engagement, day: date, *, length: int | None = None) -> list[datetime]:
    view = selectors.booking_view(engagement=engagement, length=length)
    tz = engagement.coach.tz
    return [s for s in view.slots if s.astimezone(tz).date() == day]


def test_nine_in_london_is_nine_utc_before_the_spring_change_and_eight_after(availability):
    now = utc(2027, 3, 24, 12)  # Wednesday; clocks go forward on Sunday 28 March 2027
    friday = slots_on(availability, date(2027, 3, 26), now=now)
    monday = slots_on(availability, date(2027, 3, 29), now=now)

    assert friday[0] == utc(2027, 3, 26, 9) and friday[-1] == utc(2027, 3, 26, 11)
    assert monday[0] == utc(2027, 3, 29, 8) and monday[-1] == utc(2027, 3, 29, 10)
    # 09:00, 09:30, 10:00, 10:30, 11:00: a 60-minute session ends by 12:00 local on both days
    assert len(friday) == len(monday) == 5


def test_nine_in_london_is_eight_utc_before_the_autumn_change_and_nine_after(availability):
    now = utc(2027, 10, 27, 12)  # Wednesday; clocks go back on Sunday 31 October 2027
    friday = slots_on(availability, date(2027, 10, 29), now=now)
    monday = slots_on(availability, date(2027, 11, 1), now=now)

    assert friday[0] == utc(2027, 10, 29, 8)
    assert monday[0] == utc(2027, 11, 1, 9)
    assert len(friday) == len(monday) == 5


def test_an_opening_across_the_skipped_hour_lasts_its_real_length(availability):
    # 01:00-04:00 on the night clocks go forward is two real hours: 01:00 GMT to 04:00 BST (03:00 UTC).
    AvailabilityException.objects.create(
        availability=availability, day=date(2027, 3, 28), kind="opening", starts=time(1), ends=time(4)
    )
    sunday = slots_on(availability, date(2027, 3, 28), now=utc(2027, 3, 24, 12))

    assert sunday == [utc(2027, 3, 28, 1), utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 2)]


def test_an_opening_across_the_doubled_hour_lasts_its_real_length(availability):
    # 00:30-02:30 on the night clocks go back is three real hours: 00:30 BST (23:30 UTC) to 02:30 GMT.
    AvailabilityException.objects.create(
        availability=availability, day=date(2027, 10, 31), kind="opening", starts=time(0, 30), ends=time(2, 30)
    )
    slots = availability.slots(now=utc(2027, 10, 27, 12), length=120, busy=[])
    night = [s for s in slots if utc(2027, 10, 30, 20) < s < utc(2027, 10, 31, 6)]

    assert night == [utc(2027, 10, 30, 23, 30), utc(2027, 10, 31, 0), utc(2027, 10, 31, 0, 30)]


def test_minimum_notice_is_inclusive_and_hides_everything_sooner(availability):
    now = utc(2027, 3, 8, 10, 30)  # Monday 10:30 GMT, 24 hours' notice
    tuesday = slots_on(availability, date(2027, 3, 9), now=now)

    assert tuesday == [utc(2027, 3, 9, 10, 30), utc(2027, 3, 9, 11)]
    assert slots_on(availability, date(2027, 3, 8), now=utc(2027, 3, 8, 10, 30)) == []


def test_the_horizon_is_the_last_bookable_start(availability):
    availability.horizon_days = 7
    now = utc(2027, 3, 8, 9)  # Monday 09:00 GMT
    slots = availability.slots(now=now, length=60, busy=[])

    assert slots[-1] == utc(2027, 3, 15, 9)  # exactly seven days later, not 09:30
    assert all(s <= now + timedelta(days=7) for s in slots)


def test_a_longer_session_needs_room_before_the_end_of_the_window(availability):
    now = utc(2027, 3, 8, 9)
    assert slots_on(availability, date(2027, 3, 10), now=now, length=90)[-1] == utc(2027, 3, 10, 10, 30)
    assert slots_on(availability, date(2027, 3, 10), now=now, length=180) == [utc(2027, 3, 10, 9)]


def test_a_day_off_closes_its_weekly_hours_and_an_opening_adds_a_window(availability):
    AvailabilityException.objects.create(availability=availability, day=date(2027, 3, 10), kind="day_off")
    AvailabilityException.objects.create(
        availability=availability, day=date(2027, 3, 13), kind="opening", starts=time(14), ends=time(16)
    )
    now = utc(2027, 3, 8, 9)

    assert slots_on(availability, date(2027, 3, 10), now=now) == []
    assert slots_on(availability, date(2027, 3, 11), now=now) != []
    assert slots_on(availability, date(2027, 3, 13), now=now) == [
        utc(2027, 3, 13, 14),
        utc(2027, 3, 13, 14, 30),
        utc(2027, 3, 13, 15),
    ]


@time_machine.travel("2027-03-08 09:00Z", tick=False)
def test_a_booked_session_blocks_its_time_and_the_buffer_around_it(engagement, availability):
    SessionFactory(engagement=engagement, starts_at=utc(2027, 3, 10, 10), status=Session.Status.SCHEDULED)

    assert page_slots(engagement, date(2027, 3, 10)) == []  # 09:45-11:15 is busy: no hour fits around it

    availability.buffer_minutes = 0
    availability.save()
    assert page_slots(engagement, date(2027, 3, 10)) == [utc(2027, 3, 10, 9), utc(2027, 3, 10, 11)]


@time_machine.travel("2027-03-08 09:00Z", tick=False)
def test_a_cancelled_session_or_another_coachs_session_blocks_nothing(engagement, availability):
    SessionFactory(engagement=engagement, starts_at=utc(2027, 3, 10, 10), status=Session.Status.CANCELLED)
    SessionFactory(starts_at=utc(2027, 3, 10, 10), status=Session.Status.SCHEDULED)  # someone else's coach

    assert len(page_slots(engagement, date(2027, 3, 10))) == 5


@time_machine.travel("2027-03-08 09:00Z", tick=False)
def test_busy_time_from_the_calendar_removes_the_slots_it_touches(engagement, availability, coach):
    connection = CalendarConnection.objects.create(coach=coach, url="https://cal.example.com/c/", username="cora")
    BusyPeriod.objects.create(connection=connection, starts_at=utc(2027, 3, 11, 9, 30), ends_at=utc(2027, 3, 11, 10))

    # 15 minutes of buffer on both sides: busy 09:15-10:15, so 09:00 (ends 10:00) and 10:00 are gone.
    assert page_slots(engagement, date(2027, 3, 11)) == [
        utc(2027, 3, 11, 10, 30),
        utc(2027, 3, 11, 11),
    ]


@time_machine.travel("2027-03-08 09:00Z", tick=False)
def test_busy_time_from_the_calendar_without_a_buffer_leaves_the_slot_that_starts_as_it_ends(
    engagement, availability, coach
):
    availability.buffer_minutes = 0
    availability.save()
    connection = CalendarConnection.objects.create(coach=coach, url="https://cal.example.com/c/", username="cora")
    BusyPeriod.objects.create(connection=connection, starts_at=utc(2027, 3, 11, 9, 30), ends_at=utc(2027, 3, 11, 10))

    assert page_slots(engagement, date(2027, 3, 11))[0] == utc(2027, 3, 11, 10)
