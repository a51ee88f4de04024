"""A cohort of engagements in a program, with goals, sessions, fieldwork and two closed feedback rounds."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from engagements.models import Engagement, Session
from programs.models import Program, RowRelease
from tests.coaching.helpers import feedback_round
from tests.factories import EngagementFactory, GoalFactory, SessionFactory, UserFactory


def cohort(program: Program, size: int, *, coach, release: int = 0, rounds: bool = True) -> list[Engagement]:
    """`size` engagements of `program` coached by `coach`; the first `release` leaders release their row."""
    engagements = []
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for i in range(size):
        leader = UserFactory(full_name=f"Cohort Leader {i:02d}")
        e = EngagementFactory(coach=coach, leader=leader, organisation=program.organisation.name)
        Engagement.objects.filter(pk=e.pk).update(program=program)
        GoalFactory(engagement=e, position=1, title="Delegate decisions to the team")
        SessionFactory(engagement=e, starts_at=now - timedelta(days=10), status=Session.Status.HELD)
        SessionFactory(engagement=e, starts_at=now - timedelta(days=3), status=Session.Status.NO_SHOW)
        SessionFactory(engagement=e, starts_at=now + timedelta(days=5))
        if rounds:
            feedback_round(e, {"peer": [[0], [1], [0]]}, opened_days_ago=40)
            feedback_round(e, {"peer": [[2], [2], [1]]}, opened_days_ago=20)
        if i < release:
            RowRelease.objects.create(engagement=e, released_by=leader)
        engagements.append(e)
    return engagements
