"""Reads for fieldwork pages and panels. Each selector owns its joins: its query count is fixed here.

Counts for the sponsor's summary (`fieldwork_counts`, `logs_per_week`, `forgotten_counts`) return
numbers only, never text.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from engagements.models import Engagement, Goal, Session

from .models import Commitment, FieldworkTemplate, PracticeLog, SelfRating, WeeklyReflection, iso_week_of
from .services import NEEDS_ATTENTION_AT

PRACTISED = PracticeLog.Kind.PRACTISED
COULD_NOT = PracticeLog.Kind.COULD_NOT
FINISHED = (Engagement.Status.COMPLETED, Engagement.Status.ENDED_EARLY)


def with_log_counts(qs: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """Annotates `logged_count` (attempts practised) and `could_not_count`, and joins the goal."""
    return qs.select_related("goal").annotate(
        logged_count=Count("logs", filter=Q(logs__kind=PRACTISED), distinct=True),
        could_not_count=Count("logs", filter=Q(logs__kind=COULD_NOT), distinct=True),
    )


def _logs_prefetch() -> Prefetch:
    return Prefetch("logs", queryset=PracticeLog.objects.select_related("author").order_by("-occurred_at", "-pk"))


def forgotten_counts(*, engagement_ids: list[int]) -> dict[int, int]:
    """Forgotten commitments per engagement (one query); engagements with none are left out."""
    rows = (
        Commitment.objects.filter(engagement_id__in=engagement_ids, forgotten=True)
        .values("engagement_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["engagement_id"]: row["n"] for row in rows}


def needs_attention(count: int) -> bool:
    return count >= NEEDS_ATTENTION_AT


def fieldwork_counts(*, engagement_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per engagement: commitments agreed, attempts logged, commitments reviewed and completed (one query).

    Every id asked for is in the answer, with zeros when it has no fieldwork yet.
    """
    rows = (
        Engagement.objects.filter(pk__in=engagement_ids)
        .annotate(
            n_commitments=Count("commitments", distinct=True),
            n_logs=Count("commitments__logs", filter=Q(commitments__logs__kind=PRACTISED), distinct=True),
            n_reviewed=Count("commitments", filter=~Q(commitments__outcome=Commitment.Outcome.OPEN), distinct=True),
            n_completed=Count("commitments", filter=Q(commitments__outcome=Commitment.Outcome.DONE), distinct=True),
        )
        .values("pk", "n_commitments", "n_logs", "n_reviewed", "n_completed")
        .order_by()
    )
    return {
        row["pk"]: {
            "commitments": row["n_commitments"],
            "logs": row["n_logs"],
            "reviewed": row["n_reviewed"],
            "completed": row["n_completed"],
        }
        for row in rows
    }


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def logs_per_week(*, engagement_ids: list[int], weeks: int = 8, now: datetime | None = None) -> dict[int, list[dict]]:
    """Attempts logged per ISO week over the last `weeks` weeks, oldest first (one query; counts only).

    Weeks follow the calendar of the current time zone (the reader's). Each engagement asked for gets
    `weeks` entries `{"week": "2026-W47", "start": date, "count": n}`, zeros included.
    """
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    this_week = _week_start(now.astimezone(tz).date())
    starts = [this_week - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    since = datetime.combine(starts[0], datetime.min.time(), tzinfo=tz)
    rows = (
        PracticeLog.objects.filter(
            commitment__engagement_id__in=engagement_ids, kind=PRACTISED, occurred_at__gte=since, occurred_at__lte=now
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values("commitment__engagement_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row["commitment__engagement_id"]][_week_start(row["day"])] += row["n"]
    result = {}
    for engagement_id in engagement_ids:
        per_week = counts.get(engagement_id, {})
        result[engagement_id] = [
            {"week": f"{s.isocalendar()[0]}-W{s.isocalendar()[1]:02d}", "start": s, "count": per_week.get(s, 0)}
            for s in starts
        ]
    return result


# --- Session and engagement panels --------------------------------------------------------------


def session_fieldwork(*, session: Session, user: User) -> dict:
    """What the session page's fieldwork panel shows. Five queries for the coach, four for the leader:

    1. commitments agreed at this session, with log counts and goals;
    2. commitments from earlier sessions to review here (open ones, and those reviewed here), with counts;
    3. their practice logs and authors;
    4. the engagement's goals (for the add form);
    5. the coach's template library (coach only).
    Plus one query for the forgotten count when the reader is the coach.
    """
    engagement = session.engagement
    is_coach = engagement.coach_id == user.pk
    agreed = list(with_log_counts(Commitment.objects.filter(session=session)).order_by("created_at", "pk"))
    to_review = list(
        with_log_counts(
            Commitment.objects.filter(engagement_id=engagement.pk, session__starts_at__lt=session.starts_at).filter(
                Q(outcome=Commitment.Outcome.OPEN) | Q(reviewed_in_session=session)
            )
        )
        .select_related("session", "reviewed_by")
        .prefetch_related(_logs_prefetch())
        .order_by("session__starts_at", "created_at", "pk")
    )
    goals = list(Goal.objects.filter(engagement_id=engagement.pk))
    templates = list(FieldworkTemplate.objects.filter(coach_id=user.pk)) if is_coach else []
    forgotten = forgotten_counts(engagement_ids=[engagement.pk]).get(engagement.pk, 0) if is_coach else 0
    can_codesign = not engagement.is_finished and session.status in (Session.Status.SCHEDULED, Session.Status.HELD)
    return {
        "session": session,
        "engagement": engagement,
        "is_coach": is_coach,
        "agreed": agreed,
        "to_review": to_review,
        "goals": goals,
        "templates": templates,
        "forgotten_count": forgotten,
        "needs_attention": is_coach and needs_attention(forgotten),
        "can_codesign": can_codesign,
        "can_add": can_codesign and len(agreed) < 3,
        "can_review": is_coach and session.status in (Session.Status.SCHEDULED, Session.Status.HELD),
    }


def engagement_fieldwork(*, engagement: Engagement, user: User, now: datetime | None = None) -> dict:
    """The engagement page's fieldwork panel (three queries): active commitments with counts, the
    forgotten count, and the latest reflections."""
    is_coach = engagement.coach_id == user.pk
    active = list(
        with_log_counts(Commitment.objects.filter(engagement_id=engagement.pk, outcome=Commitment.Outcome.OPEN))
        .select_related("session")
        .order_by("session__starts_at", "created_at", "pk")
    )
    forgotten = forgotten_counts(engagement_ids=[engagement.pk]).get(engagement.pk, 0)
    reflections = list(
        WeeklyReflection.objects.filter(engagement_id=engagement.pk).order_by("-iso_year", "-iso_week")[:3]
    )
    leader_tz = engagement.leader.tz
    iso_year, iso_week = iso_week_of(now or timezone.now(), leader_tz)
    this_week = next((r for r in reflections if (r.iso_year, r.iso_week) == (iso_year, iso_week)), None)
    return {
        "engagement": engagement,
        "is_coach": is_coach,
        "is_leader": engagement.leader_id == user.pk,
        "active": active,
        "forgotten_count": forgotten,
        "needs_attention": is_coach and needs_attention(forgotten),
        "reflections": reflections,
        "this_week_reflection": this_week,
    }


def commitment_detail(*, commitment_qs: QuerySet[Commitment], pk: int) -> Commitment:
    """One commitment with counts, goal, session, engagement people and its logs (two queries)."""
    return (
        with_log_counts(commitment_qs)
        .select_related("session", "engagement", "engagement__coach", "engagement__leader", "reviewed_in_session")
        .prefetch_related(_logs_prefetch())
        .get(pk=pk)
    )


# --- Leader home ---------------------------------------------------------------------------------


def leader_home_fieldwork(*, leader: User, now: datetime | None = None) -> dict:
    """The leader's active commitments with attempts logged, and this week's reflection per engagement.

    Two queries: commitments (with goal, engagement and counts), then this week's reflections of the
    leader's open engagements (with their engagement).
    """
    now = now or timezone.now()
    commitments = list(
        with_log_counts(Commitment.objects.filter(engagement__leader=leader).active())
        .select_related("engagement")
        .order_by("engagement__start_date", "created_at", "pk")
    )
    for c in commitments:
        c.percent = c.progress_percent(c.logged_count)
    iso_year, iso_week = iso_week_of(now, leader.tz)
    engagements = list(Engagement.objects.led_by(leader).exclude(status__in=FINISHED).order_by("-start_date", "pk"))
    reflections = {
        r.engagement_id: r
        for r in WeeklyReflection.objects.filter(
            leader=leader, engagement__in=[e.pk for e in engagements], iso_year=iso_year, iso_week=iso_week
        )
    }
    week_start = date.fromisocalendar(iso_year, iso_week, 1)
    return {
        "commitments": commitments,
        "reflection_cards": [{"engagement": e, "reflection": reflections.get(e.pk)} for e in engagements],
        "several_engagements": len(engagements) > 1,
        "week": {"number": iso_week, "start": week_start, "end": week_start + timedelta(days=6)},
    }


# --- Reflections ---------------------------------------------------------------------------------


def current_reflection(*, leader: User, engagement: Engagement, now: datetime | None = None) -> WeeklyReflection | None:
    """This ISO week's reflection (leader's calendar) with its ratings, or None (two queries)."""
    iso_year, iso_week = iso_week_of(now or timezone.now(), leader.tz)
    return (
        WeeklyReflection.objects.filter(leader=leader, engagement=engagement, iso_year=iso_year, iso_week=iso_week)
        .prefetch_related("ratings")
        .first()
    )


def reflection_history(*, engagement: Engagement, limit: int = 52) -> dict:
    """An engagement's reflections, newest first, with ratings, and the goals (three queries)."""
    reflections = list(
        WeeklyReflection.objects.filter(engagement=engagement)
        .prefetch_related(Prefetch("ratings", queryset=SelfRating.objects.select_related("goal")))
        .order_by("-iso_year", "-iso_week")[:limit]
    )
    goals = list(Goal.objects.filter(engagement=engagement))
    return {"reflections": reflections, "goals": goals}


def library_for(*, coach: User) -> list[FieldworkTemplate]:
    """The coach's templates with how often each was used (one query)."""
    return list(FieldworkTemplate.objects.owned_by(coach).annotate(uses=Count("commitments")).order_by("title", "pk"))
