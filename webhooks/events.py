"""The one-line hooks the services below call: each owes an event, with facts only, once they commit.

Apps below (engagements, stakeholders) hand over their rows; nothing here imports their models.
"""

from __future__ import annotations

from django.db import transaction

from .models import Event
from .services import webhook_event_owe


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _owe(event: str, coach_id: int, facts: dict) -> None:
    # robust: should recording the deliveries fail, the change itself stands and the error is logged.
    transaction.on_commit(lambda: webhook_event_owe(event=event, coach_id=coach_id, facts=facts), robust=True)


def session_event(*, event: str, session) -> None:
    """`session.booked`, `session.moved`, `session.cancelled`, or, for a recorded outcome, the event
    its status calls for (held, no-show; a late cancellation is `session.cancelled`)."""
    if event == "outcome":
        event = {"held": Event.SESSION_HELD, "no_show": Event.SESSION_NO_SHOW}.get(
            session.status, Event.SESSION_CANCELLED
        )
    facts = {
        "engagement_id": session.engagement_id,
        "session_id": session.pk,
        "starts_at": _iso(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "kind": session.kind,
        "mode": session.mode,
        "status": session.status,
    }
    _owe(str(event), session.engagement.coach_id, facts)


def round_closed(*, feedback_round) -> None:
    facts = {
        "engagement_id": feedback_round.engagement_id,
        "round_id": feedback_round.pk,
        "closed_at": _iso(feedback_round.closed_at),
        "status": feedback_round.status,
    }
    _owe(Event.ROUND_CLOSED, feedback_round.engagement.coach_id, facts)


def engagement_status(*, engagement) -> None:
    """Owes `engagement.completed` or `engagement.ended_early`; other status changes are not events."""
    event = {"completed": Event.ENGAGEMENT_COMPLETED, "ended_early": Event.ENGAGEMENT_ENDED_EARLY}.get(
        engagement.status
    )
    if event:
        _owe(event, engagement.coach_id, {"engagement_id": engagement.pk, "status": engagement.status})
