"""Panels this layer adds to the engagement and session pages (registered in CoachingConfig.ready()).

Each runs at most one query. The engagement page reaches them only for the coach and the leader.
"""

from __future__ import annotations

from engagements.models import Session
from engagements.panels import Panel

from .models import PartnershipCheckIn


def summary_link_panel(request, engagement) -> Panel | None:
    """A link to the sponsor view of the progress summary (no query)."""
    return Panel("coaching/panels/summary_link.html", {"engagement": engagement}, order=10)


def checkin_panel(request, engagement) -> Panel | None:
    """The leader's partnership check-ins: the coach sees them all, the leader their own. One query."""
    if request.user.pk not in (engagement.coach_id, engagement.leader_id):
        return None
    is_coach = request.user.pk == engagement.coach_id
    # The engagement's own leader wrote every check-in of it, so the leader sees exactly their own.
    checkins = list(PartnershipCheckIn.objects.filter(engagement=engagement, leader_id=engagement.leader_id))
    held = getattr(engagement, "held_count", None)  # annotated by the engagement page's selector
    last = checkins[0].held_sessions if checkins else None
    due = PartnershipCheckIn.due_milestone(held_count=held, last_answered=last) if held is not None else None
    if not (checkins or is_coach or due):
        return None
    return Panel(
        "coaching/panels/checkins.html",
        {"engagement": engagement, "checkins": checkins, "is_coach": is_coach, "due": due},
        order=60,
    )


def three_way_session_panel(request, session) -> Panel | None:
    """On a three-way session: who sees what (the sponsor reads its agenda and its released notes)."""
    if session.kind != Session.Kind.THREE_WAY:
        return None
    return Panel("coaching/panels/three_way_session.html", {"session": session}, order=5)
