"""Reads for engagement pages. Each selector owns its joins, so a page's query count is fixed here."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import AgendaItem, Engagement, Goal, Session

HELD = Session.Status.HELD


def engagement_with_counts(qs: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Annotates sessions held / no-shows / late cancels and the next session time (no extra queries)."""
    from django.db.models import Min

    now = timezone.now()
    return qs.select_related("coach", "leader").annotate(
        held_count=Count("sessions", filter=Q(sessions__status=HELD), distinct=True),
        no_show_count=Count("sessions", filter=Q(sessions__status=Session.Status.NO_SHOW), distinct=True),
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
    """One session with its engagement, coach, leader and agenda (two queries)."""
    return (
        session_qs.select_related("engagement", "engagement__coach", "engagement__leader")
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("author")))
        .get(pk=pk)
    )


def next_session(*, engagement: Engagement) -> Session | None:
    return Session.objects.filter(engagement=engagement).upcoming().first()


def goals_for(*, engagement: Engagement) -> QuerySet[Goal]:
    return engagement.goals.all()
