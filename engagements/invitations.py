"""Calendar invitations (iTIP, RFC 5546) about sessions, sent through the outbox.

Booking, moving, changing and cancelling a session record one outbox row per attendee
(`session_invitations_owe`, called by the services), keyed by the session and its SEQUENCE, so every
caller of the services (pages, the API, booking) sends them, a replay records nothing twice, and the
send goes out when the transaction commits. The row holds ids and the previous start only; the e-mail
and its calendar part are built from the session as it is when the message is sent.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.models import Kind, Notification
from notifications.registry import Message, Skip, Source, register
from notifications.services import notification_owe_now

from .calendar import CANCEL, REQUEST, invitation_attachment, session_attendees
from .models import Engagement, Session


class InvitationAction:
    BOOKED = "booked"
    MOVED = "moved"
    CHANGED = "changed"
    CANCELLED = "cancelled"

    REQUESTS = (BOOKED, MOVED, CHANGED)
    ALL = (BOOKED, MOVED, CHANGED, CANCELLED)


def session_invitations_owe(
    *,
    session: Session,
    action: str,
    people: list[User] | None = None,
    previous_starts_at: datetime | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Records the invitation (or cancellation) owed to each attendee; sent once the transaction commits.

    `people` defaults to the session's attendees (the leader, and the active sponsors of a three-way
    meeting). Each row is keyed by session and SEQUENCE, so recording it twice is harmless.
    """
    if action not in InvitationAction.ALL:
        raise ValueError(f"Unknown invitation action {action!r}.")
    recipients = session_attendees(session) if people is None else people
    context = {"session_id": session.pk, "sequence": session.sequence, "action": action}
    if previous_starts_at is not None:
        context["previous_starts"] = previous_starts_at.isoformat()
    return [
        notification_owe_now(
            kind=Kind.SESSION_INVITATION,
            period_key=f"session:{session.pk}:v{session.sequence}",
            recipient_id=person.pk,
            recipient_email=person.email,
            time_zone=person.time_zone,
            engagement_id=session.engagement_id,
            context=context,
            now=now,
        )
        for person in recipients
        if person.is_active
    ]


def _session_with_people(session_id) -> Session:
    session = (
        Session.objects.select_related(
            "engagement", "engagement__coach", "engagement__coach__meeting_room", "engagement__leader"
        )
        .prefetch_related(Prefetch("engagement__sponsors", queryset=User.objects.order_by("pk")))
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Skip("The session no longer exists.")
    return session


def session_link_for(session: Session, user_id: int | None) -> str:
    """The page a session e-mail links to: the session page for coach and leader; sponsors, who never
    open session pages, land on their home page with the engagement's summary."""
    engagement = session.engagement
    if user_id in (engagement.coach_id, engagement.leader_id):
        return reverse("engagements:session", args=[session.pk])
    return reverse("home")


def build_session_invitation(notification: Notification) -> Message:
    session = _session_with_people(notification.context.get("session_id"))
    action = notification.context.get("action")
    sequence = notification.context.get("sequence")
    attendees = session_attendees(session)
    attending = any(p.pk == notification.recipient_id for p in attendees)
    if action in InvitationAction.REQUESTS:
        if session.status != Session.Status.SCHEDULED:
            raise Skip("The session was cancelled; the cancellation is sent instead.")
        if session.sequence != sequence:
            raise Skip("The session changed again; the newer invitation is sent instead.")
        if not attending:
            raise Skip("The recipient no longer attends this session.")
        method = REQUEST
    elif action == InvitationAction.CANCELLED:
        if session.status == Session.Status.SCHEDULED and attending:
            raise Skip("The recipient attends this session again.")
        method = CANCEL
        attendees = [p for p in attendees if p.pk == notification.recipient_id] or [notification.recipient]
    else:
        raise Skip(f"Unknown invitation action {action!r}.")
    previous = notification.context.get("previous_starts")
    engagement = session.engagement
    return Message(
        template="session-invitation",
        context={
            "session": session,
            "engagement": engagement,
            "action": action,
            "previous_starts_at": parse_datetime(previous) if previous else None,
            "late": session.status == Session.Status.LATE_CANCEL,
            "to_sponsor": notification.recipient_id not in (engagement.coach_id, engagement.leader_id),
            "meeting_url": session.meeting_url,
        },
        link=session_link_for(session, notification.recipient_id),
        attachments=[invitation_attachment(session, method=method, attendees=attendees)],
    )


def _attends_sessions(user) -> bool:
    """Leaders and sponsors receive invitations (the coach organises the sessions)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Engagement.objects.led_by(user).exists() or Engagement.objects.sponsored_by(user).exists()


SESSION_INVITATIONS = Source(
    kind=Kind.SESSION_INVITATION,
    find_due=lambda now: iter(()),  # recorded by the services when a session is booked, moved or cancelled
    build=build_session_invitation,
    applies_to=_attends_sessions,
    description=_("When a session is booked, moved or cancelled: an e-mail with a calendar invitation."),
)


def register_invitation_source() -> None:
    register(SESSION_INVITATIONS)
