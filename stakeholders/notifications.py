"""What the outbox owes about stakeholder feedback: each request e-mail, and reminders 3 and 7 days later.

Request e-mails (kind "stakeholder_request") are recorded by `services` when the coach opens a round,
sends a request again or changes a stakeholder's address: one row per send, period key
`request:<id>:send:<n>`. The source has nothing to find on a tick (the rows are already recorded,
and the tick enqueues any that are pending); it builds the e-mail with the request's current link and
skips a send that a later one replaced, or one to an address the stakeholder no longer has.

Registered from `StakeholdersConfig.ready()`. Two reminders at most per request, each once
(period keys `stakeholder:<request>:1` and `:2`), none once the answer has arrived, the request was
withdrawn or the round no longer accepts answers. The reminder carries the same private link as the
request (`services.request_link_for_nudge`). Stakeholders have no account: the recipient is their
address, in the leader's time zone (the one-a-day limit counts in it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from notifications.models import Kind, Notification
from notifications.registry import DueSpec, Message, Skip, Source, register

from . import services
from .models import FeedbackRequest, FeedbackRound, reading_language

CHUNK = 500
FIRST_NUDGE = timedelta(days=3)
SECOND_NUDGE = timedelta(days=7)


def stakeholder_nudge_rows(now: datetime) -> Iterator[tuple]:
    return (
        FeedbackRequest.objects.filter(
            answered_at__isnull=True,
            withdrawn_at__isnull=True,
            sent_at__isnull=False,
            sent_at__lte=now - FIRST_NUDGE,
            round__status=FeedbackRound.Status.OPEN,
        )
        .order_by("pk")
        .values_list(
            "pk", "sent_at", "stakeholder__email", "round__engagement_id", "round__engagement__leader__time_zone"
        )
        .iterator(chunk_size=CHUNK)
    )


def stakeholder_nudge_spec(row: tuple, now: datetime) -> DueSpec:
    pk, sent_at, email, engagement_id, tz = row
    # The first reminder only until the second is due: a late tick never sends both at once.
    number, due = (2, sent_at + SECOND_NUDGE) if now >= sent_at + SECOND_NUDGE else (1, sent_at + FIRST_NUDGE)
    return DueSpec(
        kind=Kind.STAKEHOLDER_NUDGE,
        period_key=f"stakeholder:{pk}:{number}",
        due_at=due,
        recipient_email=email,
        time_zone=tz,
        engagement_id=engagement_id,
        context={"request_id": pk, "number": number},
    )


def find_stakeholder_nudges(now: datetime) -> Iterator[DueSpec]:
    return STAKEHOLDER_NUDGES.find_due(now)


def _request_for(notification: Notification) -> FeedbackRequest:
    """The request a message is about, with the people its e-mail names; Skip when it is gone."""
    request = (
        FeedbackRequest.objects.select_related(
            "stakeholder", "round__engagement__leader", "round__engagement__coach__practice"
        )
        .filter(pk=notification.context.get("request_id"))
        .first()
    )
    if request is None:
        raise Skip(gettext_noop("The feedback request no longer exists."))
    return request


def stakeholder_language(notification: Notification) -> str:
    """The stakeholder's language (models.reading_language): their e-mails are in it, whoever sent them."""
    request = _request_for(notification)
    return reading_language(stakeholder=request.stakeholder, engagement=request.round.engagement)


def _from_the_coach(request: FeedbackRequest) -> dict:
    """Shown as sent by the coach ("Ada Lovelace via Northwind Coaching"), replies to the coach."""
    coach = request.round.engagement.coach
    return {
        "on_behalf_of_name": coach.get_full_name(),
        "on_behalf_of_organisation": coach.practice.name if coach.practice_id else "",
        "reply_to": [coach.email],
    }


def build_stakeholder_nudge(notification: Notification) -> Message:
    request = _request_for(notification)
    if request.answered_at is not None:
        raise Skip(gettext_noop("The stakeholder has answered."))
    if notification.recipient_email.strip().lower() != request.stakeholder.email.lower():
        raise Skip(gettext_noop("The stakeholder's e-mail address has changed since this reminder was recorded."))
    try:
        url = services.request_link_for_nudge(request=request)
    except ValidationError as exc:
        raise Skip(" ".join(exc.messages)) from None
    engagement = request.round.engagement
    return Message(
        template="stakeholder-nudge",
        context={
            "stakeholder_name": request.stakeholder.name,
            "leader": engagement.leader,
            "coach": engagement.coach,
            "round": request.round,
            "last_reminder": notification.context.get("number") == 2,
            "minutes": services.MINUTES_TO_ANSWER,
        },
        link=url,
        **_from_the_coach(request),
    )


def find_stakeholder_requests(now: datetime) -> Iterator[DueSpec]:
    """Nothing: request e-mails are recorded when the coach acts (see the module docstring)."""
    return iter(())


def build_stakeholder_request(notification: Notification) -> Message:
    request = _request_for(notification)
    if notification.context.get("send") != request.send_count:
        raise Skip(gettext_noop("A later e-mail with the current link replaced this one."))
    if not services.request_send_allowed(request=request, notification=notification):
        raise Skip(gettext_noop("The request was answered or withdrawn, its round closed, or the address changed."))
    try:
        url = services.request_link_for_nudge(request=request)
    except ValidationError as exc:
        raise Skip(" ".join(exc.messages)) from None
    return Message(
        template="feedback-request",
        context=services.feedback_request_context(request=request, url=url),
        link=url,
        **_from_the_coach(request),
    )


def record_request_sent(notification: Notification) -> None:
    services.request_record_sent(request_id=notification.context.get("request_id"))


def record_nudge(notification: Notification) -> None:
    request = FeedbackRequest.objects.filter(pk=notification.context.get("request_id")).first()
    if request is not None:
        services.request_record_nudge(request=request)


STAKEHOLDER_NUDGES = Source(
    kind=Kind.STAKEHOLDER_NUDGE,
    find_rows=stakeholder_nudge_rows,
    spec_for=stakeholder_nudge_spec,
    row_name="feedback_request",
    build=build_stakeholder_nudge,
    language_of=stakeholder_language,
    after_send=record_nudge,
    applies_to=lambda user: False,  # stakeholders have no account: they use the link in the e-mail
    description=_("Reminders to stakeholders who have not answered a feedback request."),
)


def register_sources() -> None:
    register(
        Source(
            kind=Kind.STAKEHOLDER_REQUEST,
            find_due=find_stakeholder_requests,
            build=build_stakeholder_request,
            language_of=stakeholder_language,
            after_send=record_request_sent,
            applies_to=lambda user: False,  # stakeholders have no account: they use the link in the e-mail
            description=_("A stakeholder's private link to a feedback round."),
        )
    )
    register(STAKEHOLDER_NUDGES)
