"""Writes for fieldwork: the coach's template library, commitments, practice logs, reviews, reflections.

Views, the demo seeder and tests all go through these functions, so each rule is written once.
Every function raises `ValidationError` with a message meant for the person who typed the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.idempotency import idempotent
from accounts.limits import check_plausible
from accounts.models import User
from engagements.models import AgendaItem, Engagement, Goal, Session
from engagements.selectors import next_session
from engagements.services import agenda_item_add, agenda_item_delete

from .models import (
    MAX_TARGET,
    MIN_TARGET,
    Commitment,
    FieldworkTemplate,
    PracticeLog,
    ReflectionTopic,
    SelfRating,
    WeeklyReflection,
    is_forgotten,
    iso_week_of,
)

MAX_COMMITMENTS_PER_SESSION = 3
MAX_TOPICS = 5
CLOCK_SKEW = timedelta(minutes=5)
CODESIGN_STATUSES = (Session.Status.SCHEDULED, Session.Status.HELD)


# --- Template library ---------------------------------------------------------------------------


@idempotent(FieldworkTemplate, user="coach")
def template_save(
    *, coach: User, title: str, description: str = "", goal_theme: str = "", template: FieldworkTemplate | None = None
) -> FieldworkTemplate:
    """Creates or edits a template in the coach's own library."""
    if not coach.is_coach:
        raise PermissionDenied(gettext("Only coaches keep a fieldwork library."))
    if template is not None and template.coach_id != coach.pk:
        raise PermissionDenied(gettext("This template belongs to another coach."))
    template = template or FieldworkTemplate(coach=coach)
    template.title = " ".join(title.split())
    template.description = description.strip()
    template.goal_theme = " ".join(goal_theme.split())
    if not template.title:
        raise ValidationError({"title": gettext("Give the practice a short title.")})
    template.full_clean(validate_constraints=False)
    if FieldworkTemplate.objects.filter(coach=coach, title__iexact=template.title).exclude(pk=template.pk).exists():
        raise ValidationError({"title": gettext("Your library already has a template with this title.")})
    template.save()
    return template


def template_delete(*, template: FieldworkTemplate, coach: User) -> None:
    """Removes a template; commitments started from it keep their own text."""
    if template.coach_id != coach.pk:
        raise PermissionDenied(gettext("This template belongs to another coach."))
    template.delete()


# --- Commitments --------------------------------------------------------------------------------


def _require_team_member(user: User, engagement: Engagement) -> None:
    if user.pk not in (engagement.coach_id, engagement.leader_id):
        raise PermissionDenied(gettext("Only the coach and the leader shape this engagement's fieldwork."))


