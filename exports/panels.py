"""The export panel of the engagement page (registered in `ExportsConfig.ready`)."""

from __future__ import annotations

from engagements.panels import Panel


def export_panel(request, engagement) -> Panel | None:
    """The leader may take their record at any time, and is offered it once the engagement is over.

    No query. The coach sees nothing here: their export covers the whole practice (exports page).
    """
    if request.user.pk != engagement.leader_id:
        return None
    return Panel("exports/_engagement_panel.html", {"engagement": engagement}, order=90)
