"""Writes for engagements, goals, sessions and agenda items. Views, admin and the demo seeder call these."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idempotency import idempotent
from accounts.limits import check_plausible
from accounts.models import Invitation, User
from accounts.services import invitation_create, user_get_or_invite_target
from accounts.tokens import derive_token, hash_token, token_for_hash, token_is_valid
from coaching.templatetags.inline_text import lower_inline
from notifications.models import Kind
from notifications.services import notification_owe_now
from webhooks import events as webhook_events

from .calendar import session_attendees
from .invitations import InvitationAction, session_invitations_owe
from .models import AgendaItem, CalendarFeed, Engagement, Goal, MeetingRoom, Session

MAX_GOALS = 3
MAX_ENGAGEMENT_SPAN = timedelta(days=3 * 366)


@dataclass
class EngagementResult:
    engagement: Engagement
    # Invitations made; each one's e-mail is owed to the outbox and goes out after commit.
    invitations: list[Invitation] = field(default_factory=list)


def _invite(*, user: User, role: str, coach: User, engagement: Engagement) -> Invitation:
    return invitation_create(
        user=user,
        role=role,
        invited_by=coach,
        context=f"{engagement.organisation} coaching engagement",
        engagement_id=engagement.pk,
    )


def engagement_leader_accepted(invitation: Invitation) -> None:
    """Registered with accounts: accepting a leader invitation makes the engagement the leader's."""
    if invitation.role == Invitation.Role.LEADER and invitation.engagement_id:
        Engagement.objects.filter(pk=invitation.engagement_id, leader_id=invitation.user_id).update(
            awaiting_leader=False
        )


def invitation_resend(*, engagement: Engagement, person: User, by: User) -> Invitation | None:
    """A new invitation for the engagement's leader (until accepted) or a sponsor who has no password
    yet; earlier links stop working. None when the person needs no invitation."""
    if person.pk == engagement.leader_id:
        if not engagement.awaiting_leader and person.has_usable_password():
            return None
        return _invite(user=person, role=Invitation.Role.LEADER, coach=by, engagement=engagement)
    if person.has_usable_password():
        return None
    return _invite(user=person, role=Invitation.Role.SPONSOR, coach=by, engagement=engagement)


def _client_named(*, coach: User, name: str):
    """The client organisation `name` of the coach's practice, created on first use.

    The model is reached through the foreign key, so this app does not import the programs app.
    """
    organisations = Engagement._meta.get_field("client").related_model.objects
    client, _ = organisations.get_or_create(practice_id=coach.practice_id, name=name.strip())
    return client


def _check_engagement_dates(*, start_date: date, planned_end_date: date) -> None:
    check_plausible(start_date, field="start_date")
    if planned_end_date - start_date > MAX_ENGAGEMENT_SPAN:
        raise ValidationError({"planned_end_date": _("An engagement lasts at most three years.")})


@idempotent(Engagement, user="coach", row=lambda result: result.engagement, replay=lambda row: EngagementResult(row))
@transaction.atomic
def engagement_create(
    *,
    coach: User,
    leader_email: str,
    leader_name: str,
    organisation: str,
    start_date: date,
    planned_end_date: date,
    planned_sessions: int,
    cadence_days: int,
    sponsors: list[tuple[str, str]] = (),
    status: str = Engagement.Status.ACTIVE,
    leader_has_agreed: bool = False,
) -> EngagementResult:
    """Creates an engagement, the leader's and sponsors' accounts if needed, and their invitations.

    `sponsors` is a list of (name, e-mail). The leader is always invited, even with an account: the
    engagement stays off their pages until they accept. Only the demo seeder and data set up outside
    the product pass `leader_has_agreed`. Invitation e-mails go through the outbox after commit.
    """
    if not coach.is_coach:
        raise PermissionDenied(_("Only coaches create engagements."))
    leader = user_get_or_invite_target(email=leader_email, full_name=leader_name)
    if leader.pk == coach.pk:
        raise ValidationError({"leader_email": _("You cannot coach yourself: use the leader's own e-mail address.")})
    _check_engagement_dates(start_date=start_date, planned_end_date=planned_end_date)
    engagement = Engagement(
        coach=coach,
        leader=leader,
        organisation=organisation.strip(),
        client=_client_named(coach=coach, name=organisation) if organisation.strip() else None,
        start_date=start_date,
        planned_end_date=planned_end_date,
        planned_sessions=planned_sessions,
        cadence_days=cadence_days,
        status=status,
        awaiting_leader=not leader_has_agreed,
    )
    engagement.full_clean()
    engagement.save()
    result = EngagementResult(engagement)
    if not leader_has_agreed:
        result.invitations.append(_invite(user=leader, role=Invitation.Role.LEADER, coach=coach, engagement=engagement))
    for name, email in sponsors:
        result.invitations.extend(sponsor_add(engagement=engagement, name=name, email=email).invitations)
    return result


