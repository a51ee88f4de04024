"""Plain facts: goals, sessions, agenda items, fieldwork commitments and practice logs as dictionaries.

One module decides which fields of each row leave the site and who reads the private ones, for both
ways out: the REST API (`api/serializers.py` lists these fields) and exports (`exports/records.py`
builds its records with these functions). A field added to a model stays out of both until it is
named here. Foreign keys are given as ids under the relation's name (`"session": 12`).

Visibility: a session's `private_notes` are the coach's own; everyone else gets None. The other
fields are what the pages show the coach and the leader; callers reach rows only through the access
rules (`visible_to`, `led_by`, `coached_by`), which decide whose rows they are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import models

from engagements.models import AgendaItem, Goal, Session
from fieldwork.models import Commitment, PracticeLog

GOAL_FIELDS = ("id", "engagement", "title", "description", "why_it_matters", "position")
SESSION_FIELDS = (
    "id",
    "engagement",
    "starts_at",
    "duration_minutes",
    "mode",
    "kind",
    "status",
    "location",
    "shared_summary",
    "summary_shared_with_sponsor",
    "summary_released_at",
    "outcome_recorded_at",
)
#: Read by the engagement's coach only (`reads_private_notes`); None for everyone else.
SESSION_PRIVATE_FIELDS = ("private_notes",)
AGENDA_ITEM_FIELDS = ("id", "session", "text", "source", "visible_to_sponsor", "author", "created_at")
COMMITMENT_FIELDS = (
    "id",
    "engagement",
    "session",
    "goal",
    "text",
    "where_with_whom",
    "target_count",
    "due_at_next_session",
    "due_date",
    "outcome",
    "review_reason",
    "forgotten",
    "reviewed_at",
    "created_at",
)
PRACTICE_LOG_FIELDS = (
    "id",
    "commitment",
    "kind",
    "occurred_at",
    "note",
    "what_tried",
    "went_well",
    "went_badly",
    "noticed_in_myself",
    "others_reacted",
    "will_adjust",
    "created_at",
)


def reads_private_notes(*, session: Session, user_id: int | None) -> bool:
    """Whether `user_id` reads the session's private notes: the engagement's coach, no one else."""
    return user_id is not None and session.engagement.coach_id == user_id


def iso(value) -> str | None:
    """A date or moment as ISO 8601 (moments in UTC), the way exports write them."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _plain(row: models.Model, fields: tuple[str, ...]) -> dict:
    out = {}
    for name in fields:
        field = row._meta.get_field(name)
        value = getattr(row, field.attname)  # a foreign key's id, without a query
        out[name] = iso(value) if isinstance(value, date) else value
    return out


def goal_facts(goal: Goal) -> dict:
    return _plain(goal, GOAL_FIELDS)


def session_facts(session: Session, *, viewer_id: int | None) -> dict:
    """The session, with its private notes for its coach only (None for anyone else)."""
    row = _plain(session, SESSION_FIELDS)
    row["private_notes"] = session.private_notes if reads_private_notes(session=session, user_id=viewer_id) else None
    return row


def agenda_item_facts(item: AgendaItem) -> dict:
    return _plain(item, AGENDA_ITEM_FIELDS)


def commitment_facts(commitment: Commitment) -> dict:
    return _plain(commitment, COMMITMENT_FIELDS)


def practice_log_facts(log: PracticeLog) -> dict:
    return _plain(log, PRACTICE_LOG_FIELDS)
