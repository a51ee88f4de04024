"""Booking: the coach's availability, their CalDAV calendar, the slots leaders book and the
scheduling assistants leaders name.

Every moment is stored in UTC; weekly hours and exceptions are wall-clock times in the coach's own
time zone (`User.time_zone`), turned into moments day by day with zoneinfo, so a daylight-saving
change moves the UTC hours, never the local ones.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.limits import DATE_VALIDATORS, MOMENT_VALIDATORS, date_in_range, moment_in_range
from notifications.models import WEEKDAYS

#: Slots start on this grid (minutes past the hour in the coach's zone, counted from the window start).
SLOT_STEP = timedelta(minutes=30)
MIN_LENGTH, MAX_LENGTH = 15, 480


def parse_lengths(value: str) -> list[int]:
    """ "45, 60" -> [45, 60]; a ValidationError names what is wrong."""
    parts = [p.strip() for p in (value or "").split(",") if p.strip()]
    if not parts:
        raise ValidationError(gettext("Give at least one session length in minutes, for example 60."))
    lengths = []
    for part in parts:
        if not part.isdigit() or not MIN_LENGTH <= int(part) <= MAX_LENGTH:
            raise ValidationError(
                gettext("“%(part)s” is not a session length: use whole minutes from %(low)s to %(high)s.")
                % {"part": part, "low": MIN_LENGTH, "high": MAX_LENGTH}
            )
        lengths.append(int(part))
    return sorted(set(lengths))


def validate_lengths(value: str) -> None:
    parse_lengths(value)


def local_moment(day: date, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    """The UTC moment of wall-clock `at` on local date `day`. A time skipped when clocks go forward is
    read with the offset before the jump (02:30 becomes 03:30); a doubled time is its first occurrence."""
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime


class Availability(models.Model):
    """A coach's booking rules. Leaders book only coaches who have one with `accepts_bookings`."""

    coach = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability")
    accepts_bookings = models.BooleanField(_("leaders may book"), default=True)
    session_lengths = models.CharField(
        _("session lengths (minutes)"),
        max_length=40,
        default="60",
        validators=[validate_lengths],
        help_text=_("Comma-separated, for example 45, 60, 90."),
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer between sessions (minutes)"), default=15, help_text=_("Kept free before and after every session.")
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"),
        default=24,
        help_text=_("No booking or move closer to the start; cancelling stays possible."),
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("book up to (days ahead)"), default=28, help_text=_("How far ahead a leader may book.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(condition=Q(buffer_minutes__lte=240), name="availability_buffer_0_240"),
            models.CheckConstraint(condition=Q(min_notice_hours__lte=720), name="availability_notice_0_720"),
            models.CheckConstraint(
                condition=Q(horizon_days__gte=1, horizon_days__lte=180), name="availability_horizon_1_180"
            ),
        ]

    def __str__(self) -> str:
        return f"Availability of {self.coach}"

    @property
    def lengths(self) -> list[int]:
        try:
            return parse_lengths(self.session_lengths)
        except ValidationError:
            return [60]

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)

    @property
    def min_notice(self) -> timedelta:
        return timedelta(hours=self.min_notice_hours)

    def bookable_range(self, now: datetime) -> tuple[datetime, datetime]:
        """The earliest and latest start a leader may book at `now`."""
        return now + self.min_notice, now + timedelta(days=self.horizon_days)

    def windows(self, *, tz: zoneinfo.ZoneInfo, first: date, last: date) -> list[Window]:
        """Open windows on local dates `first` to `last`, from the prefetched weekly hours and exceptions.

        A day off removes the weekly hours of its date; an extra opening adds a window to its date.
        """
        weekly: dict[int, list[WeeklyHours]] = {}
        for hours in self.weekly_hours.all():
            weekly.setdefault(hours.weekday, []).append(hours)
        closed: set[date] = set()
        extra: dict[date, list[AvailabilityException]] = {}
        for exception in self.exceptions.all():
            if exception.kind == AvailabilityException.Kind.DAY_OFF:
                closed.add(exception.day)
            else:
                extra.setdefault(exception.day, []).append(exception)
        windows = []
        day = first
        while day <= last:
            spans = [] if day in closed else [(h.starts, h.ends) for h in weekly.get(day.weekday(), [])]
            spans += [(e.starts, e.ends) for e in extra.get(day, [])]
            for starts, ends in spans:
                windows.append(Window(local_moment(day, starts, tz), local_moment(day, ends, tz)))
            day += timedelta(days=1)
        return sorted(windows, key=lambda w: w.starts_at)

    def slots(
        self,
        *,
        now: datetime,
        length: int,
        busy: list[tuple[datetime, datetime]],
        tz: zoneinfo.ZoneInfo | None = None,
    ) -> list[datetime]:
        """Every start (UTC) a leader may book at `now` for a session of `length` minutes.

        A slot lies inside an open window, starts no earlier than the minimum notice and no later than
        the horizon, and does not touch a busy period. `busy` holds (start, end) pairs already widened
        by whatever margin applies (the buffer around booked sessions).
        """
        tz = tz or self.coach.tz
        earliest, latest = self.bookable_range(now)
        first = earliest.astimezone(tz).date() - timedelta(days=1)
        last = latest.astimezone(tz).date()
        duration = timedelta(minutes=length)
        busy = sorted(busy)
        starts: set[datetime] = set()
        for window in self.windows(tz=tz, first=first, last=last):
            start = window.starts_at
            while start + duration <= window.ends_at:
                end = start + duration
                if earliest <= start <= latest and not any(b0 < end and start < b1 for b0, b1 in busy):
                    starts.add(start)
                start += SLOT_STEP
        return sorted(starts)


