"""The fieldwork panels of the session and engagement pages (registered in `FieldworkConfig.ready`)."""

from __future__ import annotations

from engagements.panels import Panel

from . import selectors
from .forms import CommitmentForm


def session_panel(request, session) -> Panel | None:
    """Last session's commitments to review (with their logs) and this session's co-design rows.

    Fixed queries: see `selectors.session_fieldwork`.
    """
    context = selectors.session_fieldwork(session=session, user=request.user)
    context["add_form"] = CommitmentForm(goals=context["goals"], prefix=f"new{session.pk}")
    return Panel(template="fieldwork/_session_panel.html", context=context, order=10)


def engagement_panel(request, engagement) -> Panel | None:
    """Active commitments with progress, the needs-attention flag and recent reflections (three queries)."""
    context = selectors.engagement_fieldwork(engagement=engagement, user=request.user)
    return Panel(template="fieldwork/_engagement_panel.html", context=context, order=10)
