"""Stakeholder feedback: the roster, feedback rounds, one private request per stakeholder, and answers.

Anonymity is kept by what leaves the database, not by what is stored: a response is tied to its
request (so a link works once), but no page, e-mail or selector ever shows a response next to the
person who gave it. Results are aggregates per rater group, computed in `selectors.py`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.languages import default_language, supported
from accounts.limits import DATE_VALIDATORS, date_in_range, max_chars, text_within
from accounts.models import validate_language
from engagements.models import Engagement, Goal

SCORE_MIN, SCORE_MAX = -3, 3
TEXT_MAX = 2000  # characters of one free-text answer


def normalise_email(address: str) -> str:
    """The form of an address used to compare two: case-insensitive, without a `+tag` in the local part.

    `Pat.Lee+feedback@Acme.example` and `pat.lee@acme.example` reach the same mailbox, so they are one
    person on a roster, and the leader's or the coach's own address with a tag is still theirs. The
    address itself is stored as it was typed.
    """
    address = (address or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local.split('+', 1)[0]}@{domain}"


class Relationship(models.TextChoices):
    """Rater groups. The manager's answers always form their own group."""

    MANAGER = "manager", _("Manager")
    PEER = "peer", _("Peer")
    DIRECT_REPORT = "direct_report", _("Direct report")
    OTHER = "other", _("Other")

    @classmethod
    def plural(cls, value: str) -> str:
        return {
            "manager": gettext("Managers"),
            "peer": gettext("Peers"),
            "direct_report": gettext("Direct reports"),
            "other": gettext("Others"),
        }[value]


class StakeholderQuerySet(models.QuerySet["Stakeholder"]):
    def visible_to(self, user) -> StakeholderQuerySet:
        """Stakeholders of engagements whose work this person sees: the coach and the leader."""
        return self.filter(engagement__in=Engagement.objects.worked_by(user))

    def active(self) -> StakeholderQuerySet:
        return self.filter(status=Stakeholder.Status.APPROVED)


class Stakeholder(models.Model):
    """Someone who works with the leader and is asked, now and then, whether the change is visible."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Waiting for approval")
        APPROVED = "approved", _("Active")
        INACTIVE = "inactive", _("Inactive")

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=150)
    email = models.EmailField("e-mail address")
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    # The language of their e-mails and answer pages, chosen by whoever added them (no account, no
    # preferences page). Blank: the leader's language.
    language = models.CharField(max_length=16, blank=True, default="", validators=[validate_language])
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="stakeholders", help_text="The goals this person can observe."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NOMINATED)
    email_key = models.CharField(
        max_length=254, editable=False, help_text="The address normalised for comparison (see normalise_email)."
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last change of address, shown on the roster to the coach and the leader alike.
    email_changed_at = models.DateTimeField(null=True, blank=True)
    email_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email_change_sent_link = models.BooleanField(
        default=False, help_text="The change revoked an unanswered link and sent a new one to the new address."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StakeholderQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "email_key"],
                name="stakeholder_email_key_unique_per_engagement",
                violation_error_message=_("This e-mail address is already on the roster of this engagement."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="stakeholder_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display().lower()})"

    def save(self, *args, **kwargs) -> None:
        # The comparison key always follows the address, whoever saves the row.
        self.email_key = normalise_email(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.email_key = normalise_email(self.email)

    @property
    def reading_language(self) -> str:
        """The language of this person's e-mails and answer pages: see `reading_language`."""
        return reading_language(stakeholder=self, engagement=self.engagement)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.APPROVED


def reading_language(*, stakeholder: Stakeholder, engagement: Engagement) -> str:
    """The one chosen for the stakeholder, else the leader's own, else the coach's practice default,
    else English. Reads only rows a request's usual `select_related` has loaded (leader, coach, practice)."""
    coach = engagement.coach
    practice_language = coach.practice.language if coach.practice_id else ""
    return (
        supported(stakeholder.language)
        or supported(engagement.leader.language)
        or supported(practice_language)
        or default_language()
    )


class FeedbackRoundQuerySet(models.QuerySet["FeedbackRound"]):
    def visible_to(self, user) -> FeedbackRoundQuerySet:
        """Rounds of engagements whose work this person sees: the coach and the leader."""
        return self.filter(engagement__in=Engagement.objects.worked_by(user))

    def managed_by(self, user) -> FeedbackRoundQuerySet:
        return self.filter(engagement__in=Engagement.objects.coached_by(user))

    def opened(self) -> FeedbackRoundQuerySet:
        return self.filter(opened_at__isnull=False)


