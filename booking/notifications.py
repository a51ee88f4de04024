"""What the outbox owes about booking: the leader's "book your next session" nudge and the
assistant's private link. Registered from `BookingConfig.ready()`.

The nudge goes to the leader of an active engagement whose coach takes bookings, a week after the
last session when none is booked and planned sessions remain; it links straight to the booking page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from engagements.models import Engagement, Session
from notifications.models import Kind, Notification
from notifications.registry import DueSpec, Message, Skip, Source, register

from . import selectors
from .models import Availability, SchedulingAssistant

NUDGE_AFTER = timedelta(days=7)
NUDGE_CATCH_UP = timedelta(days=3)
CHUNK = 500


def booking_nudge_rows(now: datetime) -> Iterator[tuple]:
    last = (
        Session.objects.filter(engagement=OuterRef("pk"), starts_at__lt=now)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("-starts_at", "-pk")
    )
    upcoming = Session.objects.filter(engagement=OuterRef("pk"), status=Session.Status.SCHEDULED, starts_at__gte=now)
    takes_bookings = Availability.objects.filter(coach=OuterRef("coach_id"), accepts_bookings=True)
    in_window = Session.objects.filter(
        status__in=selectors.COUNTED,
        starts_at__lte=now - NUDGE_AFTER,
        starts_at__gt=now - NUDGE_AFTER - NUDGE_CATCH_UP,
    ).values("engagement_id")
    return (
        Engagement.objects.filter(status=Engagement.Status.ACTIVE, awaiting_leader=False, pk__in=in_window)
        .filter(Exists(takes_bookings))
        .annotate(
            last_pk=Subquery(last.values("pk")[:1]),
            last_at=Subquery(last.values("starts_at")[:1]),
            counted=Count("sessions", filter=Q(sessions__status__in=selectors.COUNTED)),
        )
        .filter(last_at__lte=now - NUDGE_AFTER, last_at__gt=now - NUDGE_AFTER - NUDGE_CATCH_UP)
        .exclude(Exists(upcoming))
        .order_by("pk")
        .values_list(
            "pk", "last_pk", "last_at", "leader_id", "leader__email", "leader__time_zone", "counted", "planned_sessions"
        )
        .iterator(chunk_size=CHUNK)
    )


def booking_nudge_spec(row: tuple, now: datetime) -> DueSpec | None:
    pk, last_pk, last_at, leader_id, email, tz, counted, planned = row
    if counted >= planned:
        return None
    return DueSpec(
        kind=Kind.BOOKING_NUDGE,
        period_key=f"book-next:{last_pk}",
        due_at=last_at + NUDGE_AFTER,
        recipient_id=leader_id,
        recipient_email=email,
        time_zone=tz,
        engagement_id=pk,
        context={"engagement_id": pk, "last_session_id": last_pk},
    )


def build_booking_nudge(notification: Notification) -> Message:
    engagement = (
        Engagement.objects.select_related("coach", "leader")
        .filter(pk=notification.context.get("engagement_id"))
        .first()
    )
    if engagement is None or engagement.status != Engagement.Status.ACTIVE:
        raise Skip(gettext("The engagement is no longer active."))
    if engagement.sessions.upcoming().exists():
        raise Skip(gettext("A next session has been booked."))
    remaining = engagement.planned_sessions - selectors.counted_sessions(engagement=engagement)
    if remaining <= 0:
        raise Skip(gettext("Every planned session is booked or held."))
    last = engagement.sessions.filter(pk=notification.context.get("last_session_id")).first()
    if last is None:
        raise Skip(gettext("The last session no longer exists."))
    return Message(
        template="booking-nudge",
        context={"engagement": engagement, "last_session": last, "remaining": remaining},
        link=reverse("booking:book", args=[engagement.pk]),
    )


def build_assistant_link(notification: Notification) -> Message:
    from .services import assistant_link

    assistant = (
        SchedulingAssistant.objects.select_related("engagement", "engagement__leader", "engagement__coach")
        .filter(pk=notification.context.get("assistant_id"), revoked_at__isnull=True)
        .first()
    )
    if assistant is None:
        raise Skip(gettext("The leader removed this assistant."))
    link = assistant_link(assistant=assistant)
    if link is None:
        raise Skip(gettext("The secret key changed since the assistant was named; the leader can name them again."))
    return Message(
        template="assistant-link",
        context={"assistant": assistant, "engagement": assistant.engagement},
        link=link,
    )


def _leads(user) -> bool:
    return Engagement.objects.led_by(user).exists()


BOOKING_NUDGES = Source(
    kind=Kind.BOOKING_NUDGE,
    find_rows=booking_nudge_rows,
    spec_for=booking_nudge_spec,
    row_name="engagement",
    build=build_booking_nudge,
    applies_to=_leads,
    description=gettext_lazy("A week after your last session, when none is booked: a link to book the next one."),
)
ASSISTANT_LINKS = Source(
    kind=Kind.ASSISTANT_LINK,
    find_due=lambda now: (),  # recorded when the leader names the assistant
    build=build_assistant_link,
    applies_to=lambda user: False,
    description=gettext_lazy("The private link of a scheduling assistant."),
)


def register_sources() -> None:
    for source in (BOOKING_NUDGES, ASSISTANT_LINKS):
        register(source)
