"""What the outbox owes about sessions: reminders, agenda prompts, no-show follow-ups, "no next session".

Registered from `EngagementsConfig.ready()`. Each source's rows are filtered in SQL and read in
chunks, and each row's message is worked out on its own (`spec_for`), so one bad row is skipped and
counted without silencing the others. Each builder reads the rows again at send time and skips a
message whose reason has gone (the session was cancelled or moved, the engagement was paused, a next
session was booked).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import User
from notifications.models import Kind, Notification
from notifications.registry import DueSpec, Message, Skip, Source, register

from .calendar import session_attachment
from .invitations import session_link_for
from .models import AgendaItem, Engagement, Session

REMINDER_LEAD = timedelta(hours=24)
AGENDA_PROMPT_LEAD = timedelta(hours=48)
NO_NEXT_SESSION_AFTER = timedelta(days=7)
# How late a coach's nudge may still go out after its moment (the tick was down, say): later is noise.
COACH_NUDGE_CATCH_UP = timedelta(days=3)
CHUNK = 500

# Sessions of a draft, active or paused engagement still happen if they are on the calendar.
OPEN_STATUSES = [Engagement.Status.DRAFT, Engagement.Status.ACTIVE, Engagement.Status.PAUSED]

PEOPLE = (
    "engagement__coach_id",
    "engagement__coach__email",
    "engagement__coach__time_zone",
    "engagement__leader_id",
    "engagement__leader__email",
    "engagement__leader__time_zone",
)


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%MZ}"


def _session_for(notification: Notification) -> Session:
    """The session a notification is about, with engagement, coach, leader and agenda (two queries)."""
    session = (
        Session.objects.select_related(
            "engagement", "engagement__coach", "engagement__coach__meeting_room", "engagement__leader"
        )
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("created_at", "pk")))
        .filter(pk=notification.context.get("session_id"))
        .first()
    )
    if session is None:
        raise Skip("The session no longer exists.")
    return session


def _still_on(session: Session, notification: Notification) -> None:
    """Skips unless the session is still scheduled, in the future, at the time the message was recorded for."""
    if session.status != Session.Status.SCHEDULED:
        raise Skip(f"The session is {session.get_status_display().lower()}.")
    if _stamp(session.starts_at) != notification.context.get("starts"):
        raise Skip("The session was moved; a message for the new time is recorded separately.")
    if session.engagement.is_finished:
        raise Skip("The engagement has ended.")


# --- Session reminder: 24 hours before, to the leader and the coach (and the sponsors of a three-way
# meeting), with a calendar file ------------------------------------------------------------------


def _active_sponsors(session_id: int) -> list[tuple]:
    """(id, e-mail, time zone) of the active sponsors of a session's engagement (one query)."""
    return list(
        User.objects.filter(sponsored_engagements__sessions=session_id, is_active=True)
        .order_by("pk")
        .values_list("pk", "email", "time_zone")
    )


def session_reminder_rows(now: datetime) -> Iterator[tuple]:
    return (
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_LEAD,
            engagement__status__in=OPEN_STATUSES,
        )
        .order_by("pk")
        .values_list("pk", "starts_at", "engagement_id", "engagement__awaiting_leader", "kind", *PEOPLE)
        .iterator(chunk_size=CHUNK)
    )


def session_reminder_specs(row: tuple, now: datetime) -> Iterator[DueSpec]:
    (
        pk,
        starts_at,
        engagement_id,
        awaiting_leader,
        kind,
        coach_id,
        coach_email,
        coach_tz,
        leader_id,
        leader_email,
        leader_tz,
    ) = row
    stamp = _stamp(starts_at)
    people = [(coach_id, coach_email, coach_tz)]
    if not awaiting_leader:  # a leader who has not accepted the engagement hears nothing of it yet
        people.insert(0, (leader_id, leader_email, leader_tz))
    if kind == Session.Kind.THREE_WAY:
        people += _active_sponsors(pk)
    for user_id, email, tz in people:
        yield DueSpec(
            kind=Kind.SESSION_REMINDER,
            period_key=f"session:{pk}:{stamp}",
            due_at=starts_at - REMINDER_LEAD,
            recipient_id=user_id,
            recipient_email=email,
            time_zone=tz,
            engagement_id=engagement_id,
            context={"session_id": pk, "starts": stamp},
        )


