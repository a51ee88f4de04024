"""Writes about people: invitations, accepting them, and preferences."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from notifications.models import Kind
from notifications.services import notification_owe_now

from .models import Invitation, Practice, User
from .tokens import derive_token, hash_token, token_for_hash, token_is_valid

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


INVITATION_SALT = "accounts.invitation"

#: Called inside the accepting transaction with the accepted invitation; apps above `accounts`
#: register here (engagements: the leader's engagement becomes theirs).
_acceptance_hooks: list[Callable[[Invitation], None]] = []


def register_acceptance_hook(hook: Callable[[Invitation], None]) -> None:
    if hook not in _acceptance_hooks:
        _acceptance_hooks.append(hook)


def invitation_token(*, invitation: Invitation) -> str | None:
    """The invitation's link token, rebuilt with the current secret key or an accepted fallback.

    None when no key listed any more makes the stored hash (the key was rotated away): a new
    invitation is then needed.
    """
    return token_for_hash(token_hash=invitation.token_hash, salt=INVITATION_SALT, value=invitation.link_value)


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", args=[token])


@transaction.atomic
def invitation_create(
    *,
    user: User,
    role: str,
    invited_by: User | None,
    context: str = "",
    engagement_id: int | None = None,
    program_id: int | None = None,
) -> Invitation:
    """Creates an invitation and owes its e-mail to the outbox (sent by a worker after commit).

    Earlier live invitations of the same person for the same purpose (role, engagement and program)
    are revoked: only the newest link works.
    """
    now = timezone.now()
    Invitation.objects.filter(
        user=user,
        role=role,
        engagement_id=engagement_id,
        program_id=program_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    invitation = Invitation(
        user=user,
        role=role,
        invited_by=invited_by,
        context=context[:200],
        engagement_id=engagement_id,
        program_id=program_id,
        link_nonce=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
    )
    invitation.token_hash = hash_token(derive_token(salt=INVITATION_SALT, value=f"{user.pk}:{invitation.link_nonce}"))
    invitation.full_clean()
    invitation.save()
    notification_owe_now(
        kind=Kind.INVITATION,
        period_key=f"invitation:{invitation.pk}",
        recipient_id=user.pk,
        recipient_email=user.email,
        time_zone=user.time_zone,
        engagement_id=engagement_id,
        context={"invitation_id": invitation.pk},
        now=now,
    )
    return invitation


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation behind a link, or None for a forged, unknown or rotated-away one."""
    if not token or len(token) > 100:
        return None
    invitation = Invitation.objects.select_related("user", "invited_by").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        return None
    # Invitations made before links were derived have no nonce: their random token is checked by its hash alone.
    if invitation.link_nonce and not token_is_valid(token=token, salt=INVITATION_SALT, value=invitation.link_value):
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str | None, signed_in_as: User | None = None) -> User:
    """Marks the invitation used and gives the person what it was for.

    A person without a password chooses one here (the link is how they first sign in). A person who
    already has an account must be signed in as that account (`signed_in_as`): the link alone never
    signs anyone in. A deactivated account is never turned back on.

    Raises ValidationError for an expired, used or revoked invitation, a deactivated account, the
    wrong person, or a weak password.
    """
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    if not user.is_active:
        raise ValidationError(gettext("This account is switched off. Contact the coaching practice."))
    if user.has_usable_password() and (signed_in_as is None or signed_in_as.pk != user.pk):
        raise ValidationError(gettext("Sign in as %(email)s to accept this invitation.") % {"email": user.email})
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now())
    if claimed != 1:
        raise ValidationError(gettext("This invitation has already been used or has expired."))
    if not user.has_usable_password():
        if not password:
            raise ValidationError({"password1": gettext("Choose a password.")})
        validate_password(password, user)
        user.set_password(password)
    if invitation.role in (Invitation.Role.COACH, Invitation.Role.REVIEWER):
        if invitation.role == Invitation.Role.COACH:
            user.is_coach = True
        else:
            user.is_reviewer = True
        if invitation.invited_by_id and invitation.invited_by.practice_id:
            user.practice_id = invitation.invited_by.practice_id
    user.save()
    address, _ = EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"primary": True})
    if not address.verified:
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    invitation.refresh_from_db()
    for hook in _acceptance_hooks:
        hook(invitation)
    return user


def user_update_preferences(*, user: User, full_name: str, time_zone: str, language: str | None = None) -> User:
    """Saves the person's name, time zone and (when given) language; the next page is in the new language."""
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    fields = ["full_name", "time_zone"]
    if language is not None:
        user.language = language
        fields.append("language")
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    return user


def practice_set_language(*, practice: Practice, language: str, by: User) -> Practice:
    """The practice admin sets the language of members (and their clients) who have not chosen one."""
    _require_practice_admin_of(by=by, practice_id=practice.pk)
    practice.language = language
    practice.full_clean()
    practice.save(update_fields=["language"])
    return practice


def _require_practice_admin_of(*, by: User, practice_id: int | None) -> None:
    if not (by.is_practice_admin and by.practice_id and by.practice_id == practice_id):
        raise PermissionDenied(gettext("Only the practice admin of this practice may do this."))


def coach_deactivate(*, coach: User, by: User) -> User:
    """Switches a coach of the practice off: they can no longer sign in, and a session they still hold
    stops working at once (an inactive account is never authenticated). Nothing is deleted: their
    engagements stay until the practice admin hands them to another coach."""
    _require_practice_admin_of(by=by, practice_id=coach.practice_id)
    if not coach.is_coach:
        raise ValidationError(gettext("Only coaches are switched off here."))
    if coach.pk == by.pk:
        raise ValidationError(gettext("You cannot switch off your own account."))
    coach.is_active = False
    coach.save(update_fields=["is_active"])
    Invitation.objects.filter(user=coach, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return coach


def coach_invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """A new link for a coach or reviewer who has not accepted yet; the older link stops working."""
    _require_practice_admin_of(by=by, practice_id=invitation.invited_by.practice_id if invitation.invited_by else None)
    if invitation.role != Invitation.Role.COACH or invitation.accepted_at is not None:
        raise ValidationError(gettext("This invitation was already accepted."))
    return invitation_create(
        user=invitation.user, role=Invitation.Role.COACH, invited_by=by, context=invitation.context
    )


def coach_invitation_revoke(*, invitation: Invitation, by: User) -> None:
    _require_practice_admin_of(by=by, practice_id=invitation.invited_by.practice_id if invitation.invited_by else None)
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
