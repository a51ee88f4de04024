"""Reads for engagement pages. Each selector owns its joins, so a page's query count is fixed here."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import AgendaItem, Engagement, Goal, Session

HELD = Session.Status.HELD


def engagement_with_counts(qs: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Annotates sessions held / no-shows / late cancels and the next session time (no extra queries)."""
    from django.db.models import Min

    now = timezone.now()
    return qs.select_related("coach", "leader").annotate(
        # Held and no-show count only once the session has started: attendance is a fact about the past.
        held_count=Count("sessions", filter=Q(sessions__status=HELD, sessions__starts_at__lte=now), distinct=True),
        no_show_count=Count(
            "sessions", filter=Q(sessions__status=Session.Status.NO_SHOW, sessions__starts_at__lte=now), distinct=True
        ),
        late_cancel_count=Count("sessions", filter=Q(sessions__status=Session.Status.LATE_CANCEL), distinct=True),
        next_session_at=Min(
            "sessions__starts_at",
            filter=Q(sessions__status=Session.Status.SCHEDULED, sessions__starts_at__gte=now),
        ),
    )


def engagements_for_coach(*, coach, status: str | None = None) -> QuerySet[Engagement]:
    """Coach's engagements with counts: one query, plus one for sponsors and one for goals."""
    qs = Engagement.objects.coached_by(coach)
    if status:
        qs = qs.filter(status=status)
    return engagement_with_counts(qs).prefetch_related("sponsors", "goals").order_by("status", "-start_date", "pk")


def engagement_detail(*, engagement_qs: QuerySet[Engagement], pk: int) -> Engagement:
    """One engagement with coach, leader, sponsors and goals (three queries)."""
    return engagement_with_counts(engagement_qs).prefetch_related("sponsors", "goals").get(pk=pk)


def sessions_for_engagement(*, engagement: Engagement) -> list[Session]:
    """Every session of an engagement with its agenda items (two queries)."""
    return list(
        Session.objects.filter(engagement=engagement)
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("author")))
        .order_by("starts_at", "pk")
    )


def session_detail(*, session_qs: QuerySet[Session], pk: int) -> Session:
    """One session with its engagement, coach (and meeting room), leader and agenda (two queries)."""
    return (
        session_qs.select_related(
            "engagement", "engagement__coach", "engagement__coach__meeting_room", "engagement__leader"
        )
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("author")))
        .get(pk=pk)
    )


def next_session(*, engagement: Engagement) -> Session | None:
    return Session.objects.filter(engagement=engagement).upcoming().first()


def goals_for(*, engagement: Engagement) -> QuerySet[Goal]:
    return engagement.goals.all()


#: How far back a calendar feed lists sessions.
FEED_PAST = timedelta(days=180)
#: How long a cancelled session stays in feeds (as STATUS:CANCELLED) after it was cancelled, so every
#: subscribed calendar, however rarely it refreshes, sees the cancellation and removes the event.
FEED_CANCELLED_FOR = timedelta(days=30)
CANCELLED_STATUSES = (Session.Status.CANCELLED, Session.Status.LATE_CANCEL)


def feed_sessions(*, user, now: datetime | None = None) -> list[Session]:
    """The sessions of a person's calendar feed (one query): as coach all their sessions, as leader
    those of the engagements they have accepted, as sponsor the three-way meetings of the engagements
    they sponsor. Sessions from `FEED_PAST` ago onwards; a cancelled one for `FEED_CANCELLED_FOR` after
    its cancellation. Rows carry engagement, coach (with meeting room) and leader for the event text."""
    if not user.is_active:
        return []
    now = now or timezone.now()
    mine = (
        Q(engagement__in=Engagement.objects.coached_by(user).values("pk"))
        | Q(engagement__in=Engagement.objects.led_by(user).values("pk"))
        | Q(engagement__in=Engagement.objects.sponsored_by(user).values("pk"), kind=Session.Kind.THREE_WAY)
    )
    cancelled_long_ago = Q(status__in=CANCELLED_STATUSES, cancelled_on__lte=now - FEED_CANCELLED_FOR)
    return list(
        Session.objects.filter(mine, starts_at__gte=now - FEED_PAST)
        .annotate(cancelled_on=Coalesce("cancelled_at", "outcome_recorded_at", "updated_at"))
        .exclude(cancelled_long_ago)
        .select_related("engagement", "engagement__coach", "engagement__coach__meeting_room", "engagement__leader")
        .order_by("starts_at", "pk")
    )
