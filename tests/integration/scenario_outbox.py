"""Commands the outbox integration tests run against their own fresh database, in a separate process.

    python -m tests.integration.scenario_outbox fieldwork <prefix>
    python -m tests.integration.scenario_outbox failures
    python -m tests.integration.scenario_outbox backlog <count>
    python -m tests.integration.scenario_outbox session <prefix> <seconds until the session>

Each prints one JSON document. DJANGO_SETTINGS_MODULE is tests.integration.settings.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta


def _leader_with_codesign(prefix: str, name: str):
    """A leader whose fieldwork was co-designed 8 days ago; the next session is in 6 days (past halfway)."""
    from django.utils import timezone

    from accounts.models import User
    from engagements import services
    from engagements.models import Session

    coach = User.objects.filter(email=f"{prefix}-coach@example.com").first() or User.objects.create_user(
        email=f"{prefix}-coach@example.com", password="integration-pass-1", full_name="Ada Achebe", is_coach=True
    )
    slug = name.split()[0].lower()
    leader = User.objects.create_user(
        email=f"{prefix}-{slug}@example.com", password="integration-pass-1", full_name=name, time_zone="Europe/Berlin"
    )
    # Only the fieldwork nudge is under test: a weekly reflection prompt due today would take the
    # leader's one e-mail of the day first.
    from notifications.models import Kind
    from notifications.services import opt_out_add, recipient_key_for

    opt_out_add(
        recipient_key=recipient_key_for(recipient_id=leader.pk, recipient_email=leader.email),
        kind=Kind.REFLECTION_PROMPT,
    )
    now = timezone.now()
    engagement = services.engagement_create(
        coach=coach,
        leader_email=leader.email,
        leader_name=leader.full_name,
        organisation="Acme Logistics",
        start_date=timezone.localdate() - timedelta(days=30),
        planned_end_date=timezone.localdate() + timedelta(days=90),
        planned_sessions=6,
        cadence_days=14,
        leader_has_agreed=True,
    ).engagement
    held = Session.objects.create(
        engagement=engagement,
        starts_at=now - timedelta(days=8),
        status=Session.Status.HELD,
        outcome_recorded_at=now - timedelta(days=8),
    )
    Session.objects.create(engagement=engagement, starts_at=now + timedelta(days=6))
    return leader, held


def _commitment(session, text: str, **fields):
    from fieldwork.models import Commitment

    return Commitment.objects.create(
        engagement=session.engagement,
        session=session,
        created_by=session.engagement.coach,
        text=text,
        created_at=session.starts_at + timedelta(minutes=50),
        **fields,
    )


def _poison_due_date(commitment, day: date) -> None:
    """Writes the date with raw SQL, dropping any check constraint on the table that would refuse it.

    This database is the test's own and is dropped afterwards: the point is what the tick does with a
    row that got in before such a check existed.
    """
    from django.db import connection, transaction

    table = commitment._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'", [table])
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        cursor.execute(f'UPDATE "{table}" SET due_date = %s WHERE id = %s', [day, commitment.pk])  # noqa: S608


def fieldwork(prefix: str) -> dict:
    """Two leaders past halfway to their next session; one of Lee's commitments is due on 9999-12-31."""
    from django.utils import timezone

    lee, lee_session = _leader_with_codesign(prefix, "Lee Lindqvist")
    liv, liv_session = _leader_with_codesign(prefix, "Liv Larsen")
    soon = timezone.localdate() + timedelta(days=3)
    poisoned = _commitment(lee_session, "Breathe before answering", due_at_next_session=False, due_date=soon)
    _poison_due_date(poisoned, date(9999, 12, 31))
    lee_good = _commitment(lee_session, "Ask one question first")
    liv_good = _commitment(liv_session, "Journal after the staff meeting")
    return {
        "lee": lee.email,
        "liv": liv.email,
        "poisoned": poisoned.pk,
        "lee_good": lee_good.pk,
        "liv_good": liv_good.pk,
    }


def failures() -> list[dict]:
    from notifications.models import SourceFailure

    return [
        {"kind": f.kind, "row": f.row, "stage": f.stage, "count": f.count, "error": f.error}
        for f in SourceFailure.objects.order_by("pk")
    ]


def backlog(count: str) -> dict:
    """Queues `count` send tasks on the mail queue (for rows that do not exist: a worker drops each at once)."""
    from notifications.tasks import send_notification

    for pk in range(10_000_000, 10_000_000 + int(count)):
        send_notification.delay(pk)
    return {"queued": int(count)}


def session(prefix: str, seconds: str) -> dict:
    from tests.integration.scenario import seed

    return seed(prefix, seconds)


if __name__ == "__main__":
    import django

    django.setup()
    command, *args = sys.argv[1:]
    commands = {"fieldwork": fieldwork, "failures": failures, "backlog": backlog, "session": session}
    print(json.dumps(commands[command](*args)))