def find_session_reminders(now: datetime) -> Iterator[DueSpec]:
    return SESSION_REMINDERS.find_due(now)


def _role_of(session: Session, notification: Notification) -> str:
    """coach, leader or sponsor; a sponsor only of a three-way meeting, else the message is skipped."""
    engagement = session.engagement
    if notification.recipient_id == engagement.coach_id:
        return "coach"
    if notification.recipient_id == engagement.leader_id:
        return "leader"
    if session.kind == Session.Kind.THREE_WAY and engagement.sponsors.filter(pk=notification.recipient_id).exists():
        return "sponsor"
    raise Skip("The recipient no longer takes part in this session.")


def build_session_reminder(notification: Notification) -> Message:
    """Time, place and video link, with the calendar file; never the agenda (e-mail is often shared)."""
    session = _session_for(notification)
    _still_on(session, notification)
    role = _role_of(session, notification)
    return Message(
        template="session-reminder",
        context={
            "session": session,
            "engagement": session.engagement,
            "role": role,
            "to_leader": role == "leader",
            "to_sponsor": role == "sponsor",
            "meeting_url": session.meeting_url,
        },
        link=session_link_for(session, notification.recipient_id),
        attachments=[session_attachment(session)],
    )


# --- Agenda prompt: two days before, to the leader (and the sponsors of a three-way meeting) -------


def agenda_prompt_rows(now: datetime) -> Iterator[tuple]:
    # Due two days before; a session booked later than that but more than a day ahead is prompted at
    # once, and one closer than a day gets the reminder (which links to the agenda) instead.
    return (
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            starts_at__gt=now + REMINDER_LEAD,
            starts_at__lte=now + AGENDA_PROMPT_LEAD,
            engagement__status__in=OPEN_STATUSES,
            engagement__awaiting_leader=False,
        )
        .order_by("pk")
        .values_list(
            "pk",
            "starts_at",
            "engagement_id",
            "engagement__leader_id",
            "engagement__leader__email",
            "engagement__leader__time_zone",
            "kind",
        )
        .iterator(chunk_size=CHUNK)
    )


def agenda_prompt_spec(row: tuple, now: datetime) -> list[DueSpec]:
    pk, starts_at, engagement_id, leader_id, email, tz, kind = row
    stamp = _stamp(starts_at)
    people = [(leader_id, email, tz)]
    if kind == Session.Kind.THREE_WAY:
        people += _active_sponsors(pk)
    return [
        DueSpec(
            kind=Kind.AGENDA_PROMPT,
            period_key=f"agenda:{pk}:{stamp}",
            due_at=starts_at - AGENDA_PROMPT_LEAD,
            recipient_id=user_id,
            recipient_email=address,
            time_zone=zone,
            engagement_id=engagement_id,
            context={"session_id": pk, "starts": stamp},
        )
        for user_id, address, zone in people
    ]


def find_agenda_prompts(now: datetime) -> Iterator[DueSpec]:
    return AGENDA_PROMPTS.find_due(now)


def build_agenda_prompt(notification: Notification) -> Message:
    """The leader sees every topic and is asked to add theirs; a sponsor of a three-way meeting sees only
    the topics written for that meeting (or shared with them) and is asked to come with their own."""
    session = _session_for(notification)
    _still_on(session, notification)
    role = _role_of(session, notification)
    items = session.agenda_items.all()
    if role == "sponsor":
        agenda = [item.text for item in items if item.sponsor_sees]
        link = session_link_for(session, notification.recipient_id)
    else:
        agenda = [item.text for item in items]
        link = reverse("engagements:session", args=[session.pk]) + "#agenda-h"
    return Message(
        template="agenda-prompt",
        context={"session": session, "engagement": session.engagement, "agenda": agenda, "role": role},
        link=link,
    )


# --- No-show follow-up: to the coach, once the no-show is recorded ------------------------------


