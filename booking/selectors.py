"""Reads for booking pages. Each selector owns its joins, so a page's query count is fixed here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from engagements.models import Engagement, Session

from .models import Availability, AvailabilityException, BusyPeriod, SchedulingAssistant

#: Every status that uses up one of the engagement's planned sessions (a cancellation in good time does not).
COUNTED = [s for s in Session.Status.values if s != Session.Status.CANCELLED]


def availability_for(*, coach) -> Availability | None:
    """The coach's availability with weekly hours and exceptions from today on (three queries)."""
    return (
        Availability.objects.select_related("coach")
        .prefetch_related("weekly_hours")
        .prefetch_related(
            Prefetch(
                "exceptions",
                queryset=AvailabilityException.objects.filter(day__gte=timezone.now().date() - timedelta(days=1)),
            )
        )
        .filter(coach=coach)
        .first()
    )


def busy_for(
    *, coach, availability: Availability, start: datetime, end: datetime, exclude_session_id: int | None = None
) -> list[tuple[datetime, datetime]]:
    """The coach's busy time between `start` and `end` (two queries): every scheduled session of theirs
    and every busy period read from their calendar, each widened by the buffer on both sides."""
    buffer = availability.buffer
    sessions = (
        Session.objects.filter(
            engagement__coach=coach,
            status=Session.Status.SCHEDULED,
            starts_at__lt=end + buffer,
            starts_at__gt=start - buffer - timedelta(minutes=480),
        )
        .exclude(pk=exclude_session_id)
        .values_list("starts_at", "duration_minutes")
    )
    busy = [
        (starts_at - buffer, starts_at + timedelta(minutes=minutes) + buffer)
        for starts_at, minutes in sessions
        if starts_at + timedelta(minutes=minutes) + buffer > start
    ]
    # The buffer keeps the coach's breathing room around anything in their calendar too, not only
    # around sessions booked here.
    busy += [
        (starts_at - buffer, ends_at + buffer)
        for starts_at, ends_at in BusyPeriod.objects.filter(
            connection__coach=coach, starts_at__lt=end + buffer, ends_at__gt=start - buffer
        ).values_list("starts_at", "ends_at")
    ]
    return sorted(busy)


def counted_sessions(*, engagement: Engagement) -> int:
    """Sessions that use up the plan: held, scheduled, no-shows and late cancellations (one query)."""
    return engagement.sessions.filter(status__in=COUNTED).count()


@dataclass
class BookingView:
    """Everything the booking page shows: remaining sessions, the rules and the free slots."""

    engagement: Engagement
    availability: Availability | None
    remaining: int
    length: int
    slots: list[datetime] = field(default_factory=list)

    @property
    def can_book(self) -> bool:
        return self.availability is not None and self.availability.accepts_bookings and self.remaining > 0

    def days(self, tz) -> list[tuple]:
        """Slots grouped by the reader's local date: [(date, [moment, ...]), ...]."""
        grouped: dict = {}
        for slot in self.slots:
            grouped.setdefault(slot.astimezone(tz).date(), []).append(slot)
        return list(grouped.items())


def booking_view(
    *, engagement: Engagement, length: int | None = None, now: datetime | None = None, moving: Session | None = None
) -> BookingView:
    """The booking page of an engagement: six queries whatever the number of sessions and busy periods
    (availability, weekly hours, exceptions, counted sessions, busy sessions, calendar busy periods).
    When `moving` is given, its own time is free and it does not count against the plan."""
    now = now or timezone.now()
    availability = availability_for(coach=engagement.coach)
    remaining = engagement.planned_sessions - counted_sessions(engagement=engagement)
    if moving is not None:
        remaining += 1
    lengths = availability.lengths if availability else [60]
    if moving is not None:
        length = moving.duration_minutes
    length = length if length in lengths or moving is not None else lengths[0]
    view = BookingView(engagement=engagement, availability=availability, remaining=max(0, remaining), length=length)
    if view.can_book:
        earliest, latest = availability.bookable_range(now)
        busy = busy_for(
            coach=engagement.coach,
            availability=availability,
            start=earliest,
            end=latest + timedelta(minutes=length),
            exclude_session_id=moving.pk if moving else None,
        )
        view.slots = availability.slots(now=now, length=length, busy=busy, tz=engagement.coach.tz)
    return view


def upcoming_sessions(*, engagement: Engagement, now: datetime | None = None) -> list[Session]:
    """The engagement's scheduled sessions still ahead, times only (one query)."""
    now = now or timezone.now()
    return list(
        Session.objects.filter(engagement=engagement, status=Session.Status.SCHEDULED, starts_at__gte=now)
        .only("pk", "starts_at", "duration_minutes", "kind", "mode", "status", "engagement_id")
        .order_by("starts_at")
    )


def active_assistants(*, engagement: Engagement) -> list[SchedulingAssistant]:
    return list(engagement.assistants.filter(revoked_at__isnull=True))
