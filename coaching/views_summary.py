"""The three-way progress summary page, its PDF, and the coach's "release to the sponsor" from it."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from engagements.models import Engagement, Session
from engagements.services import session_release_summary
from programs.models import LedgerEntry
from programs.services import ledger_record

from . import pagecache
from .pdf import html_to_pdf
from .summary import EngagementSummary, engagement_summary


def _get_summary_for(request: HttpRequest, pk: int, *, preview: bool = True) -> EngagementSummary:
    """The summary of engagement `pk` for its coach, leader or sponsor; a 404 for anyone else (five queries)."""
    try:
        return engagement_summary(viewer=request.user, pk=pk, preview=preview)
    except Engagement.DoesNotExist:
        raise Http404("No such engagement") from None


def _record_look(request: HttpRequest, facts: EngagementSummary | SimpleNamespace, what: str) -> None:
    """One ledger entry for the leader to read (one insert); the leader's own looks are not recorded."""
    if facts.viewer_role != "leader":
        ledger_record(
            viewer=request.user, viewer_role=facts.viewer_role, what=what, engagements=[(facts.engagement_id, None)]
        )


@login_required
@never_cache
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The sponsor's summary; for the coach and the leader the same "sponsor view" plus unreleased previews."""
    cached = pagecache.page(request, "summary", fragments=["title", "content", "viewer"], parts=[pk])
    if cached.complete:
        # Who may open it was decided when the fragments were stored, under the same data version:
        # any change to the engagement, its sponsors or the account since then is a new version.
        facts = cached.get("viewer")
    else:
        summary = _get_summary_for(request, pk)
        facts = SimpleNamespace(viewer_role=summary.viewer_role, engagement_id=summary.engagement_id)
        cached.store("viewer", facts)
    # Every look is recorded, cached or not (the ledger has a version of its own; see pagecache).
    _record_look(request, facts, LedgerEntry.What.SUMMARY_VIEW)
    context = {"pagecache": cached, **cached.roles(request)}
    if not cached.complete:
        context["summary"] = summary
    return render(request, "coaching/summary.html", context)


@login_required
@never_cache
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary as a PDF report. It holds released summaries only, whoever downloads it."""
    facts = _get_summary_for(request, pk, preview=False)
    _record_look(request, facts, LedgerEntry.What.SUMMARY_PDF)
    html = render_to_string("coaching/summary_print.html", {"summary": facts}, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    slug = re.sub(r"[^a-z0-9]+", "-", f"{facts.leader_name} {facts.organisation}".lower()).strip("-") or "engagement"
    filename = f"progress-summary-{slug}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def summary_release(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """The coach releases one summary marked "shared with sponsor" and returns to the summary."""
    session = (
        Session.objects.filter(engagement_id=pk, engagement__coach=request.user, pk=session_pk)
        .select_related("engagement")
        .first()
    )
    if session is None:
        raise Http404("No such session")
    try:
        session_release_summary(session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        day = date_format(timezone.localtime(session.starts_at), "DAY_MONTH_LONG")
        messages.success(request, _("The summary of %(day)s is released: the sponsor can now read it.") % {"day": day})
    return redirect("summary", pk=pk)
