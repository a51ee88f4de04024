"""Writes for booking: availability, calendar connections, bookings, moves, cancellations, assistants.

Sessions are created, moved and cancelled only through `engagements.services` (`session_schedule`,
`session_reschedule`, `session_cancel`), so whatever those do for every session (calendar
invitations among them) happens for booked sessions too.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event

from accounts.models import User
from accounts.tokens import derive_token, hash_token, token_for_hash
from engagements import services as engagement_services
from engagements.models import Engagement, Session
from notifications.models import Kind
from notifications.services import notification_owe_now

from . import caldav, crypto, selectors
from .models import (
    Availability,
    AvailabilityException,
    Booking,
    BusyPeriod,
    CalendarConnection,
    SchedulingAssistant,
    WeeklyHours,
)

logger = logging.getLogger(__name__)

ASSISTANT_SALT = "booking.assistant-link"
BOOKABLE_STATUSES = (Engagement.Status.ACTIVE,)


class SlotTaken(Exception):  # noqa: N818 - a decision the person reads, not a programming error
    """The chosen time was booked by someone else a moment ago, or is no longer free."""

    message = gettext_lazy("Sorry, that time was just taken. Please pick another one.")


class LateCancellation(Exception):  # noqa: N818
    """Cancelling now would be a late cancellation; the person has to confirm it first."""


# --- Availability ----------------------------------------------------------------------------------


def availability_get_or_create(*, coach: User) -> Availability:
    if not coach.is_coach:
        raise ValidationError(_("Only coaches set availability."))
    availability, _created = Availability.objects.get_or_create(coach=coach)
    return availability


def availability_update(
    *,
    availability: Availability,
    accepts_bookings: bool,
    session_lengths: str,
    buffer_minutes: int,
    min_notice_hours: int,
    horizon_days: int,
) -> Availability:
    availability.accepts_bookings = accepts_bookings
    availability.session_lengths = ", ".join(str(n) for n in _lengths(session_lengths))
    availability.buffer_minutes = buffer_minutes
    availability.min_notice_hours = min_notice_hours
    availability.horizon_days = horizon_days
    availability.full_clean()
    availability.save()
    return availability


def _lengths(value: str) -> list[int]:
    from .models import parse_lengths

    try:
        return parse_lengths(value)
    except ValidationError as exc:
        raise ValidationError({"session_lengths": exc.messages}) from None


def weekly_hours_add(*, availability: Availability, weekday: int, starts, ends) -> WeeklyHours:
    hours = WeeklyHours(availability=availability, weekday=weekday, starts=starts, ends=ends)
    hours.full_clean()
    overlapping = availability.weekly_hours.filter(weekday=weekday, starts__lt=ends, ends__gt=starts)
    if overlapping.exists():
        raise ValidationError({"starts": _("These hours overlap hours you already have on that day.")})
    hours.save()
    return hours


def weekly_hours_remove(*, availability: Availability, pk: int) -> bool:
    """Removes one span of the coach's own hours; False when they have no such span."""
    return availability.weekly_hours.filter(pk=pk).delete()[0] > 0


def exception_add(*, availability: Availability, day, kind: str, starts=None, ends=None) -> AvailabilityException:
    from accounts.limits import check_plausible

    check_plausible(day, field="day")
    exception = AvailabilityException(availability=availability, day=day, kind=kind, starts=starts, ends=ends)
    exception.full_clean()
    exception.save()
    return exception


def exception_remove(*, availability: Availability, pk: int) -> bool:
    return availability.exceptions.filter(pk=pk).delete()[0] > 0


# --- Bookings --------------------------------------------------------------------------------------


def kind_for_next(*, engagement: Engagement, counted: int) -> str:
    """The kind of the next booked session: the first is the kick-off, the last planned one the closing
    session, every other one regular (three-way meetings are arranged by the coach)."""
    if counted == 0:
        return Session.Kind.KICKOFF
    if counted == engagement.planned_sessions - 1:
        return Session.Kind.CLOSING
    return Session.Kind.REGULAR


def _lock_availability(coach: User) -> Availability:
    """The coach's availability, locked until commit: bookings of one coach are checked one at a time."""
    availability = Availability.objects.select_for_update().filter(coach=coach).first()
    if availability is None or not availability.accepts_bookings:
        raise ValidationError(_("This coach does not take bookings online. Ask them for a time."))
    return availability