@transaction.atomic
def sponsor_add(*, engagement: Engagement, name: str, email: str) -> EngagementResult:
    sponsor = user_get_or_invite_target(email=email, full_name=name)
    if sponsor.pk in (engagement.coach_id, engagement.leader_id):
        raise ValidationError({"sponsor_email": _("The sponsor must be someone other than the coach and the leader.")})
    result = EngagementResult(engagement)
    if engagement.sponsors.filter(pk=sponsor.pk).exists():
        raise ValidationError(
            {"sponsor_email": _("%(email)s already sponsors this engagement.") % {"email": sponsor.email}}
        )
    engagement.sponsors.add(sponsor)
    if not sponsor.has_usable_password():
        result.invitations.append(
            _invite(user=sponsor, role=Invitation.Role.SPONSOR, coach=engagement.coach, engagement=engagement)
        )
    return result


def sponsor_remove(*, engagement: Engagement, sponsor: User) -> None:
    engagement.sponsors.remove(sponsor)


def engagement_update(
    *,
    engagement: Engagement,
    organisation: str,
    start_date: date,
    planned_end_date: date,
    planned_sessions: int,
    cadence_days: int,
    cancellation_window_hours: int | None = None,
) -> Engagement:
    _check_engagement_dates(start_date=start_date, planned_end_date=planned_end_date)
    if cancellation_window_hours is not None:
        engagement.cancellation_window_hours = cancellation_window_hours
    if organisation.strip() != engagement.organisation or engagement.client_id is None:
        engagement.client = _client_named(coach=engagement.coach, name=organisation) if organisation.strip() else None
        if engagement.program_id and engagement.program.organisation_id != engagement.client_id:
            engagement.program = None  # a program belongs to one organisation
    engagement.organisation = organisation.strip()
    engagement.start_date = start_date
    engagement.planned_end_date = planned_end_date
    engagement.planned_sessions = planned_sessions
    engagement.cadence_days = cadence_days
    engagement.full_clean()
    engagement.save()
    return engagement


@transaction.atomic
def engagement_reassign(*, engagement: Engagement, coach: User, by: User) -> Engagement:
    """Hands the engagement, with all its history, to another active coach of the same practice, and
    owes the leader and each active sponsor an e-mail saying so (through the outbox, after commit).

    Only the practice admin of the engagement's practice reassigns. Nothing else changes: sessions,
    notes, fieldwork and feedback stay with the engagement.
    """
    previous = engagement.coach
    practice_id = previous.practice_id
    if not (by.is_practice_admin and practice_id and by.practice_id == practice_id):
        raise PermissionDenied(_("Only the practice admin reassigns the practice's engagements."))
    if not (coach.is_coach and coach.is_active and coach.practice_id == practice_id):
        raise ValidationError({"coach": _("Choose an active coach of the practice.")})
    if coach.pk == engagement.leader_id:
        raise ValidationError({"coach": _("The leader cannot coach their own engagement.")})
    if coach.pk == previous.pk:
        return engagement
    engagement.coach = coach
    engagement.save(update_fields=["coach", "updated_at"])
    now = timezone.now()
    people = [engagement.leader, *engagement.sponsors.filter(is_active=True)]
    for person in people:
        notification_owe_now(
            kind=Kind.COACH_CHANGED,
            period_key=f"coach:{engagement.pk}:{coach.pk}:{now:%Y%m%dT%H%M%S.%f}",
            recipient_id=person.pk,
            recipient_email=person.email,
            time_zone=person.time_zone,
            engagement_id=engagement.pk,
            context={"engagement_id": engagement.pk, "previous_coach": str(previous)},
            now=now,
        )
    return engagement


ALLOWED_TRANSITIONS = {
    Engagement.Status.DRAFT: {Engagement.Status.ACTIVE, Engagement.Status.ENDED_EARLY},
    Engagement.Status.ACTIVE: {Engagement.Status.PAUSED, Engagement.Status.COMPLETED, Engagement.Status.ENDED_EARLY},
    Engagement.Status.PAUSED: {Engagement.Status.ACTIVE, Engagement.Status.COMPLETED, Engagement.Status.ENDED_EARLY},
    Engagement.Status.COMPLETED: {Engagement.Status.ACTIVE},
    Engagement.Status.ENDED_EARLY: {Engagement.Status.ACTIVE},
}


