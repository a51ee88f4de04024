"""Against a real CalDAV server (Radicale, started by the test): an event in the coach's calendar
removes the slots it touches, and a booking appears there, moves with the session and goes when it is
cancelled. The calendar password is stored encrypted. Celery runs the tasks in-process (eager)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from booking import crypto, selectors, services, tasks
from booking.models import BusyPeriod, CalendarConnection
from tests.booking import radicale_server

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("availability")]

NOW = datetime(2027, 3, 8, 9, tzinfo=UTC)  # Monday 09:00 in London

EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Radicale fixture//EN
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20270301T000000Z
DTSTART:{start}
DTEND:{end}
SUMMARY:{summary}
{extra}END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def radicale(tmp_path):
    server = radicale_server.start(tmp_path)
    try:
        server.make_calendar()
        yield server
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(NOW, tick=False):
        yield


def _wednesday_slots(engagement) -> list[datetime]:
    view = selectors.booking_view(engagement=engagement)
    return [s for s in view.slots if s.date() == date(2027, 3, 10)]


def test_an_event_in_the_coachs_calendar_removes_the_slot_and_a_booking_appears_there(
    radicale, coach, engagement, django_capture_on_commit_callbacks
):
    radicale.put_event(
        "dentist",
        EVENT.format(uid="dentist", start="20270310T101500Z", end="20270310T104500Z", summary="Dentist", extra=""),
    )
    radicale.put_event(
        "focus",
        EVENT.format(
            uid="focus", start="20270310T090000Z", end="20270310T100000Z", summary="Free", extra="TRANSP:TRANSPARENT\n"
        ),
    )
    radicale.put_event(
        "standup",  # every Monday 11:00-11:30 London (GMT in March), expanded by the server
        EVENT.format(
            uid="standup",
            start="20270301T110000Z",
            end="20270301T113000Z",
            summary="Stand-up",
            extra="RRULE:FREQ=WEEKLY;BYDAY=MO\n",
        ),
    )
    assert len(_wednesday_slots(engagement)) == 5

    with django_capture_on_commit_callbacks(execute=True):  # connecting reads the calendar at once (a task)
        connection = services.calendar_connect(
            coach=coach, url=radicale.calendar_url, username=radicale_server.USER, password=radicale_server.PASSWORD
        )

    connection.refresh_from_db()
    assert connection.last_error == "" and connection.last_synced_at == NOW
    assert radicale_server.PASSWORD not in connection.password_encrypted
    assert crypto.decrypt(connection.password_encrypted) == radicale_server.PASSWORD
    # The dentist (10:15-10:45, with the 15-minute buffer 10:00-11:00) removes 09:30 to 10:30
    # (60-minute sessions); the transparent event blocks nothing.
    assert _wednesday_slots(engagement) == [datetime(2027, 3, 10, 9, tzinfo=UTC), datetime(2027, 3, 10, 11, tzinfo=UTC)]
    monday = [s for s in selectors.booking_view(engagement=engagement).slots if s.date() == date(2027, 3, 15)]
    assert datetime(2027, 3, 15, 11, tzinfo=UTC) not in monday and datetime(2027, 3, 15, 9, tzinfo=UTC) in monday

    with django_capture_on_commit_callbacks(execute=True):
        session = services.booking_create(
            engagement=engagement, starts_at=datetime(2027, 3, 12, 10, tzinfo=UTC), length=60
        )
    events = radicale.events()
    assert "Coaching: Nia Leader" in events and "DTSTART:20270312T100000Z" in events.replace("\r\n ", "")

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_move(session=session, starts_at=datetime(2027, 3, 12, 11, tzinfo=UTC))
    events = radicale.events().replace("\r\n ", "")
    assert "DTSTART:20270312T110000Z" in events and "DTSTART:20270312T100000Z" not in events
    assert events.count("Coaching: Nia Leader") == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(session=session)
    assert "Coaching: Nia Leader" not in radicale.events()


def test_the_scheduled_read_refreshes_every_calendar_and_a_refused_password_keeps_the_last_busy_time(
    radicale, coach, engagement
):
    radicale.put_event(
        "dentist",
        EVENT.format(uid="dentist", start="20270310T100000Z", end="20270310T110000Z", summary="Dentist", extra=""),
    )
    connection = CalendarConnection.objects.create(
        coach=coach,
        url=radicale.calendar_url,
        username=radicale_server.USER,
        password_encrypted=crypto.encrypt(radicale_server.PASSWORD),
    )
    assert tasks.sync_due_calendars.delay().get() == 1  # the beat entry fans out one read per calendar
    assert BusyPeriod.objects.filter(connection=connection).count() == 1

    connection.password_encrypted = crypto.encrypt("wrong")
    connection.save()
    services.calendar_sync(connection=connection)

    connection.refresh_from_db()
    assert "refused the user name or password" in connection.last_error
    assert BusyPeriod.objects.filter(connection=connection).count() == 1


def test_an_unreachable_calendar_is_reported_on_the_connection(coach):
    connection = CalendarConnection.objects.create(
        coach=coach, url="http://127.0.0.1:9/nothing/", username="u", password_encrypted=crypto.encrypt("p")
    )
    assert services.calendar_sync(connection=connection) == 0
    connection.refresh_from_db()
    assert "could not be reached" in connection.last_error
