"""The per-engagement outbox: what was e-mailed to whom and when, and what failed. Coach only.

It composes the outbox (notifications) with engagements, so it lives in the top layer. The engagement
page links to it through a panel registered here; `coaching/urls.py` imports this module for the
view, so the panel is in place before any request is handled.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, pgettext

from engagements.access import get_engagement_for
from engagements.models import Engagement
from engagements.panels import Panel, register_engagement_panel
from notifications import selectors as outbox_selectors
from notifications.models import Notification

PAGE_SIZE = 50


@dataclass
class OutboxRow:
    notification: Notification
    recipient: str
    role: str


def _row(engagement: Engagement, notification: Notification) -> OutboxRow:
    if notification.recipient_id == engagement.coach_id:
        return OutboxRow(notification, gettext("You"), pgettext("role of a recipient", "coach"))
    if notification.recipient_id is not None:
        role = pgettext("role of a recipient", "leader") if notification.recipient_id == engagement.leader_id else ""
        return OutboxRow(notification, str(notification.recipient), role)
    # Stakeholders have no account. Like the round page, the outbox shows whom a reminder went to
    # (the coach sees who has answered, to remind people), never what anyone answered.
    return OutboxRow(notification, notification.recipient_email, pgettext("role of a recipient", "stakeholder"))


@login_required
def engagement_outbox(request: HttpRequest, pk: int) -> HttpResponse:
    """Queries: the engagement, the count for the pager, one page of notifications with recipients."""
    engagement = get_engagement_for(request, pk, coach_only=True)
    paginator = Paginator(outbox_selectors.outbox_for_engagement(engagement_id=engagement.pk), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [_row(engagement, n) for n in page.object_list]
    context = {"engagement": engagement, "page": page, "rows": rows, "statuses": Notification.Status}
    return render(request, "notifications/outbox.html", context)


def outbox_panel(request, engagement) -> Panel | None:
    """A link to the outbox with counts, for the engagement's coach only (one query)."""
    if request.user.pk != engagement.coach_id:
        return None
    counts = outbox_selectors.outbox_counts(engagement_id=engagement.pk)
    return Panel("notifications/_outbox_panel.html", {"engagement": engagement, "counts": counts}, order=90)


register_engagement_panel(outbox_panel)
