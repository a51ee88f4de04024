from __future__ import annotations

from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def moment(value: str | None) -> datetime | date | None:
    """An ISO date or moment of a record back as a date or an aware datetime, for the `date` filter."""
    if not value:
        return None
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def _choices() -> dict[str, dict[str, str]]:
    from engagements.models import Engagement, Session
    from fieldwork.models import Commitment, PracticeLog

    return {
        "engagement_status": dict(Engagement.Status.choices),
        "session_kind": dict(Session.Kind.choices),
        "session_mode": dict(Session.Mode.choices),
        "session_status": dict(Session.Status.choices),
        "outcome": dict(Commitment.Outcome.choices),
        "log_kind": dict(PracticeLog.Kind.choices),
    }


@register.filter
def label(value: str, field: str) -> str:
    """The label people read for a stored code (`"three_way"|label:"session_kind"` is "Three-way")."""
    return str(_choices().get(field, {}).get(value, value))
