"""Calendar files (iCalendar, RFC 5545) for sessions, as attached to session reminders.

One event per session with a UID that never changes, so importing a newer file (the session moved)
updates the event in the person's calendar instead of adding a second one. Times are in UTC; the
calendar application shows them in its own time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail.message import SafeMIMEText
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Session

PRODID = "-//Coaching engagements//Session reminders//EN"


def session_uid(session: Session) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"session-{session.pk}@{host}"


def session_url(session: Session) -> str:
    return settings.SITE_URL + reverse("engagements:session", args=[session.pk])


def session_description(session: Session, agenda: list[str]) -> str:
    lines = [f"{session.get_kind_display()} session · {session.get_mode_display()}"]
    if agenda:
        lines += ["", "Agenda:"] + [f"- {text}" for text in agenda]
    else:
        lines += ["", "No agenda topics yet: add yours on the session page."]
    lines += ["", session_url(session)]
    return "\n".join(lines)


def session_calendar(session: Session, *, summary: str, agenda: list[str], now: datetime | None = None) -> bytes:
    """An iCalendar file with one event for `session` (METHOD:PUBLISH)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    # A later version of the same event carries a higher sequence (seconds since the epoch of its last change).
    event.add("sequence", int(session.updated_at.timestamp()) if session.updated_at else 0)
    event.add("summary", summary)
    event.add("description", session_description(session, agenda))
    event.add("location", session.location or session.get_mode_display())
    event.add("url", session_url(session))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()


def session_attachment(session: Session, *, summary: str, agenda: list[str]) -> tuple[SafeMIMEText]:
    """The e-mail attachment, as arguments for `EmailMessage.attach()`.

    A ready MIME part rather than (name, content, type): Django would otherwise lose the
    `method=PUBLISH` parameter some calendar applications look for.
    """
    name = f"coaching-session-{session.starts_at.astimezone(UTC):%Y%m%d}.ics"
    part = SafeMIMEText(session_calendar(session, summary=summary, agenda=agenda).decode(), "calendar", "utf-8")
    part.set_param("method", "PUBLISH")
    part.add_header("Content-Disposition", "attachment", filename=name)
    return (part,)
