"""Retention's panels on the engagement and session pages (registered in `RetentionConfig.ready`)."""

from __future__ import annotations

from engagements.panels import Panel

from . import selectors


def retention_panel(request, engagement) -> Panel | None:
    """An erased engagement says so to everyone who opens it; a finished one tells its coach and
    leader the day it will be erased (the leader may ask for it sooner). No query for an open
    engagement, one for a finished one."""
    state = selectors.engagement_retention(engagement=engagement)
    if state is None:
        return None
    user = request.user
    if not state.is_erased and user.pk not in (engagement.coach_id, engagement.leader_id):
        return None
    context = {
        "engagement": engagement,
        "state": state,
        "is_leader": user.pk == engagement.leader_id,
        "may_erase_now": not state.is_erased and user.pk == engagement.leader_id,
    }
    return Panel("retention/_engagement_panel.html", context, order=1)


def erased_session_panel(request, session) -> Panel | None:
    """A session of an erased engagement says why its notes and agenda are empty."""
    state = selectors.engagement_retention(engagement=session.engagement)
    if state is None or not state.is_erased:
        return None
    return Panel("retention/_erased.html", {"state": state}, order=1)