#: Rules of the apps above this one that may refuse a status change: each takes the engagement and the
#: new status and returns the reason to refuse, or None (retention refuses to reopen an erased one).
_STATUS_GUARDS: list[Callable[[Engagement, str], str | None]] = []


def register_status_guard(guard: Callable[[Engagement, str], str | None]) -> None:
    _STATUS_GUARDS.append(guard)


def _refusal(engagement: Engagement, status: str) -> str | None:
    return next((reason for guard in _STATUS_GUARDS if (reason := guard(engagement, status))), None)


def allowed_transitions(engagement: Engagement) -> list[str]:
    """The statuses this engagement may move to now, in the order the statuses are listed."""
    allowed = ALLOWED_TRANSITIONS.get(engagement.status, set())
    return [s for s in Engagement.Status.values if s in allowed and _refusal(engagement, s) is None]


def engagement_set_status(*, engagement: Engagement, status: str) -> Engagement:
    """Moves an engagement to a new status (pause, resume, complete, end early, reopen)."""
    if status not in ALLOWED_TRANSITIONS.get(engagement.status, set()):
        raise ValidationError(
            _("An engagement that is %(current)s cannot become %(new)s.")
            % {
                "current": lower_inline(engagement.get_status_display()),
                "new": lower_inline(Engagement.Status(status).label),
            }
        )
    if reason := _refusal(engagement, status):
        raise ValidationError(reason)
    engagement.status = status
    engagement.ended_at = timezone.now() if engagement.is_finished else None
    engagement.save(update_fields=["status", "ended_at", "updated_at"])
    webhook_events.engagement_status(engagement=engagement)
    return engagement


@idempotent(Goal, user=None)
def goal_save(
    *, engagement: Engagement, title: str, why_it_matters: str, description: str = "", goal: Goal | None = None
) -> Goal:
    """Creates or edits a goal. An engagement has one to three goals."""
    if goal is None:
        if engagement.goals.count() >= MAX_GOALS:
            raise ValidationError(
                _("An engagement has at most %(count)d goals. Edit or remove one first.") % {"count": MAX_GOALS}
            )
        goal = Goal(engagement=engagement, position=engagement.goals.count())
    goal.title = title.strip()
    goal.why_it_matters = why_it_matters.strip()
    goal.description = description.strip()
    goal.full_clean(validate_constraints=False)
    if Goal.objects.filter(engagement=engagement, title__iexact=goal.title).exclude(pk=goal.pk).exists():
        raise ValidationError({"title": _("This engagement already has a goal with that title.")})
    goal.save()
    return goal


def goal_delete(*, goal: Goal) -> None:
    goal.delete()


def _check_start(starts_at: datetime, *, allow_past: bool) -> None:
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": _("The start time needs a time zone.")})
    check_plausible(starts_at, field="starts_at")
    if not allow_past and starts_at < timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future, or record a past session as held.")})


PAST_OUTCOMES = (Session.Status.HELD, Session.Status.NO_SHOW)


@idempotent(Session, user=None)
@transaction.atomic
def session_schedule(
    *,
    engagement: Engagement,
    starts_at: datetime,
    duration_minutes: int = 60,
    mode: str = Session.Mode.VIDEO,
    kind: str = Session.Kind.REGULAR,
    location: str = "",
    allow_past: bool = False,
    video_url: str = "",
    outcome: str = "",
) -> Session:
    """Books a session; the leader (and, for a three-way meeting, the sponsors) get a calendar invitation.

    `outcome` (held or no-show) records a session that already happened, for example when an existing
    client moves over: its start must have passed, and nobody is invited to it.
    """
    if engagement.is_finished:
        raise ValidationError(_("This engagement has ended; reopen it before scheduling sessions."))
    if outcome:
        if outcome not in PAST_OUTCOMES:
            raise ValidationError({"outcome": _("A past session is recorded as held or as a no-show.")})
        _check_start(starts_at, allow_past=True)
        if starts_at > timezone.now():
            raise ValidationError(
                {"starts_at": _("A session can be recorded as held or as a no-show only once it has started.")}
            )
    else:
        _check_start(starts_at, allow_past=allow_past)
    session = Session(
        engagement=engagement,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        kind=kind,
        location=location.strip(),
        video_url=video_url.strip(),
    )
    if outcome:
        session.status = outcome
        session.outcome_recorded_at = timezone.now()
    session.full_clean()
    session.save()
    if not outcome and session.starts_at > timezone.now():
        session_invitations_owe(session=session, action=InvitationAction.BOOKED)
    webhook_events.session_event(event="session.booked", session=session)
    return session