def no_show_rows(now: datetime) -> Iterator[tuple]:
    return (
        Session.objects.filter(
            status=Session.Status.NO_SHOW,
            outcome_recorded_at__lte=now,
            outcome_recorded_at__gt=now - COACH_NUDGE_CATCH_UP,
            engagement__status__in=[Engagement.Status.ACTIVE, Engagement.Status.PAUSED],
        )
        .order_by("pk")
        .values_list(
            "pk",
            "outcome_recorded_at",
            "engagement_id",
            "engagement__coach_id",
            "engagement__coach__email",
            "engagement__coach__time_zone",
        )
        .iterator(chunk_size=CHUNK)
    )


def no_show_spec(row: tuple, now: datetime) -> DueSpec:
    pk, recorded_at, engagement_id, coach_id, email, tz = row
    return DueSpec(
        kind=Kind.NO_SHOW_FOLLOW_UP,
        period_key=f"no-show:{pk}",
        due_at=recorded_at,
        recipient_id=coach_id,
        recipient_email=email,
        time_zone=tz,
        engagement_id=engagement_id,
        context={"session_id": pk},
    )


def find_no_show_follow_ups(now: datetime) -> Iterator[DueSpec]:
    return NO_SHOW_FOLLOW_UPS.find_due(now)


def build_no_show_follow_up(notification: Notification) -> Message:
    session = _session_for(notification)
    if session.status != Session.Status.NO_SHOW:
        raise Skip("The session's outcome was changed.")
    engagement = session.engagement
    if engagement.is_finished:
        raise Skip("The engagement has ended.")
    no_shows = engagement.sessions.filter(status=Session.Status.NO_SHOW).count()
    next_session = engagement.sessions.upcoming().first()
    return Message(
        template="no-show-follow-up",
        context={"session": session, "engagement": engagement, "no_shows": no_shows, "next_session": next_session},
        link=reverse("engagements:detail", args=[engagement.pk]),
    )


# --- No next session booked: to the coach, 7 days after the last session --------------------------


def _last_session(now: datetime):
    return (
        Session.objects.filter(engagement=OuterRef("pk"), starts_at__lt=now)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("-starts_at", "-pk")
    )


def no_next_session_rows(now: datetime) -> Iterator[tuple]:
    last = _last_session(now)
    upcoming = Session.objects.filter(engagement=OuterRef("pk"), status=Session.Status.SCHEDULED, starts_at__gte=now)
    # An engagement whose last session lies in the window has a session in the window: starting from
    # those sessions (index on status and start) spares the tick a pass over every active engagement.
    in_window = Session.objects.filter(
        status__in=[s for s in Session.Status.values if s != Session.Status.CANCELLED],
        starts_at__lte=now - NO_NEXT_SESSION_AFTER,
        starts_at__gt=now - NO_NEXT_SESSION_AFTER - COACH_NUDGE_CATCH_UP,
    ).values("engagement_id")
    return (
        Engagement.objects.filter(status=Engagement.Status.ACTIVE, pk__in=in_window)
        .annotate(last_pk=Subquery(last.values("pk")[:1]), last_at=Subquery(last.values("starts_at")[:1]))
        .filter(
            last_at__lte=now - NO_NEXT_SESSION_AFTER,
            last_at__gt=now - NO_NEXT_SESSION_AFTER - COACH_NUDGE_CATCH_UP,
        )
        .exclude(Exists(upcoming))
        .order_by("pk")
        .values_list("pk", "last_pk", "last_at", "coach_id", "coach__email", "coach__time_zone")
        .iterator(chunk_size=CHUNK)
    )


def no_next_session_spec(row: tuple, now: datetime) -> DueSpec:
    pk, last_pk, last_at, coach_id, email, tz = row
    return DueSpec(
        kind=Kind.NO_NEXT_SESSION,
        period_key=f"no-next:{last_pk}",
        due_at=last_at + NO_NEXT_SESSION_AFTER,
        recipient_id=coach_id,
        recipient_email=email,
        time_zone=tz,
        engagement_id=pk,
        context={"engagement_id": pk, "last_session_id": last_pk},
    )


