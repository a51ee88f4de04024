"""A small CalDAV client (RFC 4791) over the standard library: read busy time, write and remove events.

Busy time is read with a `calendar-query` REPORT over a time range, asking the server to expand
recurring events into their instances, so every server that speaks CalDAV (iCloud, Fastmail,
Nextcloud, Google, Radicale) answers the same way. Events marked free (`TRANSP:TRANSPARENT`) and
cancelled ones are not busy; an all-day event is busy from midnight to midnight in the coach's zone.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urljoin, urlsplit

import icalendar
from defusedxml import ElementTree as ET  # noqa: N817 - the usual name
from django.conf import settings
from django.utils.translation import gettext

NS = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}


class CalDAVError(Exception):
    """The calendar could not be reached or answered with something other than what we asked for."""


@dataclass(frozen=True)
class Account:
    url: str
    username: str
    password: str

    @property
    def collection(self) -> str:
        return self.url if self.url.endswith("/") else self.url + "/"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _request(account: Account, method: str, url: str, *, body: bytes | None = None, headers: dict | None = None):
    if urlsplit(url).scheme not in ("http", "https"):
        raise CalDAVError(gettext("The calendar's address must start with http:// or https://."))
    credentials = base64.b64encode(f"{account.username}:{account.password}".encode()).decode()
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - scheme checked above
    request.add_header("Authorization", f"Basic {credentials}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=settings.BOOKING_CALDAV_TIMEOUT) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise CalDAVError(
                gettext("The calendar refused the user name or password (HTTP %(status)s).") % {"status": exc.code}
            ) from None
        if exc.code == 404:
            raise CalDAVError(gettext("No calendar at this address (HTTP 404).")) from None
        raise CalDAVError(gettext("The calendar answered HTTP %(status)s.") % {"status": exc.code}) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CalDAVError(gettext("The calendar could not be reached: %(reason)s.") % {"reason": reason}) from None


def _as_moment(value, tz: zoneinfo.ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):  # an all-day event: the coach's local midnight
        return datetime.combine(value, time(0), tzinfo=tz).astimezone(UTC)
    raise CalDAVError("An event has a start the calendar did not describe as a date or a time.")


def _event_busy(event, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime] | None:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if event.get("DTSTART") is None:
        return None
    raw_start = event.decoded("DTSTART")
    start = _as_moment(raw_start, tz)
    if event.get("DTEND") is not None:
        end = _as_moment(event.decoded("DTEND"), tz)
    elif event.get("DURATION") is not None:
        end = start + event.decoded("DURATION")
    else:  # RFC 5545: a date lasts one day, a date-time takes no time
        end = start + (timedelta(days=1) if not isinstance(raw_start, datetime) else timedelta(0))
    return (start, end) if end > start else None


def busy_periods(account: Account, *, start: datetime, end: datetime, tz: zoneinfo.ZoneInfo) -> list[tuple]:
    """Busy (start, end) pairs in UTC of every event overlapping [start, end) in the calendar."""
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><c:calendar-data><c:expand start="{_stamp(start)}" end="{_stamp(end)}"/></c:calendar-data></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
    <c:time-range start="{_stamp(start)}" end="{_stamp(end)}"/>
  </c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>""".encode()
    status, content, _ = _request(
        account,
        "REPORT",
        account.collection,
        body=body,
        headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
    )
    if status != 207:
        raise CalDAVError(
            gettext("The calendar answered HTTP %(status)s where a list of events was expected.") % {"status": status}
        )
    try:
        tree = ET.fromstring(content)
    except ET.ParseError:
        raise CalDAVError(gettext("The calendar's answer is not valid XML.")) from None
    periods = []
    for node in tree.iterfind(".//c:calendar-data", NS):
        if not node.text:
            continue
        try:
            calendar = icalendar.Calendar.from_ical(node.text)
        except ValueError:
            continue  # one unreadable event must not hide the others
        for event in calendar.walk("VEVENT"):
            pair = _event_busy(event, tz)
            if pair and pair[0] < end and start < pair[1]:
                periods.append((max(pair[0], start), min(pair[1], end)))
    return sorted(periods)


def event_put(account: Account, *, uid: str, ics: bytes, href: str = "") -> str:
    """Creates or replaces the event `uid` (at `href` if known) and returns its address."""
    target = href or urljoin(account.collection, f"{uid}.ics")
    if urlsplit(target).netloc != urlsplit(account.collection).netloc:
        raise CalDAVError(gettext("The event's address is not on the calendar's server."))
    _request(account, "PUT", target, body=ics, headers={"Content-Type": "text/calendar; charset=utf-8"})
    return target


def event_delete(account: Account, *, href: str) -> None:
    try:
        _request(account, "DELETE", href)
    except CalDAVError as exc:
        if "404" not in str(exc):  # already gone is what we wanted
            raise
