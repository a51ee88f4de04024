"""The engagement page's "who looked" panel (registered in ProgramsConfig.ready())."""

from __future__ import annotations

from engagements.models import Engagement
from engagements.panels import Panel

from .selectors import LEDGER_ON_PANEL, ledger_for


def ledger_panel(request, engagement: Engagement) -> Panel | None:
    """For the coach and the leader: the latest looks at the leader's summary or program row, and
    whether the leader's row is released to the program. Two queries."""
    if request.user.pk not in (engagement.coach_id, engagement.leader_id):
        return None
    context = ledger_for(engagement=engagement, limit=LEDGER_ON_PANEL)
    return Panel(
        "programs/_ledger_panel.html",
        {**context, "engagement": engagement, "is_leader": request.user.pk == engagement.leader_id},
        order=70,
    )