def find_no_next_session(now: datetime) -> Iterator[DueSpec]:
    return NO_NEXT_SESSION.find_due(now)


def build_no_next_session(notification: Notification) -> Message:
    engagement = (
        Engagement.objects.select_related("coach", "leader")
        .filter(pk=notification.context.get("engagement_id"))
        .first()
    )
    if engagement is None or engagement.status != Engagement.Status.ACTIVE:
        raise Skip("The engagement is no longer active.")
    if engagement.sessions.upcoming().exists():
        raise Skip("A next session has been booked.")
    last = engagement.sessions.filter(pk=notification.context.get("last_session_id")).first()
    if last is None:
        raise Skip("The last session no longer exists.")
    return Message(
        template="no-next-session",
        context={"engagement": engagement, "last_session": last},
        link=reverse("engagements:session_new", args=[engagement.pk]),
    )


def build_coach_changed(notification: Notification) -> Message:
    """To the leader and each sponsor when the practice hands the engagement to another coach."""
    engagement = (
        Engagement.objects.select_related("coach", "leader")
        .filter(pk=notification.context.get("engagement_id"))
        .first()
    )
    if engagement is None:
        raise Skip("The engagement no longer exists.")
    is_leader = notification.recipient_id == engagement.leader_id
    return Message(
        template="coach-changed",
        context={
            "engagement": engagement,
            "previous_coach": notification.context.get("previous_coach", ""),
            "is_leader": is_leader,
        },
        link=reverse("engagements:detail" if is_leader else "summary", args=[engagement.pk]),
    )


COACH_CHANGED = Source(
    kind=Kind.COACH_CHANGED,
    find_due=lambda now: (),  # recorded when the practice reassigns an engagement, never found by the tick
    build=build_coach_changed,
    applies_to=lambda user: False,  # not a preference: the leader and sponsors must know who coaches
    description=gettext_lazy("When the practice hands an engagement to another coach."),
)


# --- Registration ---------------------------------------------------------------------------------


def _leads(user) -> bool:
    return Engagement.objects.led_by(user).exists()


def _coaches(user) -> bool:
    return bool(getattr(user, "is_coach", False))


def _sponsors(user) -> bool:
    return Engagement.objects.sponsored_by(user).exists()


def _leads_or_coaches(user) -> bool:
    return _coaches(user) or _leads(user) or _sponsors(user)


def _leads_or_sponsors(user) -> bool:
    return _leads(user) or _sponsors(user)


SESSION_REMINDERS = Source(
    kind=Kind.SESSION_REMINDER,
    find_rows=session_reminder_rows,
    spec_for=session_reminder_specs,
    row_name="session",
    build=build_session_reminder,
    applies_to=_leads_or_coaches,
    description=gettext_lazy("A day before each session (for sponsors: each three-way meeting), with a calendar file."),
)
AGENDA_PROMPTS = Source(
    kind=Kind.AGENDA_PROMPT,
    find_rows=agenda_prompt_rows,
    spec_for=agenda_prompt_spec,
    row_name="session",
    build=build_agenda_prompt,
    applies_to=_leads_or_sponsors,
    description=gettext_lazy("Two days before a session (for sponsors: a three-way meeting): bring your topics."),
)
NO_SHOW_FOLLOW_UPS = Source(
    kind=Kind.NO_SHOW_FOLLOW_UP,
    find_rows=no_show_rows,
    spec_for=no_show_spec,
    row_name="session",
    build=build_no_show_follow_up,
    applies_to=_coaches,
    description=gettext_lazy("When you record a no-show: follow up with the leader."),
)
NO_NEXT_SESSION = Source(
    kind=Kind.NO_NEXT_SESSION,
    find_rows=no_next_session_rows,
    spec_for=no_next_session_spec,
    row_name="engagement",
    build=build_no_next_session,
    applies_to=_coaches,
    description=gettext_lazy("A week after the last session of an active engagement when none is booked."),
)


def register_sources() -> None:
    for source in (SESSION_REMINDERS, AGENDA_PROMPTS, NO_SHOW_FOLLOW_UPS, NO_NEXT_SESSION, COACH_CHANGED):
        register(source)
