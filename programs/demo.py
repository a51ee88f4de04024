"""Demo data: a program of the demo leader's organisation, managed by Pia (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from accounts.models import User
from engagements.models import Engagement

from .models import Program


def seed(*, engagement: Engagement, manager: User) -> Program:
    program, _ = Program.objects.get_or_create(
        organisation=engagement.client,
        name=f"{engagement.client.name} leaders",
        defaults={
            "start_date": engagement.start_date - timedelta(days=14),
            "end_date": engagement.planned_end_date + timedelta(days=90),
            "planned_sessions": engagement.planned_sessions,
        },
    )
    program.managers.add(manager)
    Engagement.objects.filter(pk=engagement.pk).update(program=program)
    return program
