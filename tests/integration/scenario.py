"""Commands the integration tests run against their own fresh database, in a separate process.

    python -m tests.integration.scenario seed <prefix> <seconds until the session>
    python -m tests.integration.scenario outbox <email> [<email> ...]
    python -m tests.integration.scenario replay <notification id> [...]
    python -m tests.integration.scenario feedback <prefix>
    python -m tests.integration.scenario resend <coach e-mail> <request id>

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
    from engagements.models import Session
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
    # Booked as a row, not through `session_schedule`: these scenarios follow the reminder alone, and
    # booking would also e-mail the leader a calendar invitation.
    session = Session.objects.create(
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


def feedback(prefix: str) -> dict:
    """A coach, a leader with a goal and one approved stakeholder, and a feedback round the coach opens
    (which records the stakeholder's request e-mail in the outbox and hands it to the worker)."""
    from django.db import transaction
    from django.utils import timezone

    from stakeholders import services as stakeholder_services
    from stakeholders.models import FeedbackRound

    people = seed(prefix, str(30 * 24 * 3600))
    from accounts.models import User
    from engagements.models import Engagement
    from engagements.services import goal_save

    coach = User.objects.get(email=people["coach"])
    engagement = Engagement.objects.get(pk=people["engagement"])
    goal_save(engagement=engagement, title="Stay calm under pressure", why_it_matters="The planning round.")
    stakeholder = stakeholder_services.stakeholder_nominate(
        engagement=engagement, by=coach, name="Pat Quinn", email=f"{prefix}-pat@example.com", relationship="peer"
    )
    today = timezone.localdate(timezone=coach.tz)
    with transaction.atomic():
        feedback_round = stakeholder_services.round_create(
            engagement=engagement,
            created_by=coach,
            kind=FeedbackRound.Kind.PROGRESS,
            opens_on=today,
            closes_on=today + timedelta(days=14),
        )
        (request,) = stakeholder_services.round_open(feedback_round=feedback_round)
    return {**people, "stakeholder": stakeholder.email, "request": request.pk, "round": feedback_round.pk}


def resend(coach_email: str, request_id: str) -> dict:
    """The coach presses "send again" on the round page, as the web process would serve it."""
    from django.test import Client

    from accounts.models import User
    from stakeholders.models import FeedbackRequest

    request = FeedbackRequest.objects.get(pk=int(request_id))
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(email=coach_email))
    response = client.post(f"/feedback/requests/{request.pk}/resend/", {"send": str(request.send_count)})
    page = client.get(response["Location"]).content.decode()
    return {"status": response.status_code, "queued": "is queued" in page, "on_its_way": "on its way" in page}


if __name__ == "__main__":
    import django

    django.setup()
    command, *args = sys.argv[1:]
    commands = {"seed": seed, "outbox": outbox, "replay": replay, "feedback": feedback, "resend": resend}
    print(json.dumps(commands[command](*args)))
