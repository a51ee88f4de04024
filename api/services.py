"""Writes for personal access tokens and the record of API writes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.tokens import hash_token

from .models import ApiToken, ApiWrite

TOKEN_PREFIX = "cpat_"  # noqa: S105 (a readable marker, not a secret)
PREFIX_SHOWN = len(TOKEN_PREFIX) + 4
EXPIRY_DAYS = (7, 30, 90, 365)
MAX_ACTIVE_TOKENS = 20
# The last-used time is written at most this often per token, so reads do not each cost an UPDATE.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass
class NewToken:
    token: ApiToken
    secret: str  # shown to its owner once, never stored


def api_token_create(*, user: User, name: str, scope: str, days: int, now: datetime | None = None) -> NewToken:
    """A new token for `user`: 256 random bits after a readable prefix; only its SHA-256 is kept."""
    now = now or timezone.now()
    name = " ".join((name or "").split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Name the token after what will use it, for example “reporting script”.")
    if scope not in ApiToken.Scope.values:
        errors["scope"] = _("Choose read only, or read and write.")
    if days not in EXPIRY_DAYS:
        errors["days"] = _("Choose how long the token works: 7, 30, 90 or 365 days.")
    if errors:
        raise ValidationError(errors)
    if ApiToken.objects.filter(user=user).usable(now).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You have %(count)s working tokens. Revoke one you no longer use first.") % {"count": MAX_ACTIVE_TOKENS}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        scope=scope,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_SHOWN],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return NewToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken, user: User, now: datetime | None = None) -> ApiToken:
    """Stops a token from working at once. Only its owner revokes it; revoking twice changes nothing."""
    if token.user_id != user.pk:
        raise PermissionDenied(_("This token belongs to someone else."))
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, secret: str, now: datetime | None = None) -> ApiToken | None:
    """The usable token whose hash matches `secret`, with its user (one query), or None.

    Its last-used time is brought up to date with a conditional update, at most once a minute.
    """
    now = now or timezone.now()
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = ApiToken.objects.usable(now).select_related("user").filter(token_hash=hash_token(secret)).first()
    if token is None:
        return None
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_write_record(*, token: ApiToken, action: str, row: models.Model) -> ApiWrite:
    """Records who wrote what through the API, and with which token."""
    return ApiWrite.objects.create(
        token=token, user_id=token.user_id, action=action, object_type=row._meta.model_name, object_id=row.pk
    )
