"""What the outbox owes about fieldwork: the weekly reflection prompt and the halfway practice nudge.

Registered from `FieldworkConfig.ready()`.

- Weekly reflection prompt: each leader of an active engagement, at their chosen weekday and local
  time (default Friday 16:00, `NotificationPreference`), once per ISO week of their own calendar
  (period key `reflection:<ISO year>-W<week>`). Skipped when the week's reflection is already written.
- Fieldwork nudge: when half the time between the session where commitments were co-designed and
  the next session (or a commitment's own due date) has passed and a commitment has no practice
  logged. One nudge per co-design session, listing every commitment still without a log.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import User
from engagements.models import Engagement, Session
from notifications.models import (
    DEFAULT_REFLECTION_TIME,
    DEFAULT_REFLECTION_WEEKDAY,
    Kind,
    Notification,
    WeeklySchedule,
)
from notifications.registry import DueSpec, Message, Skip, Source, register, row_guard
from notifications.weekly import weekly_due_filter

from .models import Commitment, PracticeLog, WeeklyReflection

CHUNK = 500
# A prompt whose moment passed more than this long ago (the tick was down) waits for next week.
REFLECTION_CATCH_UP = timedelta(hours=12)
# Commitments co-designed longer ago than this are not nudged any more, whatever their due date.
NUDGE_HORIZON = timedelta(days=120)


# --- Weekly reflection prompt -------------------------------------------------------------------


def reflection_prompt_rows(now: datetime) -> Iterator[tuple]:
    active = Engagement.objects.filter(leader=OuterRef("pk"), status=Engagement.Status.ACTIVE, awaiting_leader=False)
    # Only people whose moment may lie in the catch-up window and whose prompt is not recorded yet:
    # the database narrows 100,000 leaders to the few due this minute.
    maybe_due = weekly_due_filter(
        now=now, catch_up=REFLECTION_CATCH_UP, kind=Kind.REFLECTION_PROMPT, prefix="reflection"
    )
    return (
        User.objects.filter(Exists(active), maybe_due, is_active=True)
        .annotate(engagement_id=Subquery(active.order_by("-start_date", "pk").values("pk")[:1]))
        .order_by("pk")
        .values_list(
            "pk",
            "email",
            "time_zone",
            "notification_preference__reflection_weekday",
            "notification_preference__reflection_time",
            "engagement_id",
        )
        .iterator(chunk_size=CHUNK)
    )


def reflection_prompt_spec(row: tuple, now: datetime) -> DueSpec | None:
    pk, email, tz, weekday, at, engagement_id = row
    schedule = WeeklySchedule(
        DEFAULT_REFLECTION_WEEKDAY if weekday is None else weekday, at or DEFAULT_REFLECTION_TIME, tz
    )
    day, due = schedule.last_occurrence(now)
    if now - due >= REFLECTION_CATCH_UP:
        return None
    year, week, _ = day.isocalendar()
    return DueSpec(
        kind=Kind.REFLECTION_PROMPT,
        period_key=schedule.period_key(day, "reflection"),
        due_at=due,
        recipient_id=pk,
        recipient_email=email,
        time_zone=tz,
        engagement_id=engagement_id,
        context={"iso_year": year, "iso_week": week},
    )


def find_reflection_prompts(now: datetime) -> Iterator[DueSpec]:
    return REFLECTION_PROMPTS.find_due(now)


def build_reflection_prompt(notification: Notification) -> Message:
    leader = notification.recipient
    year, week = notification.context["iso_year"], notification.context["iso_week"]
    today = timezone.now().astimezone(notification.tz).date()
    if today.isocalendar()[:2] != (year, week):
        raise Skip(gettext_noop("The week this prompt was for is over."))
    engagements = list(
        Engagement.objects.led_by(leader).filter(status=Engagement.Status.ACTIVE).select_related("coach")
    )
    if not engagements:
        raise Skip(gettext_noop("The leader has no active engagement."))
    written = set(
        WeeklyReflection.objects.filter(
            leader=leader, engagement__in=engagements, iso_year=year, iso_week=week
        ).values_list("engagement_id", flat=True)
    )
    waiting = [e for e in engagements if e.pk not in written]
    if not waiting:
        raise Skip(gettext_noop("This week's reflection is already written."))
    next_session = Session.objects.filter(engagement__in=waiting).upcoming().select_related("engagement__coach").first()
    monday = date.fromisocalendar(year, week, 1)
    link = reverse("fieldwork:reflection")
    if len(waiting) == 1:
        link += f"?engagement={waiting[0].pk}"
    return Message(
        template="reflection-prompt",
        context={
            "week": week,
            "week_start": monday,
            "week_end": monday + timedelta(days=6),
            "coach": waiting[0].coach,
            "next_session": next_session,
        },
        link=link,
    )


def _leads_an_engagement(user) -> bool:
    return Engagement.objects.led_by(user).exists()


# --- Fieldwork nudge ----------------------------------------------------------------------------


def _window(
    *, started: datetime, next_at: datetime | None, due_date: date | None, tz: str
) -> tuple[datetime, datetime] | None:
    """(halfway, end) of a commitment's practice window, or None when it has no end yet."""
    if due_date is not None:
        end = datetime.combine(due_date + timedelta(days=1), time.min, tzinfo=ZoneInfo(tz))
    elif next_at is not None:
        end = next_at
    else:
        return None  # no next session booked: the coach's "no next session" nudge covers it
    if end <= started:
        return None
    return started + (end - started) / 2, end


