"""Who may be due for a weekly message now, narrowed in SQL so a tick never walks every person in Python.

A weekly message (the reflection prompt) falls due at each person's own weekday and wall-clock time,
in their own time zone. Asking every person's `WeeklySchedule` each minute costs as much as there are
people; `weekly_due_filter` instead turns "due in the last `catch_up`, not yet recorded" into a
filter on the user table that the database answers with one scan:

- for each time zone in use, the window (now - catch_up, now] becomes one or two local dates with a
  range of wall-clock times; only when the zone's clocks change inside the window is the range widened
  by `SLACK` on both sides, so the finder's own check decides the skipped or doubled hour;
- a person matches when their weekday is that date's weekday and their time lies in the range (the
  default Friday 16:00 when they have no preference row), and no row of that kind exists for them with
  the period key of that date's ISO week (looked up on the outbox's unique index).

It is a superset: the finder still confirms each person with `WeeklySchedule.last_occurrence`, so
the exact rules (skipped and doubled hours) stay in one place.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat

from .models import DEFAULT_REFLECTION_TIME, DEFAULT_REFLECTION_WEEKDAY, Notification, WeeklySchedule
from .registry import row_guard

# Wider than any daylight-saving jump in the time zone database (Antarctica/Troll moves two hours).
SLACK = timedelta(hours=3)
_NOTHING = Q(pk__in=[])


def _local_ranges(now: datetime, catch_up: timedelta, tz: zoneinfo.ZoneInfo) -> list[tuple[date, time, time]]:
    """(local date, earliest, latest wall-clock time) covering (now - catch_up, now].

    With one UTC offset throughout, wall-clock times map exactly onto the window. When the clocks
    change in or near it, the range is widened by `SLACK` on both sides.
    """
    moments = [now - catch_up - SLACK, now - catch_up / 2, now + SLACK]
    slack = SLACK if len({m.astimezone(tz).utcoffset() for m in moments}) > 1 else timedelta(0)
    start = (now - catch_up - slack).astimezone(tz).replace(tzinfo=None)
    end = (now + slack).astimezone(tz).replace(tzinfo=None)
    ranges = []
    day = start.date()
    while day <= end.date():
        low = start.time() if day == start.date() else time.min
        high = end.time() if day == end.date() else time.max
        ranges.append((day, low, high))
        day += timedelta(days=1)
    return ranges


def weekly_due_filter(*, now: datetime, catch_up: timedelta, kind: str, prefix: str) -> Q:
    """A filter on the user model for people whose weekly `kind` message may be due at `now`.

    Reads the time zones in use (one query). The message's period key must be
    `WeeklySchedule.period_key(local date, prefix)` and its recipient the user, as the reflection
    prompt's are.
    """
    user_model = get_user_model()
    zones = user_model.objects.order_by().values_list("time_zone", flat=True).distinct()
    # `user_recipient_key` in SQL: the lookup then runs on the outbox's unique index.
    recipient_key = Concat(Value("user:"), Cast(OuterRef("pk"), output_field=CharField()), output_field=CharField())
    match = _NOTHING
    for name in zones:
        # One zone that cannot be worked out (unknown to this machine, a date past the calendar's end)
        # leaves out its own people, reported like a bad row, never everyone else's prompt.
        with row_guard(kind=kind, row=f"time_zone:{name}"[:100]):
            match |= _zone_filter(name, now=now, catch_up=catch_up, kind=kind, prefix=prefix, key=recipient_key)
    return match


def _zone_filter(name: str, *, now: datetime, catch_up: timedelta, kind: str, prefix: str, key) -> Q:
    tz = zoneinfo.ZoneInfo(name)
    match = _NOTHING
    for day, low, high in _local_ranges(now, catch_up, tz):
        recorded = Notification.objects.filter(
            recipient_key=key, kind=kind, period_key=WeeklySchedule.period_key(day, prefix)
        )
        chosen = Q(
            notification_preference__reflection_weekday=day.weekday(),
            notification_preference__reflection_time__gte=low,
            notification_preference__reflection_time__lte=high,
        )
        if day.weekday() == DEFAULT_REFLECTION_WEEKDAY and low <= DEFAULT_REFLECTION_TIME <= high:
            chosen |= Q(notification_preference__isnull=True)
        match |= Q(time_zone=name) & chosen & ~Exists(recorded)
    return match
