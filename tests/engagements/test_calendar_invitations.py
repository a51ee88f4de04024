"""Calendar invitations (iTIP): booking, moving and cancelling a session e-mail every attendee a
REQUEST or CANCEL through the outbox, with the same UID and a rising SEQUENCE, and never any agenda."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from engagements import services
from engagements.models import MeetingRoom, Session
from notifications import services as outbox
from notifications.models import Kind, Notification, OptOut
from tests.engagements.calendar_helpers import calendar_part, full_text, mails_to, parse_both
from tests.factories import EngagementFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def _hour(days: float):
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`committed(fn, **kwargs)`: runs a service and the sends it owes on commit (tasks run in-process)."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def _move(session, starts_at, **changes):
    fields = {
        "duration_minutes": session.duration_minutes,
        "mode": session.mode,
        "kind": session.kind,
        "location": session.location,
    }
    return dict(session=session, starts_at=starts_at, **{**fields, **changes})


def _event(message):
    parsed = parse_both(calendar_part(message).get_payload(decode=True))
    (event,) = parsed.events
    (vevent,) = parsed.vevents
    return parsed, event, vevent


def _local(moment, zone) -> str:
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B} {local:%Y}, {local:%H:%M}"


def test_booking_moving_and_cancelling_send_request_request_cancel_with_one_uid_and_rising_sequence(cast, committed):
    engagement = cast.lee_engagement
    first, second = _hour(10), _hour(12)
    _, token = services.calendar_feed_regenerate(user=cast.lee)
    feed = f"/calendar/feed/{token}.ics"

    def in_feed(session):
        response = Client().get(feed)
        (vevent,) = [
            e for e in parse_both(response.content).vevents if e.uid.value == f"session-{session.pk}@127.0.0.1"
        ]
        return vevent.dtstart.value, vevent.status.value, int(vevent.sequence.value)

    session = committed(services.session_schedule, engagement=engagement, starts_at=first)
    (booked,) = mails_to(cast.lee)
    assert in_feed(session) == (first, "CONFIRMED", 0)
    committed(services.session_reschedule, **_move(session, second))
    _, moved = mails_to(cast.lee)
    assert in_feed(session) == (second, "CONFIRMED", 1)
    committed(services.session_cancel, session=session)
    _, _, cancelled = mails_to(cast.lee)
    assert in_feed(session) == (second, "CANCELLED", 2)

    # The e-mails say plainly what happened, in the leader's own time zone.
    assert booked.subject.startswith("Session booked: ")
    assert f"Ada Achebe booked a coaching session with Lee Lindqvist on {_local(first, NEW_YORK)}" in booked.body
    assert "(America/New_York time)" in booked.body
    assert moved.subject.startswith("Session moved from ")
    assert f"moved from {_local(first, NEW_YORK)} to {_local(second, NEW_YORK)}" in moved.body
    assert cancelled.subject.startswith("Session cancelled: ")
    assert f"on {_local(second, NEW_YORK)} (America/New_York time) is cancelled." in cancelled.body
    for message in (booked, moved, cancelled):
        assert f"Session page: {SITE}/sessions/{session.pk}/" in message.body
        assert f'href="{SITE}/sessions/{session.pk}/"' in message.alternatives[0][0]

    # The calendar parts: REQUEST, REQUEST, CANCEL; same UID; SEQUENCE 0, 1, 2.
    methods, uids, sequences = [], set(), []
    for message in (booked, moved, cancelled):
        part = calendar_part(message)
        parsed, event, vevent = _event(message)
        assert part.get_param("method") == str(parsed.ical["METHOD"]) == parsed.vcal.method.value
        methods.append(parsed.vcal.method.value)
        uids.add(vevent.uid.value)
        sequences.append(int(vevent.sequence.value))
        assert int(event["SEQUENCE"]) == int(vevent.sequence.value)
        assert vevent.organizer.value == "mailto:ada@example.com"
        assert vevent.organizer.params["CN"] == ["Ada Achebe"]
        assert [a.value for a in vevent.attendee_list] == ["mailto:lee@example.com"]
        # A real time zone: the coach's, with its VTIMEZONE, read back as the same moment by both parsers.
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert parsed.vcal.vtimezone.tzid.value == "Europe/London"
        assert str(vevent.dtstart.value.tzinfo) != "UTC"
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    assert uids == {f"session-{session.pk}@127.0.0.1"}
    assert sequences == [0, 1, 2]
    assert _event(booked)[2].dtstart.value == first
    assert _event(moved)[2].dtstart.value == second
    assert _event(cancelled)[2].status.value == "CANCELLED"
    assert _event(moved)[2].status.value == "CONFIRMED"

    # The coach organises: the messages go to attendees only.
    assert mails_to(cast.ada) == []
    rows = Notification.objects.filter(kind=Kind.SESSION_INVITATION).order_by("pk")
    assert [(r.period_key, r.status) for r in rows] == [(f"session:{session.pk}:v{n}", "sent") for n in range(3)]


def test_no_agenda_notes_or_goals_reach_an_invitation(cast, committed):
    session = cast.lee_next_session
    services.session_write_notes(
        session=session, shared_summary="Shared words", private_notes="Private words", summary_shared_with_sponsor=False
    )
    committed(services.session_reschedule, **_move(session, session.starts_at + timedelta(days=1)))
    committed(services.session_cancel, session=session)
    assert len(mails_to(cast.lee)) == 2
    for message in mails_to(cast.lee):
        text = full_text(message)
        for private in (cast.secrets["agenda_item"], "Shared words", "Private words", cast.lee_goals[0].title):
            assert private not in text


def test_a_three_way_meeting_invites_the_active_sponsors_and_they_get_the_cancellation(cast, committed):
    session = committed(
        services.session_schedule,
        engagement=cast.lee_engagement,
        starts_at=_hour(20),
        kind=Session.Kind.THREE_WAY,
    )
    for person in (cast.lee, cast.sam, cast.sol):
        (message,) = mails_to(person)
        _, _, vevent = _event(message)
        assert sorted(a.value for a in vevent.attendee_list) == [
            "mailto:lee@example.com",
            "mailto:sam@example.com",
            "mailto:sol@example.com",
        ]
        assert "three-way coaching meeting" in message.body
    assert mails_to(cast.vic) == []  # deactivated: nothing, though still on the list
    assert f"Your coaching summary: {SITE}/" in mails_to(cast.sam)[0].body  # sponsors never open session pages

    committed(services.session_cancel, session=session)
    for person in (cast.lee, cast.sam, cast.sol):
        assert _event(mails_to(person)[-1])[0].vcal.method.value == "CANCEL"


def test_a_three_way_meeting_turned_regular_cancels_it_for_the_sponsors_only(cast, committed):
    session = committed(
        services.session_schedule,
        engagement=cast.lee_engagement,
        starts_at=_hour(20),
        kind=Session.Kind.THREE_WAY,
    )
    mail.outbox.clear()
    committed(services.session_reschedule, **_move(session, session.starts_at, kind=Session.Kind.REGULAR))
    (to_lee,) = mails_to(cast.lee)
    assert to_lee.subject.startswith("Session changed: ")
    assert _event(to_lee)[0].vcal.method.value == "REQUEST"
    for sponsor in (cast.sam, cast.sol):
        (message,) = mails_to(sponsor)
        parsed, _, vevent = _event(message)
        assert parsed.vcal.method.value == "CANCEL"
        assert [a.value for a in vevent.attendee_list] == [f"mailto:{sponsor.email}"]

    mail.outbox.clear()
    committed(services.session_reschedule, **_move(session, session.starts_at, kind=Session.Kind.THREE_WAY))
    assert mails_to(cast.sam)[0].subject.startswith("Session booked: ")


def test_saving_a_session_unchanged_sends_nothing_and_keeps_its_sequence(cast, committed):
    session = cast.lee_next_session
    committed(services.session_reschedule, **_move(session, session.starts_at))
    session.refresh_from_db()
    assert session.sequence == 0
    assert mail.outbox == []


def test_a_leader_who_has_not_accepted_yet_gets_no_invitation(cast, committed):
    engagement = EngagementFactory(coach=cast.ada, leader=UserFactory(), awaiting_leader=True)
    committed(services.session_schedule, engagement=engagement, starts_at=_hour(5))
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=Kind.SESSION_INVITATION).exists()


def test_recording_a_past_session_invites_nobody(cast, committed):
    committed(
        services.session_schedule,
        engagement=cast.lee_engagement,
        starts_at=_hour(-3),
        outcome=Session.Status.HELD,
    )
    assert mail.outbox == []


def test_an_invitation_outdated_by_a_later_move_is_skipped_and_the_newer_one_sent(cast):
    session = cast.lee_next_session
    services.session_reschedule(**_move(session, session.starts_at + timedelta(days=1)))
    services.session_reschedule(**_move(session, session.starts_at + timedelta(days=2)))
    first, second = Notification.objects.filter(kind=Kind.SESSION_INVITATION).order_by("pk")
    assert outbox.notification_deliver(notification_id=first.pk) == "skipped"
    assert outbox.notification_deliver(notification_id=second.pk) == "sent"
    (message,) = mail.outbox
    assert int(_event(message)[2].sequence.value) == 2


def test_a_booking_cancelled_before_its_invitation_went_out_sends_only_the_cancellation(cast):
    session = services.session_schedule(engagement=cast.lee_engagement, starts_at=_hour(9))
    services.session_cancel(session=session)
    booked, cancelled = Notification.objects.filter(kind=Kind.SESSION_INVITATION).order_by("pk")
    assert outbox.notification_deliver(notification_id=booked.pk) == "skipped"
    assert outbox.notification_deliver(notification_id=cancelled.pk) == "sent"


def test_a_person_who_turned_calendar_invitations_off_gets_none(cast, committed):
    OptOut.objects.create(recipient_key=f"user:{cast.lee.pk}", kind=Kind.SESSION_INVITATION)
    committed(services.session_cancel, session=cast.lee_next_session)
    assert mail.outbox == []
    assert Notification.objects.get(kind=Kind.SESSION_INVITATION).status == "skipped"


def test_the_daily_limit_never_holds_a_calendar_change(cast, committed):
    now = timezone.now()
    Notification.objects.create(
        recipient=cast.lee,
        recipient_email=cast.lee.email,
        recipient_key=f"user:{cast.lee.pk}",
        kind=Kind.FIELDWORK_NUDGE,
        period_key="nudge:earlier-today",
        due_at=now,
        status="sent",
        sent_at=now,
        cap_day=now.astimezone(NEW_YORK).date(),
    )
    committed(services.session_cancel, session=cast.lee_next_session)
    assert Notification.objects.get(kind=Kind.SESSION_INVITATION).status == "sent"
    assert len(mails_to(cast.lee)) == 1


@pytest.mark.parametrize(
    ("hours_before", "window", "status", "late_text"),
    [
        (23, 24, Session.Status.LATE_CANCEL, True),
        (25, 24, Session.Status.CANCELLED, False),
        (47, 48, Session.Status.LATE_CANCEL, True),
        (1, 0, Session.Status.CANCELLED, False),
    ],
)
def test_a_cancellation_inside_the_engagements_window_is_a_late_cancellation(
    cast, committed, hours_before, window, status, late_text
):
    engagement = cast.lee_engagement
    engagement.cancellation_window_hours = window
    engagement.save()
    session = cast.lee_next_session
    with time_machine.travel(session.starts_at - timedelta(hours=hours_before), tick=False):
        committed(services.session_cancel, session=session)
    session.refresh_from_db()
    assert session.status == status
    assert session.sequence == 1
    (message,) = mails_to(cast.lee)
    assert ("counts as a late cancellation" in message.body) is late_text


def test_the_video_link_is_the_coachs_room_unless_the_session_has_its_own(cast, committed):
    MeetingRoom.objects.create(coach=cast.ada, url="https://video.example.com/ada")
    session = committed(services.session_schedule, engagement=cast.lee_engagement, starts_at=_hour(4))
    own = committed(
        services.session_schedule,
        engagement=cast.lee_engagement,
        starts_at=_hour(6),
        video_url="https://meet.example.org/lee-special",
    )
    room_mail, own_mail = mails_to(cast.lee)
    for message, url in (
        (room_mail, "https://video.example.com/ada"),
        (own_mail, "https://meet.example.org/lee-special"),
    ):
        _, _, vevent = _event(message)
        assert vevent.location.value == url
        assert vevent.url.value == url
        assert f"Video link: {url}" in message.body
        assert f'href="{url}"' in message.alternatives[0][0]
    assert session.meeting_url == "https://video.example.com/ada"
    assert own.meeting_url == "https://meet.example.org/lee-special"
