"""Invitation e-mails go through the outbox like every other message (DESIGN.md section 5).

`accounts.services.invitation_create` records one `Notification` per invitation (kind
`invitation`, period `invitation:<id>`) and the send task renders it here: the link is rebuilt from
the row's nonce and the secret key, so the token itself is never stored. An invitation that was
accepted, revoked by a newer one or has expired is skipped, not sent.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy

from notifications import registry
from notifications.models import Kind, Notification

from .models import Invitation
from .services import invitation_token, invitation_url


def _build(notification: Notification) -> registry.Message:
    invitation = (
        Invitation.objects.select_related("user", "invited_by")
        .filter(pk=notification.context.get("invitation_id"))
        .first()
    )
    if invitation is None:
        raise registry.Skip("The invitation no longer exists.")
    if invitation.accepted_at is not None:
        raise registry.Skip("The invitation was accepted before it was sent.")
    if invitation.revoked_at is not None:
        raise registry.Skip("A newer invitation replaced this one.")
    if invitation.is_expired:
        raise registry.Skip("The invitation expired before it could be sent.")
    token = invitation_token(invitation=invitation)
    if token is None:
        raise registry.Skip("The secret key changed since the invitation was made; send a new invitation.")
    url = invitation_url(token)
    context = {
        "invitation": invitation,
        "url": url,
        "days": settings.INVITATION_DAYS,
        "has_account": invitation.user.has_usable_password(),
    }
    return registry.Message(template="invitation", context=context, link=url)


def register_sources() -> None:
    registry.register(
        registry.Source(
            kind=Kind.INVITATION,
            find_due=lambda now: (),  # recorded when the invitation is made, never found by the tick
            build=_build,
            applies_to=lambda user: False,  # not a preference: an invitation is asked for by someone
            description=gettext_lazy("An invitation to join an engagement or a practice."),
        )
    )