#: What attendees see in their calendar; changing any of it sends a new version of the invitation.
CALENDAR_FIELDS = ("starts_at", "duration_minutes", "mode", "kind", "location", "video_url")


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    starts_at: datetime,
    duration_minutes: int,
    mode: str,
    kind: str,
    location: str,
    video_url: str | None = None,
) -> Session:
    """Moves or changes a scheduled session. Attendees get the new version of the invitation (same UID,
    higher SEQUENCE); a sponsor who no longer attends (a three-way meeting became a regular one) gets a
    cancellation, and one who now attends gets an invitation."""
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be moved."))
    _check_start(starts_at, allow_past=False)
    before = {name: getattr(session, name) for name in CALENDAR_FIELDS}
    attendees_before = session_attendees(session)
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.mode = mode
    session.kind = kind
    session.location = location.strip()
    if video_url is not None:
        session.video_url = video_url.strip()
    changed = any(getattr(session, name) != value for name, value in before.items())
    if changed:
        session.sequence += 1
    session.full_clean()
    session.save()
    if changed:
        moved = before["starts_at"] != session.starts_at
        staying = session_attendees(session)
        before_ids = {p.pk for p in attendees_before}
        staying_ids = {p.pk for p in staying}
        session_invitations_owe(
            session=session,
            action=InvitationAction.MOVED if moved else InvitationAction.CHANGED,
            people=[p for p in staying if p.pk in before_ids],
            previous_starts_at=before["starts_at"],
        )
        session_invitations_owe(
            session=session, action=InvitationAction.BOOKED, people=[p for p in staying if p.pk not in before_ids]
        )
        session_invitations_owe(
            session=session,
            action=InvitationAction.CANCELLED,
            people=[p for p in attendees_before if p.pk not in staying_ids],
        )
    webhook_events.session_event(event="session.moved", session=session)
    return session


@transaction.atomic
def session_cancel(*, session: Session, now: datetime | None = None) -> Session:
    """Cancels a scheduled session: inside the engagement's cancellation window it counts as a late
    cancellation, outside it as cancelled in good time. Attendees get a calendar cancellation."""
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled session can be cancelled."))
    now = now or timezone.now()
    if session.starts_at <= now:
        raise ValidationError(_("This session has already started; record what happened instead."))
    late = session.cancellation_is_late(now)
    session.status = Session.Status.LATE_CANCEL if late else Session.Status.CANCELLED
    if late:
        session.outcome_recorded_at = now
    session.cancelled_at = now
    session.sequence += 1
    session.save(update_fields=["status", "outcome_recorded_at", "cancelled_at", "sequence", "updated_at"])
    session_invitations_owe(session=session, action=InvitationAction.CANCELLED, now=now)
    webhook_events.session_event(event="session.cancelled", session=session)
    return session


def session_record_outcome(*, session: Session, status: str) -> Session:
    """Records what happened: held, no-show or late cancellation, once the session has started.

    Attendance is a fact about the past: before the start nothing can be recorded (a cancellation
    before the start goes through `session_cancel`, which decides whether it was late).
    """
    if status not in Session.OUTCOMES:
        raise ValidationError({"status": _("Choose held, no-show or late cancellation.")})
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled in advance; schedule a new one instead."))
    now = timezone.now()
    if session.starts_at > now:
        raise ValidationError(
            {
                "status": _(
                    "This session has not started yet: you can record what happened once it has started. "
                    "To call it off now, cancel the session."
                )
            }
        )
    session.status = status
    session.outcome_recorded_at = now
    session.save(update_fields=["status", "outcome_recorded_at", "updated_at"])
    webhook_events.session_event(event="outcome", session=session)
    return session


def session_write_notes(
    *, session: Session, shared_summary: str, private_notes: str, summary_shared_with_sponsor: bool
) -> Session:
    """Saves the shared summary and the coach's private notes. Changing the summary withdraws its release."""
    if session.shared_summary != shared_summary.strip() or not summary_shared_with_sponsor:
        session.summary_released_at = None
    session.shared_summary = shared_summary.strip()
    session.private_notes = private_notes.strip()
    session.summary_shared_with_sponsor = summary_shared_with_sponsor and bool(session.shared_summary)
    session.full_clean()
    session.save()
    return session


