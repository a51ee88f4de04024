"""The demo fieldwork: a library per coach and Lee's practice, seeded once however often it runs."""

from __future__ import annotations

from datetime import timedelta

from engagements.models import Session
from fieldwork import demo
from fieldwork.models import Commitment, FieldworkTemplate, PracticeLog, WeeklyReflection
from tests.factories import SessionFactory


def test_seeding_twice_creates_everything_once(cast):
    for days in (28, 14):
        SessionFactory(
            engagement=cast.lee_engagement,
            status=Session.Status.HELD,
            starts_at=cast.lee_next_session.starts_at - timedelta(days=days + 7),
        )
    engagements = [cast.lee_engagement, cast.liv_engagement]

    demo.seed(engagements=engagements)
    counts = [m.objects.count() for m in (FieldworkTemplate, Commitment, PracticeLog, WeeklyReflection)]
    demo.seed(engagements=engagements)

    assert counts == [m.objects.count() for m in (FieldworkTemplate, Commitment, PracticeLog, WeeklyReflection)]
    assert FieldworkTemplate.objects.filter(coach=cast.ada).count() == len(demo.LIBRARY)
    assert FieldworkTemplate.objects.filter(coach=cast.ben).count() == len(demo.LIBRARY)
    assert Commitment.objects.filter(outcome="open").count() == 2
    assert Commitment.objects.exclude(outcome="open").count() == 2
    assert WeeklyReflection.objects.count() == 4
