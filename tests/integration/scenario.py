"""Commands the integration tests run against their own fresh database, in a separate process.

    python -m tests.integration.scenario seed <prefix> <seconds until the session>
    python -m tests.integration.scenario outbox <email> [<email> ...]
    python -m tests.integration.scenario replay <notification id> [...]

Each prints one JSON document. DJANGO_SETTINGS_MODULE is tests.integration.settings.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta


def seed(prefix: str, seconds: str, *options: str) -> dict:
    """A coach, a leader, an engagement and one session starting in `seconds`.

    Option `coach-opted-out`: the coach has turned session reminders off, so the only e-mail going
    out for the session is the leader's (a worker killed mid-send then holds nothing else).
    """
    from django.utils import timezone

    from accounts.models import User
    from engagements import services
    from notifications.services import opt_out_add

    coach = User.objects.create_user(
        email=f"{prefix}-coach@example.com", password="integration-pass-1", full_name="Ada Achebe", is_coach=True
    )
    leader = User.objects.create_user(
        email=f"{prefix}-leader@example.com",
        password="integration-pass-1",
        full_name="Lee Lindqvist",
        time_zone="America/New_York",
    )
    today = timezone.localdate()
    engagement = services.engagement_create(
        coach=coach,
        leader_email=leader.email,
        leader_name=leader.full_name,
        organisation="Acme Logistics",
        start_date=today - timedelta(days=14),
        planned_end_date=today + timedelta(days=90),
        planned_sessions=6,
        cadence_days=14,
        leader_has_agreed=True,
    ).engagement
    session = services.session_schedule(
        engagement=engagement, starts_at=timezone.now() + timedelta(seconds=float(seconds))
    )
    if "coach-opted-out" in options:
        opt_out_add(recipient_key=f"user:{coach.pk}", kind="session_reminder")
    return {"coach": coach.email, "leader": leader.email, "engagement": engagement.pk, "session": session.pk}


def outbox(*emails: str) -> list[dict]:
    from notifications.models import Notification

    rows = Notification.objects.filter(recipient_email__in=emails).order_by("pk")
    return [
        {
            "id": n.pk,
            "to": n.recipient_email,
            "kind": n.kind,
            "status": n.status,
            "attempts": n.attempts,
            "last_error": n.last_error,
        }
        for n in rows
    ]


def replay(*ids: str) -> dict:
    from notifications.tasks import send_notification, tick

    for pk in ids:
        send_notification.delay(int(pk))
    tick.delay()
    return {"replayed": list(ids)}


if __name__ == "__main__":
    import django

    django.setup()
    command, *args = sys.argv[1:]
    print(json.dumps({"seed": seed, "outbox": outbox, "replay": replay}[command](*args)))