def _clean_commitment_fields(
    *,
    engagement: Engagement,
    goal: Goal | None,
    text: str,
    where_with_whom: str,
    target_count: int | None,
    due_date: date | None,
    today: date,
    has_goals: bool,
) -> dict:
    errors: dict[str, str] = {}
    text = " ".join((text or "").split())
    if not text:
        errors["text"] = gettext("Say what the leader will practise, in a few words.")
    if target_count is None or not MIN_TARGET <= target_count <= MAX_TARGET:
        errors["target_count"] = gettext(
            "Choose a number of attempts from %(low)s to %(high)s before the next session."
        ) % {"low": MIN_TARGET, "high": MAX_TARGET}
    if goal is not None and goal.engagement_id != engagement.pk:
        errors["goal"] = gettext("Choose one of this engagement's goals.")
    elif goal is None and has_goals:
        errors["goal"] = gettext("Choose the goal this practice serves.")
    if due_date is not None and due_date < today:
        errors["due_date"] = gettext("Choose a due date from today onwards, or make it due at the next session.")
    else:
        try:
            check_plausible(due_date)
        except ValidationError as exc:
            errors["due_date"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return {
        "text": text,
        "where_with_whom": " ".join((where_with_whom or "").split()),
        "target_count": target_count,
        "goal": goal,
        "due_at_next_session": due_date is None,
        "due_date": due_date,
    }


@idempotent(Commitment, user="author")
@transaction.atomic
def commitment_create(
    *,
    session: Session,
    author: User,
    goal: Goal | None,
    text: str,
    target_count: int | None,
    where_with_whom: str = "",
    due_date: date | None = None,
    template: FieldworkTemplate | None = None,
) -> Commitment:
    """Records one commitment co-designed at `session`: one to three per session.

    `due_date=None` means due at the next session. The date is checked against the author's own
    calendar, so "today" is never in the past for someone in a later time zone.
    """
    engagement = session.engagement
    _require_team_member(author, engagement)
    if engagement.is_finished:
        raise ValidationError(gettext("This engagement has ended; reopen it to agree new fieldwork."))
    if session.status not in CODESIGN_STATUSES:
        raise ValidationError(gettext("Fieldwork is agreed at a session that was held or is about to be held."))
    if template is not None and template.coach_id != engagement.coach_id:
        raise ValidationError(gettext("Choose a template from the coach's own library."))
    # Lock the session row so two people adding at once cannot both take the third place.
    Session.objects.select_for_update().filter(pk=session.pk).first()
    if Commitment.objects.filter(session=session).count() >= MAX_COMMITMENTS_PER_SESSION:
        raise ValidationError(
            gettext("A session agrees one to %(most)s commitments. Edit or remove one to add another.")
            % {"most": MAX_COMMITMENTS_PER_SESSION}
        )
    fields = _clean_commitment_fields(
        engagement=engagement,
        goal=goal,
        text=text,
        where_with_whom=where_with_whom,
        target_count=target_count,
        due_date=due_date,
        today=timezone.localdate(timezone=author.tz),
        has_goals=engagement.goals.exists(),
    )
    commitment = Commitment(engagement=engagement, session=session, created_by=author, template=template, **fields)
    commitment.full_clean()
    commitment.save()
    return commitment


def commitment_update(
    *,
    commitment: Commitment,
    author: User,
    goal: Goal | None,
    text: str,
    target_count: int | None,
    where_with_whom: str = "",
    due_date: date | None = None,
) -> Commitment:
    """Edits a commitment that has not been reviewed yet. Logs already written stay attached to it."""
    engagement = commitment.engagement
    _require_team_member(author, engagement)
    if not commitment.is_open:
        raise ValidationError(gettext("This commitment has been reviewed; agree a new one instead."))
    today = timezone.localdate(timezone=author.tz)
    # A date already agreed may stay as it is even once it has passed.
    floor = min(today, commitment.due_date) if commitment.due_date else today
    fields = _clean_commitment_fields(
        engagement=engagement,
        goal=goal,
        text=text,
        where_with_whom=where_with_whom,
        target_count=target_count,
        due_date=due_date,
        today=floor,
        has_goals=engagement.goals.exists(),
    )
    for name, value in fields.items():
        setattr(commitment, name, value)
    commitment.full_clean()
    commitment.save()
    return commitment


def commitment_delete(*, commitment: Commitment, user: User) -> None:
    """Removes a commitment agreed by mistake. One with logged practice or a review stays."""
    _require_team_member(user, commitment.engagement)
    if not commitment.is_open:
        raise ValidationError(gettext("A reviewed commitment is part of the engagement's history and stays."))
    if commitment.logs.exists():
        raise ValidationError(
            gettext("Practice has been logged against this commitment, so it stays. Edit it instead.")
        )
    commitment.delete()


# --- Practice logs ------------------------------------------------------------------------------

_LOG_TEXT_FIELDS = ("what_tried", "went_well", "went_badly", "noticed_in_myself", "others_reacted", "will_adjust")


def _clean_log_fields(
    *, commitment: Commitment, kind: str, occurred_at: datetime | None, note: str, now: datetime, **texts: str
) -> dict:
    errors: dict[str, str] = {}
    note = " ".join((note or "").split())
    texts = {name: (texts.get(name) or "").strip() for name in _LOG_TEXT_FIELDS}
    if kind not in PracticeLog.Kind.values:
        errors["kind"] = gettext("Choose whether you practised or could not.")
    elif kind == PracticeLog.Kind.COULD_NOT:
        texts = dict.fromkeys(_LOG_TEXT_FIELDS, "")
        if not note:
            errors["note"] = gettext("Say in a line what got in the way. It helps you and your coach plan.")
    elif not note and not texts["what_tried"]:
        errors["note" if not any(texts.values()) else "what_tried"] = gettext("Write a line about what you tried.")
    if occurred_at is None:
        errors["occurred_at"] = gettext("Say when it happened.")
    elif timezone.is_naive(occurred_at):
        errors["occurred_at"] = gettext("The time needs a time zone.")
    elif occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = gettext("That time is in the future. Log practice once it has happened.")
    elif occurred_at < commitment.session.starts_at:
        local = timezone.localtime(commitment.session.starts_at)
        errors["occurred_at"] = gettext("Choose a time after the session where you agreed this (%(day)s).") % {
            "day": date_format(local, "DATE_MEDIUM")
        }
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "occurred_at": occurred_at, "note": note, **texts}