def _check_free(
    *, availability: Availability, coach: User, starts_at: datetime, length: int, now: datetime, exclude: int | None
) -> None:
    if timezone.is_naive(starts_at):
        raise ValidationError(_("The time needs a time zone."))
    earliest, latest = availability.bookable_range(now)
    if starts_at < earliest:
        raise ValidationError(_("Book at least %(hours)s hours ahead.") % {"hours": availability.min_notice_hours})
    if starts_at > latest:
        raise ValidationError(_("Book at most %(days)s days ahead.") % {"days": availability.horizon_days})
    if length not in availability.lengths and exclude is None:
        raise ValidationError(_("Choose one of the session lengths your coach offers."))
    # Only the chosen day's slots matter: compute around it.
    busy = selectors.busy_for(
        coach=coach,
        availability=availability,
        start=starts_at - timedelta(days=1),
        end=starts_at + timedelta(days=1),
        exclude_session_id=exclude,
    )
    if starts_at not in availability.slots(now=now, length=length, busy=busy, tz=coach.tz):
        raise SlotTaken()


def _release_stale_bookings(*, coach: User) -> None:
    """Bookings whose session was cancelled or moved elsewhere no longer hold their slot."""
    Booking.objects.filter(coach=coach, active=True).exclude(session__status=Session.Status.SCHEDULED).update(
        active=False
    )


def _save_booking(booking: Booking) -> Booking:
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        raise SlotTaken() from None
    return booking


@transaction.atomic
def booking_create(
    *,
    engagement: Engagement,
    starts_at: datetime,
    length: int,
    booked_by: User | None = None,
    assistant: SchedulingAssistant | None = None,
    now: datetime | None = None,
) -> Session:
    """Books a session in a free slot of the coach. Raises `SlotTaken` when someone else was faster
    (the unique constraint on the coach's slot decides), `ValidationError` for every other refusal."""
    now = now or timezone.now()
    if engagement.status not in BOOKABLE_STATUSES:
        raise ValidationError(_("Sessions can be booked while the engagement is active."))
    coach = engagement.coach
    availability = _lock_availability(coach)
    counted = selectors.counted_sessions(engagement=engagement)
    if counted >= engagement.planned_sessions:
        raise ValidationError(
            _("All %(planned)s planned sessions are booked or held. Ask your coach about more.")
            % {"planned": engagement.planned_sessions}
        )
    _check_free(availability=availability, coach=coach, starts_at=starts_at, length=length, now=now, exclude=None)
    _release_stale_bookings(coach=coach)
    session = engagement_services.session_schedule(
        engagement=engagement,
        starts_at=starts_at,
        duration_minutes=length,
        kind=kind_for_next(engagement=engagement, counted=counted),
    )
    booking = _save_booking(
        Booking(session=session, coach=coach, starts_at=starts_at, booked_by=booked_by, assistant=assistant)
    )
    transaction.on_commit(lambda: _enqueue_write_back(booking.pk))
    return session


def move_is_allowed(*, session: Session, availability: Availability | None, now: datetime) -> bool:
    if availability is None or session.status != Session.Status.SCHEDULED:
        return False
    return session.starts_at - now >= availability.min_notice


@transaction.atomic
def booking_move(
    *,
    session: Session,
    starts_at: datetime,
    by: User | None = None,
    assistant: SchedulingAssistant | None = None,
    now: datetime | None = None,
) -> Session:
    """Moves a scheduled session to another free slot, no later than the minimum notice before it."""
    now = now or timezone.now()
    engagement = session.engagement
    coach = engagement.coach
    availability = _lock_availability(coach)
    session = Session.objects.select_for_update().get(pk=session.pk)
    session.engagement = engagement
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be moved."))
    if not move_is_allowed(session=session, availability=availability, now=now):
        raise ValidationError(
            _("This session starts in less than %(hours)s hours, too soon to move it here. Contact your coach.")
            % {"hours": availability.min_notice_hours}
        )
    _check_free(
        availability=availability,
        coach=coach,
        starts_at=starts_at,
        length=session.duration_minutes,
        now=now,
        exclude=session.pk,
    )
    _release_stale_bookings(coach=coach)
    engagement_services.session_reschedule(
        session=session,
        starts_at=starts_at,
        duration_minutes=session.duration_minutes,
        mode=session.mode,
        kind=session.kind,
        location=session.location,
    )
    booking = Booking.objects.filter(session=session).first() or Booking(session=session, coach=coach)
    booking.starts_at = starts_at
    booking.active = True
    booking.assistant = assistant or booking.assistant
    booking.booked_by = booking.booked_by or by
    _save_booking(booking)
    transaction.on_commit(lambda: _enqueue_write_back(booking.pk))
    return session