def session_release_summary(*, session: Session) -> Session:
    """Releases a summary marked "shared with sponsor" to the sponsor; the leader has seen it first."""
    if not (session.summary_shared_with_sponsor and session.shared_summary):
        raise ValidationError(_("Mark the summary as shared with the sponsor before releasing it."))
    session.summary_released_at = timezone.now()
    session.save(update_fields=["summary_released_at", "updated_at"])
    return session


@idempotent(AgendaItem, user="author")
def agenda_item_add(
    *, session: Session, author: User | None, text: str, source: str = AgendaItem.Source.LEADER
) -> AgendaItem:
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": _("Write the topic you want to bring.")})
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Topics can be added to a scheduled session only."))
    item = AgendaItem(
        session=session,
        author=author,
        text=text,
        source=source,
        # Decided now, once: a topic written for a regular session stays private whatever later
        # happens to the session, and one carried over from a private reflection is never shown.
        visible_to_sponsor=session.kind == Session.Kind.THREE_WAY and source != AgendaItem.Source.REFLECTION,
    )
    item.full_clean()
    item.save()
    return item


def agenda_item_share_with_sponsor(*, item: AgendaItem, user: User, shared: bool) -> AgendaItem:
    """The leader shows one topic of a three-way meeting to the sponsor, or stops showing it.

    Only the leader widens (or narrows) what the sponsor reads of their agenda; the coach cannot.
    """
    session = item.session
    if user.pk != session.engagement.leader_id:
        raise PermissionDenied(_("Only the leader decides which topics the sponsor sees."))
    if shared and session.kind != Session.Kind.THREE_WAY:
        raise ValidationError(_("Only topics of a three-way meeting can be shared with the sponsor."))
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Topics can be shared before the meeting only."))
    item.visible_to_sponsor = shared
    item.save(update_fields=["visible_to_sponsor"])
    return item


def agenda_item_delete(*, item: AgendaItem, user: User) -> None:
    if item.author_id != user.pk and item.session.engagement.coach_id != user.pk:
        raise PermissionDenied(_("Only the person who added a topic, or the coach, can remove it."))
    item.delete()


# --- Calendar feeds and meeting rooms --------------------------------------------------------------

FEED_SALT = "engagements.calendar_feed"
#: Longest token accepted before any lookup (a token is 43 characters).
FEED_TOKEN_MAX = 64


def calendar_feed_token(*, feed: CalendarFeed) -> str | None:
    """The feed's secret token, derived again from its nonce (under the current key or an accepted
    fallback); None once no accepted key makes it."""
    return token_for_hash(token_hash=feed.token_hash, salt=FEED_SALT, value=f"{feed.user_id}:{feed.nonce}")


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> tuple[CalendarFeed, str]:
    """A new private feed link for `user`; the older link stops working at once."""
    if not user.is_active:
        raise PermissionDenied(_("This account is inactive."))
    now = timezone.now()
    CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    nonce = secrets.token_urlsafe(32)
    token = derive_token(salt=FEED_SALT, value=f"{user.pk}:{nonce}")
    feed = CalendarFeed.objects.create(user=user, nonce=nonce, token_hash=hash_token(token), created_at=now)
    return feed, token


def calendar_feed_revoke(*, user: User) -> int:
    """Turns the person's feed link off; calendars subscribed to it stop receiving sessions."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def calendar_feed_for_token(*, token: str) -> CalendarFeed | None:
    """The live feed of an active person behind `token`; None for an unknown, revoked or forged one."""
    if not token or len(token) > FEED_TOKEN_MAX:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None or not token_is_valid(token=token, salt=FEED_SALT, value=f"{feed.user_id}:{feed.nonce}"):
        return None
    return feed


def meeting_room_save(*, coach: User, url: str) -> MeetingRoom | None:
    """Sets (or, with an empty `url`, removes) the coach's default video meeting room."""
    if not coach.is_coach:
        raise PermissionDenied(_("Only coaches have a meeting room."))
    url = url.strip()
    if not url:
        MeetingRoom.objects.filter(coach=coach).delete()
        return None
    room = MeetingRoom.objects.filter(coach=coach).first() or MeetingRoom(coach=coach)
    room.url = url
    room.full_clean(exclude=["coach"])
    room.save()
    return room
