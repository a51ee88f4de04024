"""Engagements, their goals and sessions, and the agenda items leaders bring to sessions."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.limits import (
    DATE_VALIDATORS,
    LONG_TEXT,
    MOMENT_VALIDATORS,
    SHORT_TEXT,
    date_in_range,
    max_chars,
    moment_in_range,
    text_within,
)


class EngagementQuerySet(models.QuerySet["Engagement"]):
    @staticmethod
    def _as_leader(user) -> Q:
        """The one rule for leaders: an engagement is theirs once they have accepted the invitation to it."""
        return Q(leader=user, awaiting_leader=False)

    def visible_to(self, user) -> EngagementQuerySet:
        """Engagements this person takes part in, in any role (coach, leader or sponsor)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(coach=user) | self._as_leader(user) | Q(sponsors=user)).distinct()

    def worked_by(self, user) -> EngagementQuerySet:
        """Engagements whose confidential content this person may see: their coach and their leader."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(coach=user) | self._as_leader(user))

    def coached_by(self, user) -> EngagementQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(coach=user)

    def led_by(self, user) -> EngagementQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(self._as_leader(user))

    def sponsored_by(self, user) -> EngagementQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(sponsors=user)

    def in_managed_programs(self, user) -> EngagementQuerySet:
        """The one rule for program managers: engagements of the programs they manage (plain facts only)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(program__managers=user)

    def reviewed_by(self, user) -> EngagementQuerySet:
        """The one rule for reviewers: engagements of their practice's coaches (plain facts only)."""
        if not (user.is_authenticated and user.is_reviewer and user.practice_id):
            return self.none()
        return self.filter(coach__practice_id=user.practice_id)

    def running(self) -> EngagementQuerySet:
        return self.filter(status=Engagement.Status.ACTIVE)


class Engagement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        ENDED_EARLY = "ended_early", _("Ended early")

    class Cadence(models.IntegerChoices):
        WEEKLY = 7, _("Every week")
        FORTNIGHTLY = 14, _("Every two weeks")
        THREE_WEEKS = 21, _("Every three weeks")
        MONTHLY = 28, _("Every four weeks")

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coached_engagements")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_engagements")
    sponsors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="sponsored_engagements")
    awaiting_leader = models.BooleanField(
        default=False,
        help_text=_("The leader has not accepted the invitation yet: the engagement is hidden from them until then."),
    )
    # The client organisation's display name, kept equal to `client.name` by the services that set or
    # rename either (pages, the demo and the reports read it).
    organisation = models.CharField(max_length=200)
    client = models.ForeignKey(
        "programs.ClientOrganisation", null=True, blank=True, on_delete=models.PROTECT, related_name="engagements"
    )
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    start_date = models.DateField(validators=DATE_VALIDATORS)
    planned_end_date = models.DateField(validators=DATE_VALIDATORS)
    planned_sessions = models.PositiveSmallIntegerField(default=6)
    cadence_days = models.PositiveSmallIntegerField(choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    anonymity_threshold = models.PositiveSmallIntegerField(
        default=3,
        help_text=_("Stakeholder groups with fewer answers than this are left out of results."),
    )
    cancellation_window_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text=_("A session cancelled less than this many hours before it starts counts as a late cancellation."),
    )
    # When the engagement was completed or ended early (cleared when it is reopened): the retention
    # period of the practice runs from here (`retention/`).
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gt=models.F("start_date")), name="engagement_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1, planned_sessions__lte=60), name="engagement_planned_sessions_1_60"
            ),
            models.CheckConstraint(
                condition=Q(anonymity_threshold__gte=2, anonymity_threshold__lte=10), name="engagement_threshold_2_10"
            ),
            models.CheckConstraint(condition=~Q(coach=models.F("leader")), name="engagement_coach_is_not_leader"),
            models.CheckConstraint(
                condition=Q(cancellation_window_hours__lte=168), name="engagement_cancellation_window_0_168"
            ),
            date_in_range("start_date", name="engagement_start_date_2000_2100"),
            date_in_range("planned_end_date", name="engagement_planned_end_date_2000_2100"),
        ]
        indexes = [models.Index(fields=["coach", "status"]), models.Index(fields=["leader", "status"])]

    def __str__(self) -> str:
        return f"{self.leader} · {self.organisation}"

    @property
    def is_open(self) -> bool:
        """Active or paused: the engagement still has work in it."""
        return self.status in {self.Status.ACTIVE, self.Status.PAUSED, self.Status.DRAFT}

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.COMPLETED, self.Status.ENDED_EARLY}

    def progress(self, held: int) -> int:
        """Percentage of planned sessions held, 0 to 100."""
        return min(100, round(100 * held / self.planned_sessions)) if self.planned_sessions else 0


class Goal(models.Model):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=SHORT_TEXT, validators=[max_chars(SHORT_TEXT)])
    why_it_matters = models.TextField(
        help_text=_("Why this goal matters to the organisation."),
        max_length=SHORT_TEXT,
        validators=[max_chars(SHORT_TEXT)],
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "title"], name="goal_title_unique_per_engagement"),
            text_within("description", SHORT_TEXT, name="goal_description_length"),
            text_within("why_it_matters", SHORT_TEXT, name="goal_why_it_matters_length"),
        ]

    def __str__(self) -> str:
        return self.title


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user) -> SessionQuerySet:
        """Sessions whose page this person may open: the engagement's coach and leader."""
        return self.filter(engagement__in=Engagement.objects.worked_by(user))

    def upcoming(self, now=None) -> SessionQuerySet:
        now = now or timezone.now()
        return self.filter(status=Session.Status.SCHEDULED, starts_at__gte=now).order_by("starts_at")

    def past(self, now=None) -> SessionQuerySet:
        now = now or timezone.now()
        return self.filter(Q(starts_at__lt=now) | ~Q(status=Session.Status.SCHEDULED)).order_by("-starts_at")