@transaction.atomic
def booking_cancel(*, session: Session, confirm_late: bool = False, now: datetime | None = None) -> Session:
    """Cancels a scheduled session through `session_cancel`. Inside the engagement's cancellation window
    it is a late cancellation, and `LateCancellation` is raised unless the person confirmed it."""
    now = now or timezone.now()
    if session.status == Session.Status.SCHEDULED and session.starts_at > now and session.cancellation_is_late(now):
        if not confirm_late:
            raise LateCancellation()
    engagement_services.session_cancel(session=session, now=now)
    booking = Booking.objects.filter(session=session, active=True).first()
    if booking is not None:
        booking.active = False
        booking.save(update_fields=["active"])
        transaction.on_commit(lambda: _enqueue_write_back(booking.pk))
    return session


# --- Calendar connection -------------------------------------------------------------------------


def calendar_connect(
    *, coach: User, url: str, username: str, password: str, write_back: bool = True
) -> CalendarConnection:
    """Stores (or replaces) the coach's CalDAV calendar with the password encrypted, then reads it."""
    if not crypto.encryption_available():
        raise ValidationError(_("Calendar connections are switched off: the site has no encryption key set."))
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValidationError({"url": _("Give the calendar's http:// or https:// address.")})
    connection = CalendarConnection.objects.filter(coach=coach).first() or CalendarConnection(coach=coach)
    connection.url = url.strip()
    connection.username = username.strip()
    if password:
        connection.password_encrypted = crypto.encrypt(password)
    elif not connection.password_encrypted:
        raise ValidationError({"password": _("Give the calendar's password (an app password where offered).")})
    connection.write_back = write_back
    connection.last_error = ""
    connection.full_clean()
    connection.save()
    calendar_sync_soon(connection=connection)
    return connection


def calendar_disconnect(*, coach: User) -> None:
    CalendarConnection.objects.filter(coach=coach).delete()


def calendar_sync_soon(*, connection: CalendarConnection) -> None:
    from .tasks import sync_calendar

    pk = connection.pk
    transaction.on_commit(lambda: sync_calendar.delay(pk))


def _account(connection: CalendarConnection) -> caldav.Account:
    return caldav.Account(
        url=connection.url, username=connection.username, password=crypto.decrypt(connection.password_encrypted)
    )


def _record_error(connection: CalendarConnection, error: str) -> None:
    CalendarConnection.objects.filter(pk=connection.pk).update(last_error=error[:500])
    connection.last_error = error[:500]


def calendar_sync(*, connection: CalendarConnection, now: datetime | None = None) -> int:
    """Reads busy time for the booking horizon from the coach's calendar and replaces the stored
    busy periods. On failure the old periods stay and the error is kept on the connection."""
    now = now or timezone.now()
    coach = connection.coach
    availability = Availability.objects.filter(coach=coach).first()
    horizon = timedelta(days=availability.horizon_days if availability else 28)
    try:
        end = now + horizon + timedelta(days=1)
        periods = caldav.busy_periods(_account(connection), start=now, end=end, tz=coach.tz)
    except (caldav.CalDAVError, crypto.SecretUnreadable) as exc:
        _record_error(connection, str(exc))
        return 0
    with transaction.atomic():
        BusyPeriod.objects.filter(connection=connection).delete()
        BusyPeriod.objects.bulk_create(
            BusyPeriod(connection=connection, starts_at=start, ends_at=end) for start, end in periods
        )
        CalendarConnection.objects.filter(pk=connection.pk).update(last_synced_at=now, last_error="")
    return len(periods)