def _nudge_candidates(now: datetime):
    next_session = Session.objects.filter(
        engagement=OuterRef("engagement_id"),
        status=Session.Status.SCHEDULED,
        starts_at__gt=OuterRef("session__starts_at"),
    ).order_by("starts_at")
    return (
        Commitment.objects.filter(
            outcome=Commitment.Outcome.OPEN,
            engagement__status=Engagement.Status.ACTIVE,
            session__starts_at__lte=now,
            session__starts_at__gt=now - NUDGE_HORIZON,
        )
        .exclude(Exists(PracticeLog.objects.filter(commitment=OuterRef("pk"))))
        .annotate(
            started=Greatest(F("session__starts_at"), F("created_at")),
            next_at=Subquery(next_session.values("starts_at")[:1]),
        )
        .order_by("session_id", "pk")
        .values_list(
            "pk",
            "session_id",
            "engagement_id",
            "started",
            "next_at",
            "due_date",
            "engagement__leader_id",
            "engagement__leader__email",
            "engagement__leader__time_zone",
        )
    )


def fieldwork_nudge_rows(now: datetime) -> Iterator[tuple[int, list[tuple]]]:
    """(co-design session id, its commitments' rows): one nudge per session, so one row per session."""
    rows = _nudge_candidates(now).iterator(chunk_size=CHUNK)
    for session_id, group in groupby(rows, key=lambda row: row[1]):
        yield session_id, list(group)


def fieldwork_nudge_spec(row: tuple[int, list[tuple]], now: datetime) -> DueSpec | None:
    """The nudge of one co-design session, listing each commitment halfway through its window.

    A commitment whose window cannot be worked out (a due date at the end of the calendar) is
    reported and left out; the session's other commitments are still nudged.
    """
    session_id, commitments = row
    due_ids, halfway_points = [], []
    leader = None
    for pk, _, engagement_id, started, next_at, due_date, leader_id, email, tz in commitments:
        window = None
        with row_guard(kind=Kind.FIELDWORK_NUDGE, row=f"commitment:{pk}"):
            window = _window(started=started, next_at=next_at, due_date=due_date, tz=tz)
        if window is None or not (window[0] <= now < window[1]):
            continue
        due_ids.append(pk)
        halfway_points.append(window[0])
        leader = (leader_id, email, tz, engagement_id)
    if not due_ids:
        return None
    leader_id, email, tz, engagement_id = leader
    return DueSpec(
        kind=Kind.FIELDWORK_NUDGE,
        period_key=f"fieldwork:{session_id}",
        due_at=min(halfway_points),
        recipient_id=leader_id,
        recipient_email=email,
        time_zone=tz,
        engagement_id=engagement_id,
        context={"session_id": session_id, "commitment_ids": due_ids},
    )


def find_fieldwork_nudges(now: datetime) -> Iterator[DueSpec]:
    return FIELDWORK_NUDGES.find_due(now)


def build_fieldwork_nudge(notification: Notification) -> Message:
    commitments = list(
        Commitment.objects.filter(
            pk__in=notification.context.get("commitment_ids", []),
            outcome=Commitment.Outcome.OPEN,
            engagement__status=Engagement.Status.ACTIVE,
        )
        .exclude(Exists(PracticeLog.objects.filter(commitment=OuterRef("pk"))))
        .select_related("engagement__coach", "goal")
        .order_by("pk")
    )
    if not commitments:
        raise Skip(gettext_noop("Practice has been logged (or the commitments were reviewed)."))
    engagement = commitments[0].engagement
    next_session = Session.objects.filter(engagement=engagement).upcoming().first()
    items = [{"commitment": c, "url": reverse("fieldwork:log_practice", args=[c.pk])} for c in commitments]
    return Message(
        template="fieldwork-nudge",
        context={"items": items, "engagement": engagement, "coach": engagement.coach, "next_session": next_session},
        link=items[0]["url"],
    )


# --- Registration -------------------------------------------------------------------------------


REFLECTION_PROMPTS = Source(
    kind=Kind.REFLECTION_PROMPT,
    find_rows=reflection_prompt_rows,
    spec_for=reflection_prompt_spec,
    row_name="user",
    build=build_reflection_prompt,
    applies_to=_leads_an_engagement,
    description=gettext_lazy("Once a week, on the day and at the time you choose above: look back on your week."),
)
FIELDWORK_NUDGES = Source(
    kind=Kind.FIELDWORK_NUDGE,
    find_rows=fieldwork_nudge_rows,
    spec_for=fieldwork_nudge_spec,
    row_name="session",
    build=build_fieldwork_nudge,
    applies_to=_leads_an_engagement,
    description=gettext_lazy("Halfway to your next session, if a commitment has no practice logged yet."),
)


def register_sources() -> None:
    register(REFLECTION_PROMPTS)
    register(FIELDWORK_NUDGES)
