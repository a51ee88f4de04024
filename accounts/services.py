"""Writes about people: invitations, accepting them, and preferences."""

from __future__ import annotations

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.email import send_templated_email

from .models import Invitation, User, hash_token, new_token

logger = logging.getLogger(__name__)


def user_get_or_invite_target(*, email: str, full_name: str) -> User:
    """The account for `email`, created without a usable password when it does not exist yet."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    elif not user.full_name and full_name:
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
    return user


def invitation_create(*, user: User, role: str, invited_by: User | None, context: str = "") -> tuple[Invitation, str]:
    """Creates an invitation and returns it with its link token (the only time the token exists)."""
    token = new_token()
    now = timezone.now()
    invitation = Invitation(
        user=user,
        role=role,
        invited_by=invited_by,
        context=context[:200],
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    return invitation, token


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", args=[token])


def invitation_send(*, invitation: Invitation, token: str) -> bool:
    """E-mails the invitation link. Returns False (and logs) when the mail server refuses."""
    try:
        send_templated_email(
            template="invitation",
            to=[invitation.user.email],
            context={
                "invitation": invitation,
                "url": invitation_url(token),
                "days": settings.INVITATION_DAYS,
            },
        )
    except Exception:  # an unreachable SMTP server must not lose the invitation
        logger.exception("Could not send invitation %s", invitation.pk)
        return False
    return True


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation behind a link, or None for a forged or unknown one."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("user", "invited_by").filter(token_hash=hash_token(token)).first()


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str | None) -> User:
    """Marks the invitation used, sets the password when the person has none, verifies the e-mail.

    Raises ValidationError for an expired or used invitation or a weak password.
    """
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now())
    if claimed != 1:
        raise ValidationError("This invitation has already been used or has expired.")
    user = invitation.user
    if not user.has_usable_password():
        if not password:
            raise ValidationError({"password1": "Choose a password."})
        validate_password(password, user)
        user.set_password(password)
    if invitation.role == Invitation.Role.COACH:
        user.is_coach = True
        if invitation.invited_by_id and invitation.invited_by.practice_id:
            user.practice_id = invitation.invited_by.practice_id
    user.is_active = True
    user.save()
    address, _ = EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"primary": True})
    if not address.verified:
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    return user


def user_update_preferences(*, user: User, full_name: str, time_zone: str) -> User:
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "time_zone"])
    return user
