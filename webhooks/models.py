"""Webhooks: addresses a coach (or a practice admin, for the whole practice) registers, and one delivery
row per event owed to each. Deliveries follow the outbox's rules: one row per (endpoint, event), claimed
with a conditional update, retried with backoff, failed with the reason kept. Payloads hold facts only
(ids, times, status), never text anyone wrote.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    SESSION_BOOKED = "session.booked", _("Session booked")
    SESSION_MOVED = "session.moved", _("Session moved")
    SESSION_CANCELLED = "session.cancelled", _("Session cancelled")
    SESSION_HELD = "session.held", _("Session held")
    SESSION_NO_SHOW = "session.no_show", _("Session missed (no-show)")
    ROUND_CLOSED = "round.closed", _("Feedback round closed")
    ENGAGEMENT_COMPLETED = "engagement.completed", _("Engagement completed")
    ENGAGEMENT_ENDED_EARLY = "engagement.ended_early", _("Engagement ended early")


class EndpointQuerySet(models.QuerySet["Endpoint"]):
    def visible_to(self, user) -> EndpointQuerySet:
        """A person's own endpoints: only whoever registered an address sees it and its deliveries."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def for_coach(self, coach_id: int) -> EndpointQuerySet:
        """Active endpoints that receive events of engagements `coach_id` runs: theirs and their practice's."""
        return self.filter(is_active=True).filter(
            Q(owner_id=coach_id, practice__isnull=True) | Q(practice__members__id=coach_id)
        )


class Endpoint(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    practice = models.ForeignKey(
        "accounts.Practice",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        help_text="Set when a practice admin registers the address for every coach of the practice.",
    )
    url = models.URLField("address", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret_nonce = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"), name="endpoint_url_http"
            )
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_value(self) -> str:
        """What the signing secret's HMAC covers: the endpoint and its random nonce."""
        return f"{self.pk}:{self.secret_nonce}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=Event.choices)
    event_id = models.UUIDField(help_text="The event's id, the same for every endpoint and every retry.")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When the row was last handed to the broker (or, after a failed attempt, when its retry falls due).
    # A pending row whose hand-over is older than `services.LOST_AFTER` lost its message: the
    # re-delivery beat hands it over again. Null: never handed over (the broker was down).
    enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="delivery_one_per_endpoint_and_event"),
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at"]), models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"
