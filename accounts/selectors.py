"""Reads about people that pages need."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from notifications.models import Kind, Notification

from .models import Invitation


@dataclass(frozen=True)
class InvitationState:
    """The newest invitation of one person for one engagement, and what the outbox did with its e-mail."""

    invitation: Invitation
    email_status: str  # a Notification.Status value, or "" when no e-mail was owed

    @property
    def label(self) -> str:
        if self.invitation.accepted_at is not None:
            return _("Invitation accepted")
        if self.invitation.is_expired:
            return _("Invitation expired")
        return {
            Notification.Status.SENT: _("Invitation sent, not accepted yet"),
            Notification.Status.FAILED: _("Invitation could not be sent"),
            Notification.Status.SKIPPED: _("Invitation not sent"),
        }.get(self.email_status, _("Invitation pending"))

    @property
    def needs_attention(self) -> bool:
        return self.invitation.accepted_at is None and (
            self.invitation.is_expired or self.email_status in (Notification.Status.FAILED, Notification.Status.SKIPPED)
        )


def invitation_states(*, engagement_id: int) -> dict[int, InvitationState]:
    """Person id -> state of their newest invitation to engagement `engagement_id` (two queries)."""
    newest: dict[int, Invitation] = {}
    for invitation in Invitation.objects.filter(engagement_id=engagement_id, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    ):
        newest.setdefault(invitation.user_id, invitation)
    statuses = dict(
        Notification.objects.filter(
            kind=Kind.INVITATION, period_key__in=[f"invitation:{i.pk}" for i in newest.values()]
        ).values_list("period_key", "status")
    )
    return {
        user_id: InvitationState(invitation, statuses.get(f"invitation:{invitation.pk}", ""))
        for user_id, invitation in newest.items()
    }
