"""Reads for the home pages. Each page's queries are fixed here, whatever the amount of data."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.models import Practice, User
from engagements.models import AgendaItem, Engagement, Session
from engagements.selectors import engagement_with_counts, engagements_for_coach


def coach_home(*, coach: User, status: str = "") -> dict:
    """Engagement cards and this week's sessions. Queries: engagements, sponsors, goals, sessions."""
    engagements = list(engagements_for_coach(coach=coach, status=None if status in ("", "all") else status))
    if status == "":
        engagements = [e for e in engagements if not e.is_finished]
    now = timezone.now()
    week_end = now + timezone.timedelta(days=7)
    this_week = list(
        Session.objects.filter(engagement__coach=coach, status=Session.Status.SCHEDULED, starts_at__gte=now, starts_at__lt=week_end)
        .select_related("engagement", "engagement__leader")
        .order_by("starts_at")
    )
    awaiting_outcome = list(
        Session.objects.filter(engagement__coach=coach, status=Session.Status.SCHEDULED, starts_at__lt=now)
        .select_related("engagement", "engagement__leader")
        .order_by("starts_at")[:20]
    )
    for e in engagements:
        e.progress_percent = e.progress(e.held_count)
    return {"engagements": engagements, "this_week": this_week, "awaiting_outcome": awaiting_outcome}


def leader_home(*, leader: User) -> dict:
    """The leader's engagements with goals, the next session and its agenda."""
    now = timezone.now()
    upcoming = Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__gte=now).order_by("starts_at").prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("author"))
    )
    engagements = list(
        engagement_with_counts(Engagement.objects.led_by(leader))
        .prefetch_related("goals", Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"))
        .order_by("-start_date")
    )
    for e in engagements:
        e.progress_percent = e.progress(e.held_count)
        e.next_session = e.upcoming_sessions[0] if e.upcoming_sessions else None
    return {"engagements": engagements}


def sponsor_home(*, sponsor: User) -> dict:
    """Engagements this person sponsors, with non-privileged facts only."""
    engagements = list(
        engagement_with_counts(Engagement.objects.sponsored_by(sponsor)).prefetch_related("goals").order_by("-start_date")
    )
    for e in engagements:
        e.progress_percent = e.progress(e.held_count)
    return {"engagements": engagements}


def practice_overview(*, practice: Practice) -> dict:
    """Coaches of the practice with engagement counts by status: one query for coaches with counts."""
    statuses = Engagement.Status
    coaches = list(
        User.objects.filter(practice=practice, is_coach=True)
        .annotate(
            **{
                f"n_{s.value}": Count("coached_engagements", filter=Q(coached_engagements__status=s.value))
                for s in statuses
            }
        )
        .order_by("full_name")
    )
    totals: Counter = Counter()
    for coach in coaches:
        coach.counts = [(s.label, getattr(coach, f"n_{s.value}")) for s in statuses]
        for s in statuses:
            totals[s.label] += getattr(coach, f"n_{s.value}")
    return {"practice": practice, "coaches": coaches, "totals": [(s.label, totals[s.label]) for s in statuses]}
