"""Writes for stakeholder feedback: the roster, rounds, private links, sending requests and answers.

Private links. A request's token is derived, not stored: `HMAC-SHA256(SECRET_KEY, round, stakeholder,
nonce)` where the nonce is 32 random bytes kept on the row; the token is that MAC, URL-safe base64
(43 characters, 256 bits). Only `sha256(token)` is stored and a link is looked up by it, so the
database alone cannot produce a working link. Deriving the token lets the sending task carry only the
request's id (it rebuilds the link when it renders the e-mail) and lets nudges repeat the same link,
so the first e-mail keeps working. After a key rotation a link keeps working while the old key is in
SECRET_KEY_FALLBACKS; once no accepted key makes it, the link stops and `request_link_for_nudge`
issues a new nonce.

Sending. Every request e-mail is a row of the outbox (`notifications.Notification`, kind
"stakeholder_request", period key `request:<id>:send:<n>`), recorded in the same transaction as the
request and sent by the outbox's worker like every other message: claimed by conditional update,
retried with backoff, failures kept with their error. The coach's round page reads the row, so it
says "queued" while the broker is unreachable and the next tick hands the row to a worker.

Changing a stakeholder's address revokes their unanswered link (`RevokedLink`) and sends a new one to
the new address; the roster shows who changed it and when, to the coach and the leader.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.idempotency import idempotent
from accounts.limits import check_plausible
from accounts.models import User
from accounts.tokens import derive_token, hash_token, token_for_hash, token_is_valid
from engagements.models import Engagement, Goal
from notifications.models import Kind, Notification
from notifications.registry import DueSpec
from notifications.services import notifications_hand_to_worker, notifications_record
from webhooks import events as webhook_events

from .models import (
    SCORE_MAX,
    SCORE_MIN,
    TEXT_MAX,
    FeedbackRequest,
    FeedbackResponse,
    FeedbackRound,
    GoalScore,
    Relationship,
    RevokedLink,
    Stakeholder,
    normalise_email,
    send_period_key,
)

logger = logging.getLogger(__name__)

MINUTES_TO_ANSWER = 2
LINK_SALT = "stakeholders.feedback-link"


# --- Roster -------------------------------------------------------------------------------------


def _clean_goals(*, engagement: Engagement, goals) -> list[Goal]:
    goals = list(goals)
    if any(goal.engagement_id != engagement.pk for goal in goals):
        raise ValidationError({"goals": gettext("Choose goals of this engagement only.")})
    return goals


def _check_email(*, engagement: Engagement, email: str, exclude_pk: int | None = None) -> str:
    """The address as typed (trimmed), once it is neither the leader's nor the coach's own nor already on
    the roster. Addresses are compared normalised: case and a `+tag` in the local part do not count."""
    email = email.strip()
    key = normalise_email(email)
    if key in {normalise_email(engagement.leader.email), normalise_email(engagement.coach.email)}:
        raise ValidationError(
            {"email": gettext("Stakeholders are people who work with the leader: not the leader or the coach.")}
        )
    clash = Stakeholder.objects.filter(engagement=engagement, email_key=key).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise ValidationError({"email": f"{clash.email} is already on this engagement's roster (as {clash.name})."})
    return email


@idempotent(Stakeholder, user="by")
@transaction.atomic
def stakeholder_nominate(
    *, engagement: Engagement, by: User, name: str, email: str, relationship: str, goals=(), language: str | None = ""
) -> Stakeholder:
    """Adds a person to the roster. The leader nominates (the coach approves later); the coach's
    own additions are approved at once. A duplicate e-mail in the engagement is refused."""
    if by.pk not in (engagement.coach_id, engagement.leader_id):
        raise PermissionDenied(gettext("Only the coach and the leader add stakeholders."))
    if engagement.is_finished:
        raise ValidationError(gettext("This engagement has ended; reopen it before adding stakeholders."))
    stakeholder = Stakeholder(
        engagement=engagement,
        name=" ".join(name.split()),
        email=_check_email(engagement=engagement, email=email),
        relationship=relationship,
        language=language or "",
        nominated_by=by,
        status=Stakeholder.Status.APPROVED if by.pk == engagement.coach_id else Stakeholder.Status.NOMINATED,
    )
    stakeholder.full_clean()
    stakeholder.save()
    stakeholder.goals.set(_clean_goals(engagement=engagement, goals=goals))
    return stakeholder


@transaction.atomic
def stakeholder_update(
    *,
    stakeholder: Stakeholder,
    by: User,
    name: str,
    email: str,
    relationship: str,
    goals=(),
    language: str | None = None,
) -> Stakeholder:
    """The coach edits a stakeholder. Rounds already open keep the group the person had when asked.

    A new address (beyond a change of case) cannot redirect a link already sent: each unanswered
    request of an open round gets a new link, e-mailed to the new address, and the old link stops
    working. The roster tells the coach and the leader who changed the address and when.
    """
    engagement = stakeholder.engagement
    if by.pk != engagement.coach_id:
        raise PermissionDenied(gettext("Only the coach edits a stakeholder."))
    new_email = _check_email(engagement=engagement, email=email, exclude_pk=stakeholder.pk)
    address_changed = new_email.lower() != stakeholder.email.strip().lower()
    stakeholder.name = " ".join(name.split())
    stakeholder.email = new_email
    stakeholder.relationship = relationship
    if language is not None:
        stakeholder.language = language
    if address_changed:
        stakeholder.email_changed_at = timezone.now()
        stakeholder.email_changed_by = by
        stakeholder.email_change_sent_link = False
    stakeholder.full_clean()
    stakeholder.save()
    stakeholder.goals.set(_clean_goals(engagement=engagement, goals=goals))
    if address_changed:
        relinked = _relink_open_requests(stakeholder=stakeholder)
        if relinked:
            stakeholder.email_change_sent_link = True
            stakeholder.save(update_fields=["email_change_sent_link", "updated_at"])
    return stakeholder


def _relink_open_requests(*, stakeholder: Stakeholder) -> int:
    """Revokes the links of the stakeholder's unanswered requests in open rounds and queues a new link
    for each, to the stakeholder's current address. Returns how many requests got a new link."""
    requests = list(
        FeedbackRequest.objects.select_for_update()
        .filter(
            stakeholder=stakeholder,
            round__status=FeedbackRound.Status.OPEN,
            answered_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .order_by("pk")
    )
    for request in requests:
        RevokedLink.objects.get_or_create(token_hash=request.token_hash, defaults={"request": request})
        request.link_nonce = _new_nonce()
        request.token_hash = hash_token(link_token(request=request))
        request.send_count += 1
        request.sent_at = None  # reminders count again from the new link's first e-mail
        request.save(update_fields=["link_nonce", "token_hash", "send_count", "sent_at"])
    _queue_sends(requests)
    return len(requests)


def stakeholder_approve(*, stakeholder: Stakeholder) -> Stakeholder:
    """Approves a nomination, or brings an inactive stakeholder back. Active people are asked in new rounds."""
    if stakeholder.status == Stakeholder.Status.APPROVED:
        return stakeholder
    stakeholder.status = Stakeholder.Status.APPROVED
    stakeholder.save(update_fields=["status", "updated_at"])
    return stakeholder


@transaction.atomic
def stakeholder_deactivate(*, stakeholder: Stakeholder) -> Stakeholder:
    """Stops asking this person. Past answers stay in the results; an unanswered link of an open
    round stops working (it says the request was withdrawn)."""
    stakeholder.status = Stakeholder.Status.INACTIVE
    stakeholder.save(update_fields=["status", "updated_at"])
    FeedbackRequest.objects.filter(
        stakeholder=stakeholder,
        round__status=FeedbackRound.Status.OPEN,
        answered_at__isnull=True,
        withdrawn_at__isnull=True,
    ).update(withdrawn_at=timezone.now())
    return stakeholder


def stakeholder_remove(*, stakeholder: Stakeholder, by: User) -> None:
    """Deletes a stakeholder who was never asked. The coach removes anyone; the leader only their own
    nomination that is still waiting for approval. Someone already asked is deactivated instead."""
    engagement = stakeholder.engagement
    if by.pk != engagement.coach_id and not (
        by.pk == engagement.leader_id
        and stakeholder.status == Stakeholder.Status.NOMINATED
        and stakeholder.nominated_by_id == by.pk
    ):
        raise PermissionDenied(gettext("Only the coach can remove this stakeholder."))
    if stakeholder.requests.exists():
        raise ValidationError(
            f"{stakeholder.name} has been asked for feedback already. Deactivate them instead: "
            "their past answers stay in the results."
        )
    stakeholder.delete()


def engagement_set_threshold(*, engagement: Engagement, threshold: int) -> Engagement:
    """Sets K, the fewest answers a rater group needs to appear in results. Locked once a round opened,
    so results already seen can never be re-cut with a smaller K."""
    if FeedbackRound.objects.filter(engagement=engagement).opened().exists():
        raise ValidationError(
            {"anonymity_threshold": gettext("The threshold is locked: a feedback round has already opened.")}
        )
    engagement.anonymity_threshold = threshold
    engagement.full_clean()
    engagement.save(update_fields=["anonymity_threshold", "updated_at"])
    return engagement


# --- Rounds -------------------------------------------------------------------------------------


def _check_dates(*, opens_on: date, closes_on: date) -> None:
    check_plausible(opens_on, field="opens_on")
    if closes_on <= opens_on:
        raise ValidationError({"closes_on": gettext("The round must close after the day it opens.")})
    if closes_on - opens_on > timedelta(days=90):
        raise ValidationError({"closes_on": gettext("A round stays open for at most 90 days.")})


@idempotent(FeedbackRound, user="created_by")
def round_create(
    *,
    engagement: Engagement,
    created_by: User | None,
    kind: str,
    opens_on: date,
    closes_on: date,
    ask_support: bool = False,
    ask_organisation: bool = False,
) -> FeedbackRound:
    """Creates a draft round. Nobody is asked until the coach opens it (`round_open`)."""
    if engagement.is_finished:
        raise ValidationError(gettext("This engagement has ended; reopen it before planning feedback rounds."))
    _check_dates(opens_on=opens_on, closes_on=closes_on)
    feedback_round = FeedbackRound(
        engagement=engagement,
        created_by=created_by,
        kind=kind,
        opens_on=opens_on,
        closes_on=closes_on,
        ask_support=ask_support,
        ask_organisation=ask_organisation,
    )
    feedback_round.full_clean()
    feedback_round.save()
    return feedback_round


def round_update(
    *,
    feedback_round: FeedbackRound,
    kind: str,
    opens_on: date,
    closes_on: date,
    ask_support: bool,
    ask_organisation: bool,
) -> FeedbackRound:
    if feedback_round.status != FeedbackRound.Status.DRAFT:
        raise ValidationError(gettext("Only a draft round can be changed: people have already been asked."))
    _check_dates(opens_on=opens_on, closes_on=closes_on)
    feedback_round.kind = kind
    feedback_round.opens_on = opens_on
    feedback_round.closes_on = closes_on
    feedback_round.ask_support = ask_support
    feedback_round.ask_organisation = ask_organisation
    feedback_round.full_clean()
    feedback_round.save()
    return feedback_round


def round_delete(*, feedback_round: FeedbackRound) -> None:
    if feedback_round.status != FeedbackRound.Status.DRAFT:
        raise ValidationError(gettext("Only a draft round can be deleted."))
    feedback_round.delete()


def _new_nonce() -> str:
    return secrets.token_urlsafe(32)


def _link_value(request: FeedbackRequest) -> str:
    return f"{request.round_id}:{request.stakeholder_id}:{request.link_nonce}"


def link_token(*, request: FeedbackRequest) -> str:
    """The request's private token, rebuilt from SECRET_KEY and the row (see the module docstring)."""
    return derive_token(salt=LINK_SALT, value=_link_value(request))


def _working_link_token(request: FeedbackRequest) -> str | None:
    """The token of the link already sent, under the current key or a fallback (`SECRET_KEY_FALLBACKS`)."""
    return token_for_hash(token_hash=request.token_hash, salt=LINK_SALT, value=_link_value(request))


def _ensure_link_token(request: FeedbackRequest) -> str:
    """The working token of `request`; a new nonce (a new link) when no accepted key makes the old one."""
    token = _working_link_token(request)
    if token is None:
        request.link_nonce = _new_nonce()
        token = link_token(request=request)
        request.token_hash = hash_token(token)
        request.save(update_fields=["link_nonce", "token_hash"])
    return token


def link_url(*, token: str) -> str:
    return settings.SITE_URL + reverse("stakeholders:answer", args=[token])


def _goals_to_ask(*, feedback_round: FeedbackRound, stakeholder: Stakeholder, all_goals: list[Goal]) -> list[Goal]:
    """Progress rounds ask about the goals the person can observe (every goal if none is ticked)."""
    if not feedback_round.is_progress:
        return []
    chosen = {g.pk for g in stakeholder.goals.all()}
    return [g for g in all_goals if g.pk in chosen] or all_goals


@transaction.atomic
def round_open(*, feedback_round: FeedbackRound, notify: bool = True) -> list[FeedbackRequest]:
    """Opens a round: one request per active stakeholder, each e-mailed its own link on commit.

    Calling it again on an open round asks only active stakeholders who have no request yet (people
    approved since), so nobody is ever asked twice in one round. Returns the requests it created.
    `notify=False` creates the requests without e-mailing (demo data for past rounds).
    """
    locked = FeedbackRound.objects.select_for_update().select_related("engagement__coach").get(pk=feedback_round.pk)
    engagement = locked.engagement
    today = locked.today()
    if locked.status == FeedbackRound.Status.CLOSED:
        raise ValidationError(gettext("This round is closed. Plan a new round instead."))
    if engagement.is_finished:
        raise ValidationError(gettext("This engagement has ended; reopen it before asking for feedback."))
    if locked.status == FeedbackRound.Status.DRAFT:
        if locked.opens_on > today:
            raise ValidationError(
                gettext("This round is planned to open on %(date)s. Change its opening date to today to open it now.")
                % {"date": date_format(locked.opens_on, "DATE_FORMAT")}
            )
        if locked.closes_on < today:
            raise ValidationError({"closes_on": gettext("The closing date has passed. Choose a later closing date.")})
    all_goals = list(Goal.objects.filter(engagement=engagement).order_by("position", "pk"))
    if locked.is_progress and not all_goals:
        raise ValidationError(gettext("Agree at least one goal before asking stakeholders about progress."))
    asked = set(locked.requests.values_list("stakeholder_id", flat=True))
    to_ask = list(
        Stakeholder.objects.filter(engagement=engagement)
        .active()
        .exclude(pk__in=asked)
        .prefetch_related("goals")
        .order_by("pk")
    )
    if locked.status == FeedbackRound.Status.DRAFT:
        if not to_ask:
            raise ValidationError(gettext("Approve at least one stakeholder before opening a round."))
        previous = FeedbackRound.objects.filter(engagement=engagement, kind=locked.kind).aggregate(n=Max("sequence"))
        locked.sequence = (previous["n"] or 0) + 1
        locked.status = FeedbackRound.Status.OPEN
        locked.opened_at = timezone.now()
        locked.full_clean()
        locked.save(update_fields=["sequence", "status", "opened_at"])
    created = []
    for stakeholder in to_ask:
        request = FeedbackRequest(
            round=locked,
            stakeholder=stakeholder,
            relationship=stakeholder.relationship,
            link_nonce=_new_nonce(),
            send_count=1 if notify else 0,
        )
        request.token_hash = hash_token(link_token(request=request))
        request.save()
        request.goals.set(_goals_to_ask(feedback_round=locked, stakeholder=stakeholder, all_goals=all_goals))
        request.stakeholder = stakeholder
        created.append(request)
    if notify and created:
        for request in created:
            request.round = locked
        _queue_sends(created)
    feedback_round.refresh_from_db()
    return created


def _queue_sends(requests: list[FeedbackRequest]) -> list[int]:
    """Records one outbox row per request for its current send (`request:<id>:send:<n>`, to the
    stakeholder's current address) and hands the rows to a worker once the transaction commits.

    Recording twice is harmless (one row per recipient, kind and period key). If the broker is
    unreachable the rows stay pending, shown as queued, and the outbox's next tick enqueues them.
    Returns the ids of the rows.
    """
    if not requests:
        return []
    now = timezone.now()
    specs = [
        DueSpec(
            kind=Kind.STAKEHOLDER_REQUEST,
            period_key=send_period_key(r.pk, r.send_count),
            due_at=now,
            recipient_email=r.stakeholder.email,
            time_zone=r.round.engagement.leader.time_zone,
            engagement_id=r.round.engagement_id,
            context={"request_id": r.pk, "send": r.send_count},
        )
        for r in requests
    ]
    notifications_record(specs=specs, now=now)
    ids = list(
        Notification.objects.filter(
            kind=Kind.STAKEHOLDER_REQUEST, period_key__in=[spec.period_key for spec in specs]
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(partial(notifications_hand_to_worker, notification_ids=ids))
    return ids


@dataclass
class CloseResult:
    closed: FeedbackRound
    next_round: FeedbackRound | None


@transaction.atomic
def round_close(*, feedback_round: FeedbackRound, next_in_weeks: int | None = None) -> CloseResult:
    """Closes an open round: its links stop working and its results appear. With `next_in_weeks`,
    plans the next progress round as a draft that opens that many weeks from today."""
    locked = FeedbackRound.objects.select_for_update().select_related("engagement__coach").get(pk=feedback_round.pk)
    if locked.status != FeedbackRound.Status.OPEN:
        raise ValidationError(gettext("Only an open round can be closed."))
    if next_in_weeks is not None and not 1 <= next_in_weeks <= 52:
        raise ValidationError({"next_in_weeks": gettext("Plan the next round between 1 and 52 weeks from now.")})
    today = locked.today()
    locked.status = FeedbackRound.Status.CLOSED
    locked.closed_at = timezone.now()
    next_round = None
    if next_in_weeks:
        opens_on = today + timedelta(weeks=next_in_weeks)
        next_round = round_create(
            engagement=locked.engagement,
            created_by=locked.created_by,
            kind=FeedbackRound.Kind.PROGRESS,
            opens_on=opens_on,
            closes_on=opens_on + timedelta(days=14),
            ask_support=locked.ask_support,
            ask_organisation=locked.ask_organisation,
        )
        locked.next_round_on = opens_on
    locked.full_clean()
    locked.save()
    webhook_events.round_closed(feedback_round=locked)
    feedback_round.refresh_from_db()
    return CloseResult(closed=feedback_round, next_round=next_round)


def rounds_open_due() -> list[FeedbackRound]:
    """Opens every draft round whose opening day has come in its coach's time zone (a scheduled next
    round). A round that cannot open (no active stakeholder, no goal) stays a draft for the coach."""
    opened = []
    tomorrow_anywhere = timezone.now().date() + timedelta(days=1)
    for feedback_round in FeedbackRound.objects.filter(
        status=FeedbackRound.Status.DRAFT, opens_on__lte=tomorrow_anywhere
    ).select_related("engagement__coach"):
        if feedback_round.opens_on > feedback_round.today():
            continue
        try:
            round_open(feedback_round=feedback_round)
        except ValidationError:
            logger.info("Feedback round %s is due but cannot open yet", feedback_round.pk)
        else:
            opened.append(feedback_round)
    return opened


# --- Sending requests -------------------------------------------------------------------------------


def feedback_request_context(*, request: FeedbackRequest, url: str) -> dict:
    """What the request e-mail (templates/emails/feedback-request-*) says to one stakeholder."""
    feedback_round = request.round
    engagement = feedback_round.engagement
    return {
        "stakeholder_name": request.stakeholder.name,
        "leader": engagement.leader,
        "coach": engagement.coach,
        "round": feedback_round,
        "goals": list(request.goals.all()),
        "is_manager": request.relationship == Relationship.MANAGER,
        "threshold": engagement.anonymity_threshold,
        "minutes": MINUTES_TO_ANSWER,
        "url": url,
    }


@transaction.atomic
def request_resend(*, request: FeedbackRequest, seen_send: int | None = None) -> Notification:
    """The coach sends a request's e-mail again (after a failure, or for a lost e-mail). Same link.

    Records a new outbox row (`request:<id>:send:<n+1>`) and returns it. `seen_send` is the send
    number the coach's page showed: a second click on the same page finds the number moved on and
    returns the row the first click recorded instead of queueing a third e-mail.
    """
    locked = (
        FeedbackRequest.objects.select_for_update()
        .select_related("stakeholder", "round__engagement__leader")
        .get(pk=request.pk)
    )
    if not locked.is_pending:
        raise ValidationError(gettext("This person has already answered, or is no longer asked."))
    if locked.round.status != FeedbackRound.Status.OPEN:
        raise ValidationError(gettext("This round is not open."))
    if seen_send is None or seen_send == locked.send_count:
        locked.send_count += 1
        locked.save(update_fields=["send_count"])
        _queue_sends([locked])
    request.send_count = locked.send_count
    return Notification.objects.get(kind=Kind.STAKEHOLDER_REQUEST, period_key=locked.send_period_key)


def request_send_allowed(*, request: FeedbackRequest, notification: Notification | None) -> bool:
    """Whether the e-mail of outbox row `notification` may still go to the stakeholder.

    Not for an answered or withdrawn request, a round that no longer takes answers, an address the
    stakeholder no longer has, or a send that a later one replaced.
    """
    if not request.is_pending or not request.round.accepts_answers():
        return False
    if notification is not None and notification.recipient_email.strip().lower() != request.stakeholder.email.lower():
        return False
    return True


def request_record_sent(*, request_id: int) -> None:
    """Bookkeeping once the mail server accepted a request e-mail: reminders count from the first one."""
    FeedbackRequest.objects.filter(pk=request_id, sent_at__isnull=True).update(sent_at=timezone.now())


def link_revoked(*, token: str) -> bool:
    """Whether `token` is a link that was revoked when the stakeholder's address changed (one query)."""
    if len(token) != TOKEN_LENGTH or not set(token) <= _TOKEN_ALPHABET:
        return False
    return RevokedLink.objects.filter(token_hash=hash_token(token)).exists()


def request_link_for_nudge(*, request: FeedbackRequest) -> str:
    """A working link for an unanswered request of an open round, for a reminder e-mail.

    Rebuilds the same link the first e-mail carried. If SECRET_KEY has changed since, the rebuilt
    token no longer matches: a new nonce is stored and the new link returned. Raises ValidationError
    for an answered or withdrawn request, or a round that no longer accepts answers.
    """
    if not request.is_pending:
        raise ValidationError(gettext("This request has been answered or withdrawn."))
    if not request.round.accepts_answers():
        raise ValidationError(gettext("This round no longer accepts answers."))
    return link_url(token=_ensure_link_token(request))


def request_record_nudge(*, request: FeedbackRequest) -> FeedbackRequest:
    """Bookkeeping for reminders: one more nudge sent now."""
    FeedbackRequest.objects.filter(pk=request.pk).update(
        nudge_count=request.nudge_count + 1, last_nudged_at=timezone.now()
    )
    request.refresh_from_db()
    return request


# --- Answers ------------------------------------------------------------------------------------

TOKEN_LENGTH = 43  # URL-safe base64 of 32 bytes, without padding
_TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def request_find(*, token: str) -> FeedbackRequest | None:
    """The request behind a link, with its round, engagement, leader and coach; None for a malformed,
    forged or unknown token (one query at most, none for a malformed one)."""
    if len(token) != TOKEN_LENGTH or not set(token) <= _TOKEN_ALPHABET:
        return None
    request = (
        FeedbackRequest.objects.select_related(
            "round__engagement__leader", "round__engagement__coach__practice", "stakeholder"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if request is None or not token_is_valid(token=token, salt=LINK_SALT, value=_link_value(request)):
        return None  # made with a secret key that is no longer accepted
    return request


class LinkUnusable(Exception):
    """A link that cannot take an answer: `reason` is "answered", "withdrawn" or "closed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def link_state(*, request: FeedbackRequest) -> str | None:
    """Why this link cannot take an answer now, or None when it can."""
    if request.answered_at is not None:
        return "answered"
    if request.withdrawn_at is not None:
        return "withdrawn"
    if not request.round.accepts_answers():
        return "closed"
    return None


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {
                field: gettext("Keep this under %(most)s characters (it has %(count)s).")
                % {"most": TEXT_MAX, "count": len(value)}
            }
        )
    return value


@idempotent(FeedbackResponse, user=None)
@transaction.atomic
def response_submit(
    *,
    request: FeedbackRequest,
    scores: dict[int, int] | None = None,
    suggestions: dict[int, str] | None = None,
    keep_doing: str = "",
    start_doing: str = "",
    support: str = "",
    organisation: str = "",
) -> FeedbackResponse:
    """Stores one stakeholder's answers, once. `scores` and `suggestions` are keyed by goal id.

    A progress round needs a score from -3 to +3 for exactly the goals this person was asked about;
    a baseline round needs at least one of "keep doing" and "start doing". Raises LinkUnusable when the
    link was used, withdrawn or its round closed, ValidationError for bad answers; stores nothing then.
    """
    scores, suggestions = scores or {}, suggestions or {}
    reason = link_state(request=request)
    if reason:
        raise LinkUnusable(reason)
    feedback_round = request.round
    asked = {g.pk for g in request.goals.all()}
    errors: dict[str, str] = {}
    if feedback_round.is_progress:
        for goal_id in asked - set(scores):
            errors[f"score_{goal_id}"] = gettext("Choose a score from −3 to +3.")
        if set(scores) - asked or set(suggestions) - asked:
            errors["__all__"] = gettext("These answers name a goal you were not asked about.")
        for goal_id, score in scores.items():
            if not isinstance(score, int) or isinstance(score, bool) or not SCORE_MIN <= score <= SCORE_MAX:
                errors[f"score_{goal_id}"] = gettext("Choose a score from −3 to +3.")
    elif scores or suggestions:
        errors["__all__"] = gettext("This round asks for suggestions only, not scores.")
    texts = {}
    for field, value in {
        "keep_doing": keep_doing,
        "start_doing": start_doing,
        "support": support if feedback_round.ask_support else "",
        "organisation": organisation if feedback_round.ask_organisation else "",
        **{f"suggestion_{k}": v for k, v in suggestions.items()},
    }.items():
        try:
            texts[field] = _text(value, field)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not feedback_round.is_progress and not (texts.get("keep_doing") or texts.get("start_doing")):
        errors["keep_doing"] = gettext("Write at least one thing the leader should keep doing or start doing.")
    if errors:
        raise ValidationError(errors)
    claimed = FeedbackRequest.objects.filter(pk=request.pk, answered_at__isnull=True, withdrawn_at__isnull=True).update(
        answered_at=timezone.now()
    )
    if claimed != 1:
        raise LinkUnusable("answered")
    response = FeedbackResponse(
        request=request,
        relationship=request.relationship,
        keep_doing=texts.get("keep_doing", ""),
        start_doing=texts.get("start_doing", ""),
        support=texts.get("support", ""),
        organisation=texts.get("organisation", ""),
    )
    response.full_clean(exclude=["request"])
    response.save()
    GoalScore.objects.bulk_create(
        GoalScore(response=response, goal_id=goal_id, score=score, suggestion=texts.get(f"suggestion_{goal_id}", ""))
        for goal_id, score in sorted(scores.items())
    )
    request.refresh_from_db(fields=["answered_at"])
    return response