@idempotent(PracticeLog, user="author")
def practice_log(
    *,
    commitment: Commitment,
    author: User,
    kind: str = PracticeLog.Kind.PRACTISED,
    occurred_at: datetime | None = None,
    note: str = "",
    what_tried: str = "",
    went_well: str = "",
    went_badly: str = "",
    noticed_in_myself: str = "",
    others_reacted: str = "",
    will_adjust: str = "",
    now: datetime | None = None,
) -> PracticeLog:
    """Logs one attempt (or that it could not be done) on the leader's own, not yet reviewed commitment.

    Quick mode fills `note` only; the full form fills the other texts. `occurred_at` defaults to now.
    """
    now = now or timezone.now()
    engagement = commitment.engagement
    if author.pk != engagement.leader_id:
        raise ValidationError(gettext("You can log practice only on your own commitments."))
    if engagement.is_finished:
        raise ValidationError(gettext("This engagement has ended, so its fieldwork is closed."))
    if not commitment.is_open:
        raise ValidationError(gettext("This commitment has been reviewed with your coach; logging on it is closed."))
    fields = _clean_log_fields(
        commitment=commitment,
        kind=kind,
        occurred_at=occurred_at or now,
        note=note,
        now=now,
        what_tried=what_tried,
        went_well=went_well,
        went_badly=went_badly,
        noticed_in_myself=noticed_in_myself,
        others_reacted=others_reacted,
        will_adjust=will_adjust,
    )
    log = PracticeLog(commitment=commitment, author=author, created_at=now, **fields)
    log.full_clean()
    log.save()
    return log


def practice_log_update(
    *,
    log: PracticeLog,
    author: User,
    kind: str,
    occurred_at: datetime | None,
    note: str = "",
    what_tried: str = "",
    went_well: str = "",
    went_badly: str = "",
    noticed_in_myself: str = "",
    others_reacted: str = "",
    will_adjust: str = "",
    now: datetime | None = None,
) -> PracticeLog:
    """Edits a log: its author only, within 24 hours of writing it."""
    now = now or timezone.now()
    if log.author_id != author.pk:
        raise ValidationError(gettext("Only the person who wrote a log can change it."))
    if not log.is_editable(now):
        raise ValidationError(
            gettext("A log can be edited for 24 hours after it was written; this one is now read-only.")
        )
    fields = _clean_log_fields(
        commitment=log.commitment,
        kind=kind,
        occurred_at=occurred_at,
        note=note,
        now=now,
        what_tried=what_tried,
        went_well=went_well,
        went_badly=went_badly,
        noticed_in_myself=noticed_in_myself,
        others_reacted=others_reacted,
        will_adjust=will_adjust,
    )
    for name, value in fields.items():
        setattr(log, name, value)
    log.full_clean()
    log.save()
    return log


# --- Review -------------------------------------------------------------------------------------

NEEDS_ATTENTION_AT = 2