class FeedbackRound(models.Model):
    """One mini-survey: every active stakeholder of the engagement is asked once, between two dates."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", pgettext_lazy("kind of feedback round", "Baseline")
        PROGRESS = "progress", pgettext_lazy("kind of feedback round", "Progress")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="feedback_rounds")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PROGRESS)
    sequence = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 for the engagement's first round of this kind; set when it opens."
    )
    opens_on = models.DateField(validators=DATE_VALIDATORS)
    closes_on = models.DateField(validators=DATE_VALIDATORS)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT, db_index=True)
    ask_support = models.BooleanField(default=False, help_text="Also ask: how can the leader best support you?")
    ask_organisation = models.BooleanField(
        default=False, help_text="Also ask: how can the leader best serve the organisation?"
    )
    next_round_on = models.DateField(
        null=True, blank=True, validators=DATE_VALIDATORS, help_text="When the next round is planned to open."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = FeedbackRoundQuerySet.as_manager()

    class Meta:
        ordering = ["opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gt=F("opens_on")), name="feedback_round_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(opened_at__isnull=False), name="feedback_round_opened_has_time"
            ),
            models.UniqueConstraint(
                fields=["engagement", "kind", "sequence"], name="feedback_round_sequence_unique_per_kind"
            ),
            date_in_range("opens_on", name="feedback_round_opens_2000_2100"),
            date_in_range("closes_on", name="feedback_round_closes_2000_2100"),
            date_in_range("next_round_on", name="feedback_round_next_round_2000_2100"),
        ]
        indexes = [models.Index(fields=["engagement", "status"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.engagement})"

    @property
    def label(self) -> str:
        if self.sequence is None:
            return gettext("%(kind)s round (draft)") % {"kind": self.get_kind_display()}
        if self.kind == self.Kind.BASELINE:
            if self.sequence == 1:
                return gettext("Baseline")
            return gettext("Baseline %(number)s") % {"number": self.sequence}
        return gettext("Progress round %(number)s") % {"number": self.sequence}

    @property
    def is_progress(self) -> bool:
        return self.kind == self.Kind.PROGRESS

    def closes_at(self, tz) -> datetime:
        """Answers are accepted until the end of `closes_on` in the coach's time zone `tz`."""
        return datetime.combine(self.closes_on + timedelta(days=1), time.min, tzinfo=tz)

    def accepts_answers(self, now: datetime | None = None) -> bool:
        """Open, and its closing day has not ended yet (in the coach's time zone)."""
        now = now or timezone.now()
        return self.status == self.Status.OPEN and now < self.closes_at(self.engagement.coach.tz)

    @property
    def closed_on(self) -> date:
        """The day answers stopped, in the coach's time zone: the day it was closed, if that came first."""
        if self.closed_at is None:
            return self.closes_on
        return min(self.closes_on, timezone.localtime(self.closed_at, self.engagement.coach.tz).date())

    def today(self) -> date:
        """Today's date for this round: the coach's calendar decides when a round opens and closes."""
        return timezone.localdate(timezone=self.engagement.coach.tz)


class FeedbackRequest(models.Model):
    """One stakeholder asked in one round, through their own private link.

    The link token is `link_token(request)`: an HMAC (SECRET_KEY) of the round, the stakeholder and a
    256-bit random nonce stored on the row. Only its SHA-256 (`token_hash`) is stored and looked up.
    Deriving the token lets a Celery task carrying nothing but this row's id build the e-mail, and
    lets nudges repeat the very same link, so the first e-mail keeps working.
    """

    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="requests")
    # RESTRICT: a stakeholder who was asked cannot be deleted on their own (deactivate them instead),
    # but deleting the whole engagement still removes its rounds, requests and answers.
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.RESTRICT, related_name="requests")
    relationship = models.CharField(
        max_length=16, choices=Relationship.choices, help_text="The stakeholder's group when the round opened."
    )
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="+", help_text="The goals this person is asked about."
    )
    link_nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # E-mails are outbox rows (notifications.Notification, period key `request:<id>:send:<n>`): this
    # counts the sends asked for, so "send again" records a new row and a double click does not.
    send_count = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the mail server first accepted the current link; reminders count from it.",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the stakeholder is deactivated before answering."
    )
    nudge_count = models.PositiveSmallIntegerField(default=0)
    last_nudged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "stakeholder"], name="feedback_request_one_per_round"),
        ]
        indexes = [models.Index(fields=["round", "answered_at"])]

    def __str__(self) -> str:
        return f"Feedback request {self.pk} of round {self.round_id}"

    @property
    def is_pending(self) -> bool:
        """Not answered and not withdrawn: the link may still be used while the round is open."""
        return self.answered_at is None and self.withdrawn_at is None

    @property
    def send_period_key(self) -> str:
        """The outbox period key of the e-mail that carries the current link."""
        return send_period_key(self.pk, self.send_count)


def send_period_key(request_id: int, number: int) -> str:
    return f"request:{request_id}:send:{number}"


class RevokedLink(models.Model):
    """A private link that stopped working because the stakeholder's address changed.

    Only the token's hash is kept, so the old URL can say "this link is no longer valid" rather
    than "we do not recognise this link".
    """

    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="revoked_links")
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Revoked link of request {self.request_id}"


class FeedbackResponse(models.Model):
    """The answers behind one used link. Shown only inside aggregates, never next to a person."""

    request = models.OneToOneField(FeedbackRequest, on_delete=models.CASCADE, related_name="response")
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    keep_doing = models.TextField(blank=True, max_length=TEXT_MAX, validators=[max_chars(TEXT_MAX)])
    start_doing = models.TextField(blank=True, max_length=TEXT_MAX, validators=[max_chars(TEXT_MAX)])
    support = models.TextField(blank=True, max_length=TEXT_MAX, validators=[max_chars(TEXT_MAX)])
    organisation = models.TextField(blank=True, max_length=TEXT_MAX, validators=[max_chars(TEXT_MAX)])
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            text_within(name, TEXT_MAX, name=f"feedback_response_{name}_length")
            for name in ("keep_doing", "start_doing", "support", "organisation")
        ]

    def __str__(self) -> str:
        return f"Feedback response {self.pk}"


class GoalScore(models.Model):
    """One rating, -3 (much less effective) to +3 (much more effective), with an optional suggestion."""

    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="scores")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")
    score = models.SmallIntegerField()
    suggestion = models.TextField(blank=True, max_length=TEXT_MAX, validators=[max_chars(TEXT_MAX)])

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "goal"], name="goal_score_one_per_goal"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="goal_score_between_minus3_and_3"
            ),
            text_within("suggestion", TEXT_MAX, name="goal_score_suggestion_length"),
        ]

    def __str__(self) -> str:
        return f"Score for goal {self.goal_id}"
