"""Reads of the outbox and of preferences."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from . import registry
from .models import Notification, NotificationPreference, OptOut, SourceFailure, user_recipient_key

#: A source failure seen within this long counts as recent: the row still fails tick after tick.
RECENT_FAILURE = timedelta(hours=24)


def preference_for(*, user) -> NotificationPreference:
    """The person's preferences, or unsaved defaults (Friday 16:00) when they never chose (one query)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def opted_out_kinds(*, user) -> set[str]:
    return set(OptOut.objects.filter(recipient_key=user_recipient_key(user.pk)).values_list("kind", flat=True))


def sources_offered_to(*, user) -> list[registry.Source]:
    """The kinds of e-mail this person can receive (one small query per kind, at most seven)."""
    return [source for source in registry.sources() if source.applies_to(user)]


def outbox_for_engagement(*, engagement_id: int) -> QuerySet[Notification]:
    """An engagement's notifications, newest first, each with its recipient (one query per page)."""
    return Notification.objects.for_engagement(engagement_id).select_related("recipient").order_by("-due_at", "-pk")


def outbox_counts(*, engagement_id: int) -> dict[str, int]:
    """How many messages of an engagement were sent, failed or are still on their way (one query)."""
    return Notification.objects.for_engagement(engagement_id).aggregate(
        sent=Count("pk", filter=Q(status=Notification.Status.SENT)),
        failed=Count("pk", filter=Q(status=Notification.Status.FAILED)),
        waiting=Count(
            "pk",
            filter=Q(
                status__in=[Notification.Status.PENDING, Notification.Status.SENDING, Notification.Status.DEFERRED]
            ),
        ),
    )


def source_failures_summary(*, now: datetime | None = None) -> dict:
    """Counts of what the outbox could not do, for operators (three queries).

    `rows`: rows a source could not turn into a message, ever; `recent`: of those, the ones seen in
    the last 24 hours; `occurrences`: ticks that failed on them, added up; `by_kind`: `rows` per kind;
    `failed_notifications`: recorded messages that failed to send, with their error on the row.
    """
    now = now or timezone.now()
    failures = SourceFailure.objects.aggregate(
        rows=Count("pk"),
        recent=Count("pk", filter=Q(last_seen_at__gt=now - RECENT_FAILURE)),
        occurrences=Sum("count", default=0),
    )
    by_kind = dict(
        SourceFailure.objects.order_by("kind").values("kind").annotate(rows=Count("pk")).values_list("kind", "rows")
    )
    failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
    return {**failures, "by_kind": by_kind, "failed_notifications": failed}