@dataclass
class ReviewResult:
    commitment: Commitment
    forgotten_count: int

    @property
    def needs_attention(self) -> bool:
        return self.forgotten_count >= NEEDS_ATTENTION_AT

    @property
    def raised_attention(self) -> bool:
        """This review is the one that made the engagement need attention."""
        return self.commitment.forgotten and self.forgotten_count == NEEDS_ATTENTION_AT


@transaction.atomic
def commitment_review(
    *, commitment: Commitment, session: Session, reviewer: User, outcome: str, reason: str = ""
) -> ReviewResult:
    """The coach reviews a commitment at a later session: done, partly or not done, and why.

    Only the engagement's coach may record an outcome (`fieldwork.review_commitment`): the completion
    rate the sponsor sees is made of these reviews, so the leader cannot mark their own work done.

    "Not done" without a substantive reason is stored as forgotten; the second forgotten commitment
    of an engagement makes it need the coach's attention (`ReviewResult.needs_attention`). A review
    can be changed; the flag follows the latest answer.
    """
    engagement = commitment.engagement
    if not reviewer.has_perm("fieldwork.review_commitment", engagement):
        raise PermissionDenied(gettext("The coach records a review outcome, at the review with the leader."))
    errors: dict[str, str] = {}
    if outcome not in Commitment.REVIEW_OUTCOMES:
        errors["outcome"] = gettext("Choose done, partly or not done.")
    reason = (reason or "").strip()
    if len(reason) > 1000:
        errors["reason"] = gettext("Keep the reason under 1,000 characters.")
    if errors:
        raise ValidationError(errors)
    if session.engagement_id != engagement.pk:
        raise ValidationError(gettext("Review a commitment at a session of its own engagement."))
    if session.status not in CODESIGN_STATUSES:
        raise ValidationError(gettext("Review commitments at a session that was held or is about to be held."))
    if session.starts_at <= commitment.session.starts_at:
        raise ValidationError(gettext("A commitment is reviewed at a session after the one where it was agreed."))
    commitment.outcome = outcome
    commitment.review_reason = reason
    commitment.forgotten = is_forgotten(outcome, reason)
    commitment.reviewed_at = timezone.now()
    commitment.reviewed_in_session = session
    commitment.reviewed_by = reviewer
    commitment.full_clean()
    commitment.save()
    count = Commitment.objects.filter(engagement=engagement, forgotten=True).count()
    return ReviewResult(commitment=commitment, forgotten_count=count)


# --- Weekly reflection --------------------------------------------------------------------------


@dataclass
class ReflectionResult:
    reflection: WeeklyReflection
    created: bool
    topics_placed: list[str]
    topics_waiting: list[str]
    session: Session | None


def split_topics(raw: str | list[str]) -> list[str]:
    """One topic per line (or list item), whitespace collapsed, duplicates dropped (ignoring case)."""
    lines = raw.splitlines() if isinstance(raw, str) else list(raw)
    seen: set[str] = set()
    topics = []
    for line in lines:
        text = " ".join(line.split()).lstrip("-•* ").strip()
        if text and text.lower() not in seen:
            seen.add(text.lower())
            topics.append(text)
    return topics


def _clean_ratings(engagement: Engagement, ratings: dict[int, int | None]) -> dict[int, int]:
    goal_ids = set(engagement.goals.values_list("pk", flat=True))
    cleaned: dict[int, int] = {}
    errors: dict[str, str] = {}
    for goal_id, score in ratings.items():
        if goal_id not in goal_ids:
            errors["__all__"] = gettext("Rate only the goals of your own engagement.")
        elif score is None or score == "":
            continue
        elif not isinstance(score, int) or not 1 <= score <= 10:
            errors[f"goal_{goal_id}"] = gettext("Rate from 1 to 10.")
        else:
            cleaned[goal_id] = score
    if errors:
        raise ValidationError(errors)
    return cleaned


