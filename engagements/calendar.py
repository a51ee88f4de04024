"""Calendar files (iCalendar, RFC 5545) for sessions: invitations (iTIP, RFC 5546), reminders and feeds.

One event per session with a UID that never changes and a SEQUENCE that rises with every version sent
to attendees (`Session.sequence`), so a newer invitation updates the event in each person's calendar
and a CANCEL removes it. Times are written in the coach's time zone with its VTIMEZONE, so calendars
keep the session at the right hour across daylight-saving changes.

Calendar text carries times, kind, place and the video link only: never agenda topics, notes or goals
(work calendars are often shared with colleagues).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail.message import SafeMIMEText
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from .models import Session

PRODID = "-//Coaching engagements//Sessions//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def session_uid(session: Session) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"session-{session.pk}@{host}"


def session_url(session: Session) -> str:
    return settings.SITE_URL + reverse("engagements:session", args=[session.pk])


def session_title(session: Session) -> str:
    """The event's title: the kind of meeting and who meets (no topics). Needs coach and leader loaded."""
    engagement = session.engagement
    if session.kind == Session.Kind.THREE_WAY:
        return _("Three-way coaching meeting: %(leader)s with %(coach)s") % {
            "leader": engagement.leader,
            "coach": engagement.coach,
        }
    return _("Coaching session: %(leader)s with %(coach)s") % {"leader": engagement.leader, "coach": engagement.coach}


def session_description(session: Session) -> str:
    """Kind, mode, video link and the session page: nothing that was said or planned in confidence."""
    lines = [
        _("%(kind)s session · %(mode)s · %(minutes)s minutes")
        % {"kind": session.get_kind_display(), "mode": session.get_mode_display(), "minutes": session.duration_minutes}
    ]
    if session.meeting_url:
        lines.append(_("Video link: %(url)s") % {"url": session.meeting_url})
    lines.append(_("Session page: %(url)s") % {"url": session_url(session)})
    return "\n".join(lines)


def session_location(session: Session) -> str:
    return session.location or session.meeting_url or session.get_mode_display()


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _address(user, *, role: str, partstat: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(str(user))
    address.params["ROLE"] = vText(role)
    if partstat:
        address.params["PARTSTAT"] = vText(partstat)
        address.params["RSVP"] = vText("FALSE")
    return address


@dataclass(frozen=True)
class EventState:
    """How the event reads in one file: confirmed, or cancelled (a CANCEL message or a feed entry)."""

    cancelled: bool = False
    alarm: bool = False


def session_event(
    session: Session,
    *,
    now: datetime,
    attendees: Iterable = (),
    state: EventState = EventState(),  # noqa: B008 - frozen dataclass
) -> Event:
    """The VEVENT of one session. Needs `engagement`, its coach (with meeting room) and leader loaded."""
    zone = _zone(session.engagement.coach.time_zone)
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("sequence", session.sequence)
    event.add("summary", session_title(session))
    event.add("description", session_description(session))
    event.add("location", session_location(session))
    event.add("url", session.meeting_url or session_url(session))
    event.add("status", "CANCELLED" if state.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if state.cancelled else "OPAQUE")
    event.add("organizer", _address(session.engagement.coach, role="CHAIR"))
    for person in attendees:
        event.add("attendee", _address(person, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION"), encode=0)
    if state.alarm and not state.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", session_title(session))
        alarm.add("trigger", -timedelta(minutes=15))
        event.add_component(alarm)
    return event


def _calendar(method: str | None, *, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _finish(calendar: Calendar, moments: list[datetime]) -> bytes:
    """Adds a VTIMEZONE for every zone the events use, covering their dates, and serialises."""
    if moments:
        first, last = min(moments).date() - timedelta(days=366), max(moments).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def session_attendees(session: Session) -> list:
    """Who attends besides the coach: the leader, and for a three-way meeting the active sponsors.

    A leader who has not accepted the engagement yet hears nothing of it. Needs `engagement` with
    `leader` and (for a three-way meeting) `sponsors` loaded or loadable.
    """
    engagement = session.engagement
    people = [] if engagement.awaiting_leader else [engagement.leader]
    if session.kind == Session.Kind.THREE_WAY:
        people += [s for s in engagement.sponsors.all() if s.is_active]
    return people


def invitation_calendar(session: Session, *, method: str, attendees: list, now: datetime | None = None) -> bytes:
    """An iTIP message (RFC 5546) about one session: REQUEST (booked or moved) or CANCEL."""
    now = now or timezone.now()
    calendar = _calendar(method)
    calendar.add_component(
        session_event(
            session, now=now, attendees=attendees, state=EventState(cancelled=method == CANCEL, alarm=method == REQUEST)
        )
    )
    return _finish(calendar, [session.starts_at])


def reminder_calendar(session: Session, *, now: datetime | None = None) -> bytes:
    """The file a session reminder carries (METHOD:PUBLISH): the same event, UID and SEQUENCE."""
    calendar = _calendar(PUBLISH)
    calendar.add_component(session_event(session, now=now or timezone.now(), attendees=session_attendees(session)))
    return _finish(calendar, [session.starts_at])


def feed_calendar(sessions: Iterable[Session], *, name: str, now: datetime | None = None) -> bytes:
    """A subscribed calendar: every session given, cancelled ones as STATUS:CANCELLED."""
    now = now or timezone.now()
    calendar = _calendar(PUBLISH, name=name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    moments = []
    for session in sessions:
        cancelled = session.status in (Session.Status.CANCELLED, Session.Status.LATE_CANCEL)
        calendar.add_component(session_event(session, now=now, state=EventState(cancelled=cancelled)))
        moments.append(session.starts_at)
    return _finish(calendar, moments)


def _attachment(content: bytes, *, method: str, name: str) -> tuple[SafeMIMEText]:
    """A ready MIME part rather than (name, content, type): Django would otherwise lose the `method`
    parameter calendar applications look for to offer "accept" or to remove a cancelled event."""
    part = SafeMIMEText(content.decode(), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return (part,)


def _file_name(session: Session) -> str:
    return f"coaching-session-{session.starts_at.astimezone(UTC):%Y%m%d}.ics"


def session_attachment(session: Session) -> tuple[SafeMIMEText]:
    """The reminder's calendar file, as arguments for `EmailMessage.attach()`."""
    return _attachment(reminder_calendar(session), method=PUBLISH, name=_file_name(session))


def invitation_attachment(session: Session, *, method: str, attendees: list) -> tuple[SafeMIMEText]:
    """The invitation's iTIP part, as arguments for `EmailMessage.attach()`."""
    content = invitation_calendar(session, method=method, attendees=attendees)
    return _attachment(content, method=method, name="invite.ics" if method == REQUEST else "cancel.ics")
