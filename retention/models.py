"""Retention: how long a practice keeps a leader's data after an engagement ends, and the record of
each engagement's notice and erasure (who and when, never what).

The period runs from `Engagement.ended_at` (completed or ended early). Some weeks before it ends
(`RETENTION_NOTICE_DAYS`) the leader is told by e-mail and offered their record; when it has ended,
the personal text of the engagement is erased and only facts kept as numbers and dates remain
(`retention.services.engagement_erase` says which).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_MONTHS, MAX_MONTHS = 1, 120


class RetentionPolicy(models.Model):
    """A practice's retention period. A practice without a row keeps data `RETENTION_DEFAULT_MONTHS`."""

    practice = models.OneToOneField("accounts.Practice", on_delete=models.CASCADE, related_name="retention_policy")
    months = models.PositiveSmallIntegerField(
        _("months to keep a leader's data after the engagement ends"),
        help_text=_("From 1 to 120 months."),
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=MIN_MONTHS, months__lte=MAX_MONTHS), name="retention_months_1_120"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice}: {self.months} months"


class Erasure(models.Model):
    """One engagement's way to erasure: when its leader was told, and when (and by whom) it was erased.

    No content is kept here: the person's name is copied so the record survives their account.
    """

    class Reason(models.TextChoices):
        POLICY = "policy", _("the practice's retention period ended")
        LEADER = "leader", _("the leader asked for it")
        PRACTICE_ADMIN = "practice_admin", _("the practice admin asked for it")

    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="erasure")
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=16, choices=Reason.choices, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_by_name = models.CharField(max_length=150, blank=True)
    # The last failure of an erasure attempt (the error's type only); cleared once it succeeds.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | ~Q(reason=""), name="erasure_erased_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"Erasure of engagement {self.engagement_id}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
