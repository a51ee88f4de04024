"""Reading calendar files back with two independent parsers (icalendar and vobject)."""

from __future__ import annotations

from dataclasses import dataclass

import icalendar
import vobject
from django.core import mail


@dataclass
class Parsed:
    """One calendar file as both parsers read it."""

    ical: icalendar.Calendar
    vcal: object
    text: str

    @property
    def events(self) -> list:
        return self.ical.walk("VEVENT")

    @property
    def vevents(self) -> list:
        return list(getattr(self.vcal, "vevent_list", []))


def parse_both(data: bytes | str) -> Parsed:
    """Parses a calendar with both libraries; each raises on a file it cannot read."""
    text = data.decode() if isinstance(data, bytes) else data
    ical = icalendar.Calendar.from_ical(text)
    vcal = vobject.readOne(text)
    # Both parsers agree on every event's identity and start.
    assert [str(e["UID"]) for e in ical.walk("VEVENT")] == [e.uid.value for e in getattr(vcal, "vevent_list", [])]
    assert [e.decoded("DTSTART") for e in ical.walk("VEVENT")] == [
        e.dtstart.value for e in getattr(vcal, "vevent_list", [])
    ]
    return Parsed(ical=ical, vcal=vcal, text=text)


def calendar_part(message):
    """The text/calendar part of a sent e-mail (the attachment)."""
    (part,) = [a for a in message.attachments if getattr(a, "get_content_type", lambda: "")() == "text/calendar"]
    return part


def mails_to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email]]


def full_text(message) -> str:
    return message.subject + message.body + message.alternatives[0][0] + calendar_part(message).as_string()
