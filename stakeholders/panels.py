"""The stakeholder feedback panel on the engagement page (coach and leader)."""

from __future__ import annotations

from engagements.panels import Panel

from . import selectors


def engagement_panel(request, engagement) -> Panel | None:
    """Roster counts and the current round. Two queries; nothing for anyone but the coach and leader."""
    user = request.user
    if user.pk not in (engagement.coach_id, engagement.leader_id):
        return None
    context = selectors.panel_summary(engagement=engagement)
    context.update(
        engagement=engagement,
        is_coach=engagement.coach_id == user.pk,
        can_nominate=user.has_perm("stakeholders.nominate_stakeholder", engagement),
    )
    return Panel(template="stakeholders/_panel.html", context=context, order=40)
