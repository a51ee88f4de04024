"""Sending the invitation e-mails the outbox owes, as the send task does, and reading their links."""

from __future__ import annotations

from django.core import mail

from notifications.models import Kind, Notification
from notifications.services import notification_deliver


def send_owed_invitations() -> list[str]:
    """Delivers every pending invitation row (the send task's service) and returns their statuses."""
    pending = Notification.objects.filter(kind=Kind.INVITATION, status=Notification.Status.PENDING).order_by("pk")
    return [notification_deliver(notification_id=pk) for pk in pending.values_list("pk", flat=True)]


def invitation_path(message: mail.EmailMessage | None = None) -> str:
    """The site-relative path of the invitation link in `message` (the newest e-mail by default)."""
    message = message or mail.outbox[-1]
    link = next(line.strip() for line in message.body.splitlines() if "/account/invitation/" in line)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]