class Session(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone")

    class Kind(models.TextChoices):
        KICKOFF = "kickoff", _("Kick-off")
        REGULAR = "regular", _("Regular")
        THREE_WAY = "three_way", _("Three-way")
        CLOSING = "closing", _("Closing")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        NO_SHOW = "no_show", _("No-show")
        LATE_CANCEL = "late_cancel", _("Late cancellation")
        CANCELLED = "cancelled", _("Cancelled")

    OUTCOMES = (Status.HELD, Status.NO_SHOW, Status.LATE_CANCEL)

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(validators=MOMENT_VALIDATORS)
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.VIDEO)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    location = models.CharField(max_length=300, blank=True, help_text=_("A room, an address or a video link."))
    shared_summary = models.TextField(
        blank=True,
        help_text=_("Seen by the coach and the leader."),
        max_length=LONG_TEXT,
        validators=[max_chars(LONG_TEXT)],
    )
    summary_shared_with_sponsor = models.BooleanField(
        default=False, help_text=_("The sponsor sees the shared summary once the coach releases it.")
    )
    summary_released_at = models.DateTimeField(null=True, blank=True)
    private_notes = models.TextField(
        blank=True,
        help_text=_("The coach's own notes. No one else ever sees them."),
        max_length=LONG_TEXT,
        validators=[max_chars(LONG_TEXT)],
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    video_url = models.URLField(
        max_length=500,
        blank=True,
        help_text=_("The video link of this session; empty: the coach's default meeting room."),
    )
    # iTIP (RFC 5546): every version of the event sent to attendees carries a higher SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480), name="session_duration_15_480"
            ),
            moment_in_range("starts_at", name="session_starts_2000_2100"),
            text_within("shared_summary", LONG_TEXT, name="session_shared_summary_length"),
            text_within("private_notes", LONG_TEXT, name="session_private_notes_length"),
            # Attendance is true only once the session has started (a late cancellation is recorded when
            # it happens, before the start).
            models.CheckConstraint(
                condition=~Q(status__in=["held", "no_show"])
                | Q(outcome_recorded_at__isnull=True)
                | Q(outcome_recorded_at__gte=models.F("starts_at")),
                name="session_outcome_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["engagement", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} session on {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_upcoming(self) -> bool:
        return self.status == self.Status.SCHEDULED and self.starts_at >= timezone.now()

    @property
    def awaits_outcome(self) -> bool:
        return self.status == self.Status.SCHEDULED and self.starts_at < timezone.now()

    def cancellation_is_late(self, now=None) -> bool:
        """Whether cancelling now falls inside the engagement's cancellation window (a late cancellation)."""
        now = now or timezone.now()
        return self.starts_at - now < timedelta(hours=self.engagement.cancellation_window_hours)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    def attendance_is_true(self, now=None) -> bool:
        """Whether this outcome counts as attendance: held and no-show only once the session started."""
        now = now or timezone.now()
        if self.status == self.Status.LATE_CANCEL:
            return True
        return self.status in (self.Status.HELD, self.Status.NO_SHOW) and self.starts_at <= now

    @property
    def is_three_way(self) -> bool:
        return self.kind == self.Kind.THREE_WAY

    @property
    def meeting_url(self) -> str:
        """The session's own video link, else the coach's default meeting room (needs `engagement__coach`)."""
        if self.video_url:
            return self.video_url
        if self.mode != self.Mode.VIDEO:
            return ""
        room = getattr(self.engagement.coach, "meeting_room", None)
        return room.url if room is not None else ""

    @property
    def sponsor_sees_summary(self) -> bool:
        return self.summary_shared_with_sponsor and self.summary_released_at is not None


class AgendaItem(models.Model):
    """A topic to discuss at a session. Coach and leader see it.

    The sponsor sees a topic only if `visible_to_sponsor` is set, and only while its session is a
    three-way meeting. The flag is decided when the topic is written (the session was three-way then
    and the topic is not from a private weekly reflection) or when the leader shares it: never from
    what later happens to the session, so a regular session turned three-way keeps its topics private.
    """

    class Source(models.TextChoices):
        LEADER = "leader", _("Added by the leader")
        COACH = "coach", _("Added by the coach")
        REFLECTION = "reflection", _("From a weekly reflection")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=500)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.LEADER)
    visible_to_sponsor = models.BooleanField(
        default=False,
        help_text=_("Written for a three-way meeting, or shared with the sponsor by the leader."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="agenda_item_text_not_empty")]

    def __str__(self) -> str:
        return self.text

    @property
    def sponsor_sees(self) -> bool:
        """Whether the sponsor reads this topic: shared with them, on a meeting they join."""
        return self.visible_to_sponsor and self.session.kind == Session.Kind.THREE_WAY


class MeetingRoom(models.Model):
    """A coach's default video meeting room, used by every video session that has no link of its own."""

    coach = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_room")
    url = models.URLField(max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Meeting room of {self.coach}"


class CalendarFeed(models.Model):
    """A person's private calendar feed link. The token is derived from the secret key and `nonce`
    (`accounts.tokens`); only its SHA-256 is stored. Regenerating revokes the older link."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_feed_one_live_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
