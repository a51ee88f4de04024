"""The notice before erasure (kind `retention_notice`, period `retention:<engagement id>`): recorded once
by the retention run some weeks before the engagement is erased, with a link to export the record."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from engagements.models import Engagement
from notifications import registry
from notifications.models import Kind, Notification

from . import services


def _build(notification: Notification) -> registry.Message:
    engagement = (
        Engagement.objects.select_related("coach", "erasure")
        .filter(pk=notification.context.get("engagement_id"))
        .first()
    )
    if engagement is None:
        raise registry.Skip("The engagement no longer exists.")
    erasure = getattr(engagement, "erasure", None)
    if erasure is None or erasure.is_erased or engagement.ended_at is None:
        raise registry.Skip("The engagement was already erased or reopened.")
    day = services.erase_on(
        ended_at=engagement.ended_at,
        months=services.months_for(engagement.coach.practice_id),
        notice_sent_at=erasure.notice_sent_at,
        today=timezone.localdate(),
    )
    context = {
        "engagement": engagement,
        "erase_on": day,
        "days": settings.RETENTION_NOTICE_DAYS,
        "erase_now_url": settings.SITE_URL + reverse("retention:erase", args=[engagement.pk]),
    }
    return registry.Message(template="retention-notice", context=context, link=reverse("exports:list"))


def register_sources() -> None:
    registry.register(
        registry.Source(
            kind=Kind.RETENTION_NOTICE,
            find_due=lambda now: (),  # recorded by the retention run, never found by the tick
            build=_build,
            applies_to=lambda user: False,  # not a preference: a leader must hear before their data goes
            description="Weeks before an ended engagement's data is erased, with a link to export it.",
        )
    )
