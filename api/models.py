"""Personal access tokens for the REST API, and the record of every write made through it."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: datetime | None = None) -> ApiTokenQuerySet:
        """Tokens that still open the API: not revoked, not expired, of an active account."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A personal access token. Only `sha256(token)` is stored (`accounts.tokens.hash_token`); the
    token itself is shown once, when it is made. `prefix` (the first characters) tells tokens apart."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_later"),
            models.CheckConstraint(condition=Q(scope__in=["read", "write"]), name="api_token_scope_known"),
            models.CheckConstraint(condition=~Q(name=""), name="api_token_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class ApiWrite(models.Model):
    """One write made through the API: who, with which token, what, on which row."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="writes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id} by {self.user_id} ({self.token_id})"