class WeeklyHours(models.Model):
    """One span of working hours on a weekday, in the coach's own time zone ("Tuesday 09:00-12:00")."""

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "starts", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=models.F("ends")), name="weekly_hours_start_before_end"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_hours_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts is not None and self.ends is not None and self.starts >= self.ends:
            raise ValidationError({"ends": gettext("The end comes after the start.")})


class AvailabilityException(models.Model):
    """A day off (no bookings on that local date) or an extra opening (a window on one date)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        OPENING = "opening", _("Extra opening")

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("date"), validators=DATE_VALIDATORS)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DAY_OFF)
    starts = models.TimeField(_("from"), null=True, blank=True)
    ends = models.TimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["day", "starts", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="day_off", starts__isnull=True, ends__isnull=True)
                | Q(kind="opening", starts__isnull=False, ends__isnull=False, starts__lt=models.F("ends")),
                name="availability_exception_shape",
            ),
            date_in_range("day", name="availability_exception_day_2000_2100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day}"

    def clean(self) -> None:
        if self.kind == self.Kind.DAY_OFF:
            self.starts = self.ends = None
        elif self.starts is None or self.ends is None:
            raise ValidationError({"starts": gettext("An extra opening needs a start and an end time.")})
        elif self.starts >= self.ends:
            raise ValidationError({"ends": gettext("The end comes after the start.")})


class CalendarConnection(models.Model):
    """The coach's own CalDAV calendar: busy time is read from it, booked sessions are written to it.

    The password is stored encrypted (`booking.crypto`, key `BOOKING_ENCRYPTION_KEY`), never in clear.
    """

    coach = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_connection")
    url = models.URLField(_("calendar address (CalDAV)"), max_length=500)
    username = models.CharField(_("user name"), max_length=200)
    password_encrypted = models.TextField()
    write_back = models.BooleanField(_("add booked sessions to this calendar"), default=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar of {self.coach}"


class BusyPeriod(models.Model):
    """A busy period read from the coach's calendar over the booking horizon (replaced at each sync)."""

    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="busy_periods")
    starts_at = models.DateTimeField(validators=MOMENT_VALIDATORS)
    ends_at = models.DateTimeField(validators=MOMENT_VALIDATORS)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="busy_period_ends_after_start"),
            moment_in_range("starts_at", name="busy_period_starts_2000_2100"),
            moment_in_range("ends_at", name="busy_period_ends_2000_2100"),
        ]
        indexes = [models.Index(fields=["connection", "starts_at"])]

    def __str__(self) -> str:
        return f"Busy {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"


class SchedulingAssistant(models.Model):
    """Someone the leader names to book, move and cancel their sessions: e-mail only, no account.

    They hold a private link (`booking.services.assistant_link_token`); only its SHA-256 is stored.
    They see session times, never agenda, notes, fieldwork or feedback.
    """

    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="assistants")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    link_nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "email"],
                condition=Q(revoked_at__isnull=True),
                name="assistant_one_active_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def link_value(self) -> str:
        return f"{self.pk}:{self.link_nonce}"


class Booking(models.Model):
    """A session a leader (or their assistant) booked in one of the coach's slots.

    The unique constraint on (coach, start) among active bookings settles two people booking the same
    slot at once: the second insert fails and that person is told the slot was just taken.
    """

    session = models.OneToOneField("engagements.Session", on_delete=models.CASCADE, related_name="booking")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(validators=MOMENT_VALIDATORS)
    active = models.BooleanField(default=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assistant = models.ForeignKey(
        SchedulingAssistant, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    # The event's address in the coach's CalDAV calendar once written there.
    caldav_href = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["coach", "starts_at"], condition=Q(active=True), name="booking_one_per_coach_slot"
            ),
            moment_in_range("starts_at", name="booking_starts_2000_2100"),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk} at {self.starts_at:%Y-%m-%d %H:%M}"