def _place_topics(
    *, reflection: WeeklyReflection, leader: User, topics: list[str]
) -> tuple[list[str], list[str], Session | None]:
    """Keeps the reflection's topics in step with the next session's agenda, never twice.

    New topics become agenda items of the next scheduled session; topics removed from the reflection
    leave that agenda while the session is still to come; topics written while no session was booked
    wait and are placed on a later save.
    """
    rows = {row.text.lower(): row for row in reflection.topic_rows.select_related("agenda_item", "session")}
    wanted = {t.lower(): t for t in topics}
    for key, row in rows.items():
        if key not in wanted:
            item = row.agenda_item
            if item is not None and row.session and row.session.status == Session.Status.SCHEDULED:
                agenda_item_delete(item=item, user=leader)
            row.delete()
    session = next_session(engagement=reflection.engagement)
    placed, waiting = [], []
    for key, text in wanted.items():
        row = rows.get(key) or ReflectionTopic.objects.create(reflection=reflection, text=text)
        if row.session_id is not None:
            continue
        if session is None:
            waiting.append(text)
            continue
        row.agenda_item = agenda_item_add(
            session=session, author=leader, text=text, source=AgendaItem.Source.REFLECTION
        )
        row.session = session
        row.save(update_fields=["agenda_item", "session"])
        placed.append(text)
    return placed, waiting, session


@idempotent(
    WeeklyReflection,
    user="leader",
    row=lambda result: result.reflection,
    replay=lambda row: ReflectionResult(row, False, [], [], None),
)
def reflection_save(
    *,
    leader: User,
    engagement: Engagement,
    wins: str = "",
    struggles: str = "",
    topics: str | list[str] = "",
    ratings: dict[int, int | None] | None = None,
    now: datetime | None = None,
) -> ReflectionResult:
    """Creates or edits the leader's reflection for the current ISO week of their own calendar.

    A second save in the same week edits the same reflection. `ratings` maps goal ids to a score
    from 1 to 10 (None clears a rating). Topics become agenda items of the next scheduled session.
    """
    now = now or timezone.now()
    if engagement.leader_id != leader.pk:
        raise PermissionDenied(gettext("Only the leader writes their weekly reflection."))
    if engagement.is_finished:
        raise ValidationError(gettext("This engagement has ended, so its reflections are closed."))
    wins, struggles = wins.strip(), struggles.strip()
    topic_list = split_topics(topics)
    errors: dict[str, str] = {}
    if len(topic_list) > MAX_TOPICS:
        errors["topics"] = gettext("Bring at most %(most)s topics; keep the most important ones.") % {
            "most": MAX_TOPICS
        }
    elif any(len(t) > 500 for t in topic_list):
        errors["topics"] = gettext("Keep each topic under 500 characters.")
    if errors:
        raise ValidationError(errors)
    scores = _clean_ratings(engagement, ratings or {})
    if not (wins or struggles or topic_list or scores):
        raise ValidationError(gettext("Write at least a win, a struggle, a rating or a topic for your next session."))
    iso_year, iso_week = iso_week_of(now, leader.tz)
    with transaction.atomic():
        key = {"leader": leader, "engagement": engagement, "iso_year": iso_year, "iso_week": iso_week}
        try:
            with transaction.atomic():
                reflection, created = WeeklyReflection.objects.get_or_create(**key, defaults={"created_at": now})
        except IntegrityError:  # another request created this week's reflection a moment ago
            created = False
        reflection = WeeklyReflection.objects.select_for_update().get(**key)
        reflection.wins = wins
        reflection.struggles = struggles
        reflection.topics = "\n".join(topic_list)
        reflection.full_clean(validate_constraints=False)
        reflection.save()
        reflection.ratings.exclude(goal_id__in=scores).delete()
        existing = {r.goal_id: r for r in reflection.ratings.all()}
        for goal_id, score in scores.items():
            rating = existing.get(goal_id) or SelfRating(reflection=reflection, goal_id=goal_id)
            if rating.score != score:
                rating.score = score
                rating.save()
        placed, waiting, session = _place_topics(reflection=reflection, leader=leader, topics=topic_list)
    return ReflectionResult(reflection, created, placed, waiting, session)
