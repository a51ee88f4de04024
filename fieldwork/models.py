"""Fieldwork: commitments co-designed at a session, the practice logged against them, weekly reflections.

Confidential to the engagement's coach and leader. Sponsors see counts only (see `selectors.py`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone

from accounts.limits import (
    DATE_VALIDATORS,
    EARLIEST,
    LATEST,
    MOMENT_VALIDATORS,
    SHORT_TEXT,
    date_in_range,
    max_chars,
    moment_in_range,
    text_within,
)
from engagements.models import AgendaItem, Engagement, Goal, Session

MIN_TARGET = 1
MAX_TARGET = 50
LOG_EDIT_WINDOW = timedelta(hours=24)
REASON_MAX = 1000  # characters of a review reason

# A "not done" whose reason says no more than one of these, or says nothing, counts as forgotten.
_FORGETTING = re.compile(r"\b(forg[oe]t\w*|slipped my mind|didn'?t remember|no reason|no time|n/?a|none|busy)\b", re.I)
MIN_REASON_WORDS = 3


def is_forgotten(outcome: str, reason: str) -> bool:
    """Whether a review outcome counts as forgotten: "not done" with no substantive reason.

    A substantive reason names what got in the way in at least three words ("the VP cancelled both
    one-on-ones"); an empty reason, a word or two, or "forgot" / "no time" / "busy" is not one.
    """
    if outcome != Commitment.Outcome.NOT_DONE:
        return False
    words = re.findall(r"[^\W\d_]{2,}", reason or "")
    if len(words) < MIN_REASON_WORDS:
        return True
    return bool(_FORGETTING.search(reason)) and len(words) < 2 * MIN_REASON_WORDS


class TemplateQuerySet(models.QuerySet["FieldworkTemplate"]):
    def owned_by(self, user) -> TemplateQuerySet:
        """A coach's own library. Nobody sees another coach's templates."""
        if not user.is_authenticated or not user.is_coach:
            return self.none()
        return self.filter(coach=user)


class FieldworkTemplate(models.Model):
    """A piece of fieldwork a coach reuses across engagements: "pause before answering"."""

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fieldwork_templates")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)])
    goal_theme = models.CharField(
        max_length=100, blank=True, help_text="The kind of goal this practice usually serves, e.g. composure."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="fieldwork_template_title_not_empty"),
            models.UniqueConstraint(fields=["coach", "title"], name="fieldwork_template_title_unique_per_coach"),
            text_within("description", SHORT_TEXT, name="fieldwork_template_description_length"),
        ]

    def __str__(self) -> str:
        return self.title


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def visible_to(self, user) -> CommitmentQuerySet:
        """Commitments of engagements the person coaches or leads. Sponsors and other coaches: none."""
        return self.filter(engagement__in=Engagement.objects.worked_by(user))

    def active(self) -> CommitmentQuerySet:
        """Not yet reviewed, in an engagement that still runs."""
        return self.filter(outcome=Commitment.Outcome.OPEN).exclude(
            engagement__status__in=[Engagement.Status.COMPLETED, Engagement.Status.ENDED_EARLY]
        )


class Commitment(models.Model):
    """Practice the leader agreed to do at work before the next session, co-designed at `session`."""

    class Outcome(models.TextChoices):
        OPEN = "open", "Not reviewed yet"
        DONE = "done", "Done"
        PARTLY = "partly", "Partly done"
        NOT_DONE = "not_done", "Not done"

    REVIEW_OUTCOMES = (Outcome.DONE, Outcome.PARTLY, Outcome.NOT_DONE)

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="commitments")
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="commitments", help_text="Where it was co-designed."
    )
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments")
    template = models.ForeignKey(
        FieldworkTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField("what to practise", max_length=300)
    where_with_whom = models.CharField("where or with whom", max_length=200, blank=True)
    target_count = models.PositiveSmallIntegerField("attempts before the next session", default=3)
    due_at_next_session = models.BooleanField(default=True)
    due_date = models.DateField(null=True, blank=True, validators=DATE_VALIDATORS)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    review_reason = models.TextField(blank=True, max_length=REASON_MAX, validators=[max_chars(REASON_MAX)])
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_in_session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_commitments"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    forgotten = models.BooleanField(default=False, help_text="Not done without a substantive reason.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="commitment_text_not_empty"),
            models.CheckConstraint(
                condition=Q(target_count__gte=MIN_TARGET, target_count__lte=MAX_TARGET), name="commitment_target_1_50"
            ),
            models.CheckConstraint(
                condition=Q(due_at_next_session=True, due_date__isnull=True)
                | Q(due_at_next_session=False, due_date__isnull=False),
                name="commitment_due_next_session_or_date",
            ),
            models.CheckConstraint(
                condition=Q(outcome="open", reviewed_at__isnull=True)
                | (~Q(outcome="open") & Q(reviewed_at__isnull=False)),
                name="commitment_reviewed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(forgotten=False) | Q(outcome="not_done"), name="commitment_forgotten_is_not_done"
            ),
            date_in_range("due_date", name="commitment_due_date_2000_2100"),
            text_within("review_reason", REASON_MAX, name="commitment_review_reason_length"),
        ]
        indexes = [models.Index(fields=["engagement", "outcome"])]

    def __str__(self) -> str:
        return self.text

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    @property
    def due_label(self) -> str:
        return "next session" if self.due_at_next_session else formats.date_format(self.due_date, "DATE_MEDIUM")

    def progress_percent(self, logged: int) -> int:
        return min(100, round(100 * logged / self.target_count)) if self.target_count else 0


class PracticeLog(models.Model):
    """One attempt at a commitment, logged by the leader right after it happened (or why it could not)."""

    class Kind(models.TextChoices):
        PRACTISED = "practised", "Practised"
        COULD_NOT = "could_not", "Could not do it"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="logs")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_logs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PRACTISED)
    occurred_at = models.DateTimeField("when", validators=MOMENT_VALIDATORS)
    note = models.CharField(max_length=300, blank=True, help_text="The one-line log, or why it could not be done.")
    what_tried = models.TextField("what I tried", blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)])
    went_well = models.TextField(
        "what went well", blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)]
    )
    went_badly = models.TextField(
        "what did not go well", blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)]
    )
    noticed_in_myself = models.TextField(
        "what I noticed in myself", blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)]
    )
    others_reacted = models.TextField(
        "how others reacted", blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)]
    )
    will_adjust = models.TextField(
        "what I will adjust", blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    FULL_FIELDS = ("what_tried", "went_well", "went_badly", "noticed_in_myself", "others_reacted", "will_adjust")

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="could_not") & ~Q(note=""))
                | (Q(kind="practised") & (~Q(note="") | ~Q(what_tried=""))),
                name="practice_log_says_something",
            ),
            moment_in_range("occurred_at", name="practice_log_occurred_2000_2100"),
            *(
                text_within(name, SHORT_TEXT, name=f"practice_log_{name}_length")
                for name in (
                    "what_tried",
                    "went_well",
                    "went_badly",
                    "noticed_in_myself",
                    "others_reacted",
                    "will_adjust",
                )
            ),
        ]
        indexes = [models.Index(fields=["commitment", "kind"]), models.Index(fields=["occurred_at"])]

    def __str__(self) -> str:
        return self.note or self.what_tried[:80]

    def editable_until(self) -> datetime:
        return self.created_at + LOG_EDIT_WINDOW

    def is_editable(self, now: datetime | None = None) -> bool:
        """The author may edit a log for 24 hours after writing it; then it is read-only."""
        return (now or timezone.now()) < self.editable_until()

    @property
    def is_full(self) -> bool:
        return any(getattr(self, name) for name in self.FULL_FIELDS)

    def full_answers(self) -> list[tuple[str, str]]:
        """(label, text) for each filled field of the full form, in the form's order."""
        answers = []
        for name in self.FULL_FIELDS:
            if getattr(self, name):
                label = str(self._meta.get_field(name).verbose_name)
                answers.append((label[:1].upper() + label[1:], getattr(self, name)))
        return answers


def iso_week_of(moment: datetime, tz) -> tuple[int, int]:
    """(ISO year, ISO week) of `moment` on the calendar of time zone `tz`."""
    year, week, _ = moment.astimezone(tz).isocalendar()
    return year, week


class WeeklyReflection(models.Model):
    """The leader's weekly review: wins, struggles, a self-rating per goal, topics for the next session.

    One per leader, engagement and ISO week of the leader's own calendar.
    """

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="reflections")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    wins = models.TextField(blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)])
    struggles = models.TextField(blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)])
    topics = models.TextField(
        blank=True,
        help_text="Topics for the next session, one per line.",
        max_length=SHORT_TEXT,
        validators=[max_chars(SHORT_TEXT)],
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-iso_year", "-iso_week"]
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "engagement", "iso_year", "iso_week"], name="one_reflection_per_leader_week"
            ),
            models.CheckConstraint(condition=Q(iso_week__gte=1, iso_week__lte=53), name="reflection_iso_week_1_53"),
            models.CheckConstraint(
                condition=Q(iso_year__gte=EARLIEST.year, iso_year__lte=LATEST.year),
                name="reflection_iso_year_2000_2100",
            ),
            *(
                text_within(name, SHORT_TEXT, name=f"reflection_{name}_length")
                for name in ("wins", "struggles", "topics")
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection {self.week_key}"

    @property
    def week_key(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"

    @property
    def week_start(self) -> date:
        return date.fromisocalendar(self.iso_year, self.iso_week, 1)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def topic_list(self) -> list[str]:
        return [line for line in self.topics.splitlines() if line.strip()]


class SelfRating(models.Model):
    """How the leader rates their own progress on one goal in one week, 1 to 10."""

    reflection = models.ForeignKey(WeeklyReflection, on_delete=models.CASCADE, related_name="ratings")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="self_ratings")
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["goal__position", "goal_id"]
        constraints = [
            models.UniqueConstraint(fields=["reflection", "goal"], name="one_self_rating_per_goal"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=10), name="self_rating_1_10"),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.score}"


class ReflectionTopic(models.Model):
    """A topic from a weekly reflection and the agenda item it became (once a session was booked).

    `session` is set once the topic was placed on an agenda: editing the reflection never places it
    twice, and a topic the coach removed from the agenda is not put back.
    """

    reflection = models.ForeignKey(WeeklyReflection, on_delete=models.CASCADE, related_name="topic_rows")
    text = models.CharField(max_length=500)
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agenda_item = models.OneToOneField(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="reflection_topic"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["reflection", "text"], name="reflection_topic_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="reflection_topic_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text