def booking_ics(booking: Booking) -> bytes:
    """The event written to the coach's calendar: times, kind and mode only, never agenda or notes."""
    session = booking.session
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Coaching engagements//Bookings//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"booking-{booking.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", _("Coaching: %(leader)s") % {"leader": session.engagement.leader})
    event.add(
        "description",
        _("%(kind)s session · %(mode)s") % {"kind": session.get_kind_display(), "mode": session.get_mode_display()},
    )
    if session.location:
        event.add("location", session.location)
    event.add("url", settings.SITE_URL + reverse("engagements:session", args=[session.pk]))
    calendar.add_component(event)
    return calendar.to_ical()


def booking_write_back(*, booking_id: int) -> str:
    """Writes the booked session to the coach's calendar, or removes it once the booking is released."""
    booking = (
        Booking.objects.select_related("session", "session__engagement", "session__engagement__leader", "coach")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return "gone"
    connection = CalendarConnection.objects.filter(coach=booking.coach).first()
    if connection is None or not connection.write_back:
        return "no calendar"
    try:
        account = _account(connection)
        if booking.active and booking.session.status == Session.Status.SCHEDULED:
            host = urlsplit(settings.SITE_URL).hostname or "localhost"
            href = caldav.event_put(
                account, uid=f"booking-{booking.pk}-{host}", ics=booking_ics(booking), href=booking.caldav_href
            )
            Booking.objects.filter(pk=booking.pk).update(caldav_href=href)
            return "written"
        if booking.caldav_href:
            caldav.event_delete(account, href=booking.caldav_href)
            Booking.objects.filter(pk=booking.pk).update(caldav_href="")
            return "removed"
        return "nothing to do"
    except (caldav.CalDAVError, crypto.SecretUnreadable) as exc:
        _record_error(connection, str(exc))
        return "failed"


def _enqueue_write_back(booking_id: int) -> None:
    from .tasks import write_back

    try:
        write_back.delay(booking_id)
    except Exception:  # the broker is down: the booking stands; the next change writes it again
        logger.warning("Could not hand the calendar write-back of booking %s to the broker", booking_id)


# --- Scheduling assistants -----------------------------------------------------------------------


def assistant_link_token(*, assistant: SchedulingAssistant) -> str:
    return derive_token(salt=ASSISTANT_SALT, value=assistant.link_value)


def assistant_link(*, assistant: SchedulingAssistant) -> str | None:
    token = token_for_hash(token_hash=assistant.token_hash, salt=ASSISTANT_SALT, value=assistant.link_value)
    return settings.SITE_URL + reverse("booking:assistant", args=[token]) if token else None


@transaction.atomic
def assistant_add(*, engagement: Engagement, name: str, email: str) -> SchedulingAssistant:
    """The leader names an assistant; the assistant receives a private link by e-mail."""
    email = email.strip().lower()
    if email in (engagement.leader.email.lower(), engagement.coach.email.lower()):
        raise ValidationError({"email": _("Name someone other than yourself or your coach.")})
    if engagement.assistants.filter(email=email, revoked_at__isnull=True).exists():
        raise ValidationError({"email": _("This person is already your scheduling assistant.")})
    assistant = SchedulingAssistant(
        engagement=engagement,
        name=name.strip(),
        email=email,
        link_nonce=secrets.token_urlsafe(24),
        token_hash=secrets.token_hex(32),  # replaced below by the hash of the link
    )
    assistant.full_clean(exclude=["token_hash"])
    assistant.save()
    assistant.token_hash = hash_token(assistant_link_token(assistant=assistant))
    assistant.save(update_fields=["token_hash"])
    notification_owe_now(
        kind=Kind.ASSISTANT_LINK,
        period_key=f"assistant:{assistant.pk}",
        recipient_id=None,
        recipient_email=email,
        time_zone=engagement.leader.time_zone,
        engagement_id=engagement.pk,
        context={"assistant_id": assistant.pk},
    )
    return assistant


def assistant_revoke(*, engagement: Engagement, pk: int) -> bool:
    """Stops an assistant's link; False when the engagement has no such active assistant."""
    return engagement.assistants.filter(pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now()) > 0


def assistant_for_token(token: str) -> SchedulingAssistant | None:
    """The active assistant whose link this is, with engagement, coach and leader; None otherwise."""
    if not token or len(token) > 100:
        return None
    return (
        SchedulingAssistant.objects.select_related("engagement", "engagement__coach", "engagement__leader")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .exclude(engagement__status__in=[Engagement.Status.COMPLETED, Engagement.Status.ENDED_EARLY])
        .first()
    )
