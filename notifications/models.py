"""The outbox: one row per message owed to one recipient for one reason and one period.

The database decides what is due (DESIGN.md section 5). A tick records `Notification` rows under a
unique constraint on (recipient key, kind, period key), so a second tick, a second beat or a replayed
message can never record a message twice; a send claims its row with a conditional update.

This app sits at the bottom of the dependency graph: it knows people only through
`settings.AUTH_USER_MODEL` and engagements only as a plain integer (`engagement_id`), so that the
per-engagement outbox page can filter without this app importing `engagements`.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Every message the product owes. Labels are what people see on the preferences and outbox pages."""

    REFLECTION_PROMPT = "reflection_prompt", _("Weekly reflection prompt")
    SESSION_REMINDER = "session_reminder", _("Session reminder")
    AGENDA_PROMPT = "agenda_prompt", _("Agenda prompt")
    FIELDWORK_NUDGE = "fieldwork_nudge", _("Fieldwork nudge")
    STAKEHOLDER_REQUEST = "stakeholder_request", _("Feedback request")
    STAKEHOLDER_NUDGE = "stakeholder_nudge", _("Feedback request reminder")
    NO_SHOW_FOLLOW_UP = "no_show_follow_up", _("No-show follow-up")
    NO_NEXT_SESSION = "no_next_session", _("No next session booked")
    INVITATION = "invitation", _("Invitation")
    SESSION_INVITATION = "session_invitation", _("Calendar invitation")
    BOOKING_NUDGE = "booking_nudge", _("Book your next session")
    ASSISTANT_LINK = "assistant_link", _("Scheduling assistant link")
    EXPORT_READY = "export_ready", _("Export ready")
    COACH_CHANGED = "coach_changed", _("New coach")
    RETENTION_NOTICE = "retention_notice", _("Erasure notice")


#: How pages name a kind in the plural ("you will no longer receive session reminders").
KIND_PLURALS = {
    Kind.REFLECTION_PROMPT: _("weekly reflection prompts"),
    Kind.SESSION_REMINDER: _("session reminders"),
    Kind.AGENDA_PROMPT: _("agenda prompts"),
    Kind.FIELDWORK_NUDGE: _("fieldwork nudges"),
    Kind.STAKEHOLDER_REQUEST: _("feedback requests"),
    Kind.STAKEHOLDER_NUDGE: _("reminders about feedback requests"),
    Kind.NO_SHOW_FOLLOW_UP: _("no-show follow-ups"),
    Kind.NO_NEXT_SESSION: _("“no next session booked” nudges"),
    Kind.INVITATION: _("invitations"),
    Kind.SESSION_INVITATION: _("calendar invitations (sessions booked, moved or cancelled)"),
    Kind.BOOKING_NUDGE: _("reminders to book your next session"),
    Kind.ASSISTANT_LINK: _("scheduling assistant links"),
    Kind.EXPORT_READY: _("export links"),
    Kind.COACH_CHANGED: _("messages about a new coach"),
    Kind.RETENTION_NOTICE: _("notices before your data is erased"),
}

#: Kinds that ignore the daily limit: a session reminder matters more than a quiet inbox, an invitation
#: is what someone is waiting for before they can start, and a feedback request goes out when the
#: coach opens a round or sends it again, not the next morning. A calendar change cannot wait either.
URGENT_KINDS = frozenset(
    {
        Kind.SESSION_REMINDER,
        Kind.INVITATION,
        Kind.STAKEHOLDER_REQUEST,
        Kind.SESSION_INVITATION,
        Kind.ASSISTANT_LINK,
        Kind.EXPORT_READY,
    }
)

#: Alerts a coach must act on go out as they happen: the daily limit protects a leader's inbox, and
#: a coach of many clients must not have one client's no-show follow-up wait behind another's.
COACH_ALERT_KINDS = frozenset({Kind.NO_SHOW_FOLLOW_UP, Kind.NO_NEXT_SESSION})


def user_recipient_key(user_id: int) -> str:
    return f"user:{user_id}"


def email_recipient_key(email: str) -> str:
    return f"email:{email.strip().lower()}"


# --- Weekly schedules -------------------------------------------------------------------------

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
DEFAULT_REFLECTION_WEEKDAY = 4  # Friday
DEFAULT_REFLECTION_TIME = time(16, 0)


@dataclass(frozen=True)
class WeeklySchedule:
    """A weekday and wall-clock time in an IANA time zone: "Fridays at 16:00 in Europe/Berlin".

    Arithmetic works on local calendar dates, never by adding 7 × 24 hours, so a week that contains a
    daylight-saving change is neither skipped nor doubled. A wall-clock time that does not exist on a
    given day (the hour skipped when clocks go forward) happens as many minutes later as the clocks
    jumped (02:30 becomes 03:30); a time that happens twice (clocks go back) is the first one.
    """

    weekday: int
    at: time
    time_zone: str

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def occurrence_on(self, day: date) -> datetime:
        """The moment (in UTC) this schedule fires on local date `day` (which must be the right weekday)."""
        local = datetime.combine(day, self.at.replace(tzinfo=None, fold=0), tzinfo=self.tz)
        # A non-existent wall-clock time is read with the offset in force before the jump; converting
        # to UTC and back normalises it to the real moment on the same local date.
        return local.astimezone(UTC)

    def _week_day(self, moment: datetime) -> date:
        """The date of this week's occurrence (local calendar week, Monday first) around `moment`."""
        local_day = moment.astimezone(self.tz).date()
        return local_day - timedelta(days=local_day.weekday()) + timedelta(days=self.weekday)

    def next_due_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (an aware datetime), in UTC."""
        day = self._week_day(moment)
        due = self.occurrence_on(day)
        while due <= moment:
            day += timedelta(days=7)
            due = self.occurrence_on(day)
        return due

    def last_occurrence(self, moment: datetime) -> tuple[date, datetime]:
        """The local date and the moment (UTC) of the latest occurrence at or before `moment`."""
        day = self._week_day(moment)
        due = self.occurrence_on(day)
        while due > moment:
            day -= timedelta(days=7)
            due = self.occurrence_on(day)
        return day, due

    def last_due_at_or_before(self, moment: datetime) -> datetime:
        """The latest occurrence at or before `moment`, in UTC."""
        return self.last_occurrence(moment)[1]

    @staticmethod
    def period_key(day: date, prefix: str) -> str:
        """`<prefix>:<ISO year>-W<week>` of the local date an occurrence is scheduled on."""
        year, week, _ = day.isocalendar()
        return f"{prefix}:{year}-W{week:02d}"


# --- Preferences ------------------------------------------------------------------------------


class NotificationPreference(models.Model):
    """When a person wants their weekly reflection prompt. People without a row get the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    reflection_weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS, default=DEFAULT_REFLECTION_WEEKDAY)
    reflection_time = models.TimeField(default=DEFAULT_REFLECTION_TIME)

    class CoachAlerts(models.TextChoices):
        IMMEDIATE = "immediate", _("As they happen")
        DIGEST = "digest", _("In one e-mail each morning")

    coach_alerts = models.CharField(
        max_length=10,
        choices=CoachAlerts.choices,
        default=CoachAlerts.IMMEDIATE,
        help_text="How a coach gets alerts such as no-show follow-ups.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reflection_weekday__gte=0, reflection_weekday__lte=6),
                name="notification_preference_weekday_0_6",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"

    def reflection_schedule(self, time_zone: str) -> WeeklySchedule:
        return WeeklySchedule(self.reflection_weekday, self.reflection_time, time_zone)

    def next_reflection_after(self, moment: datetime) -> datetime:
        """The next weekly reflection prompt after `moment`, in the person's own time zone."""
        return self.reflection_schedule(self.user.time_zone).next_due_after(moment)


def default_reflection_schedule(time_zone: str) -> WeeklySchedule:
    return WeeklySchedule(DEFAULT_REFLECTION_WEEKDAY, DEFAULT_REFLECTION_TIME, time_zone)


class OptOut(models.Model):
    """A recipient who asked not to receive one kind of e-mail.

    Keyed like the outbox (`user:<id>` or `email:<address>`), so a stakeholder without an account can
    unsubscribe with the one-click link just as a leader can on the preferences page.
    """

    class Via(models.TextChoices):
        PREFERENCES = "preferences", _("Preferences page")
        LINK = "link", _("Unsubscribe link")

    recipient_key = models.CharField(max_length=320)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    via = models.CharField(max_length=12, choices=Via.choices, default=Via.PREFERENCES)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient_key", "kind"], name="opt_out_once_per_recipient_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_key} opted out of {self.get_kind_display()}"


# --- The outbox -------------------------------------------------------------------------------


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_engagement(self, engagement_id: int) -> NotificationQuerySet:
        return self.filter(engagement_id=engagement_id)


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        DEFERRED = "deferred", _("Waiting (daily limit)")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient_email = models.EmailField(max_length=254)
    recipient_key = models.CharField(
        max_length=320, help_text="user:<id> for people with an account, else email:<address>."
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    period_key = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64, default="UTC", help_text="The recipient's time zone when recorded.")
    engagement_id = models.PositiveBigIntegerField(null=True, blank=True)
    context = models.JSONField(
        default=dict, blank=True, help_text="Ids of the rows the message is about; never content."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)
    # The recipient's local day on which a non-urgent e-mail took their one daily slot.
    cap_day = models.DateField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_key", "kind", "period_key"], name="notification_once_per_recipient_kind_period"
            ),
            # At most one non-urgent e-mail a day per person: the slot is a row, the database guards it.
            models.UniqueConstraint(
                fields=["recipient_key", "cap_day"],
                condition=Q(cap_day__isnull=False),
                name="notification_one_non_urgent_per_day",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(recipient_email=""), name="notification_has_recipient"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="notification_sent_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["engagement_id", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_email} ({self.period_key})"

    @property
    def is_urgent(self) -> bool:
        return self.kind in URGENT_KINDS

    @property
    def counts_against_daily_limit(self) -> bool:
        """Only non-urgent messages other than coach alerts take the recipient's one e-mail of the day."""
        return self.kind not in URGENT_KINDS and self.kind not in COACH_ALERT_KINDS

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def local_day(self, moment: datetime) -> date:
        """The recipient's calendar date at `moment`: the day the daily limit counts in."""
        return moment.astimezone(self.tz).date()

    def is_morning_release(self) -> bool:
        """Whether the row is due exactly at a morning release (where held messages go out together)."""
        local = self.due_at.astimezone(self.tz)
        return (local.hour, local.minute, local.second, local.microsecond) == (
            settings.NOTIFICATIONS_DEFER_TO_HOUR,
            0,
            0,
            0,
        )

    def next_day_release(self, moment: datetime) -> datetime:
        """When a message held back by the daily limit goes out: the recipient's next morning."""
        day = self.local_day(moment) + timedelta(days=1)
        release = datetime.combine(day, time(settings.NOTIFICATIONS_DEFER_TO_HOUR, 0), tzinfo=self.tz)
        return release.astimezone(UTC)


# --- Rows a source could not handle -----------------------------------------------------------


class SourceFailure(models.Model):
    """A row that a source could not turn into a recorded message, counted once per tick it failed in.

    One bad value (a commitment due on 9999-12-31) must not silence a whole kind of message: the tick
    skips that row, logs it and counts it here, and every other row goes on. Operators see these in the
    admin and in the staff view of the health data; the row stays until someone deletes it.
    """

    class Stage(models.TextChoices):
        SOURCE = "source", _("Finding what is due")
        SPEC = "spec", _("Working out the message")
        RECORD = "record", _("Recording the message")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    row = models.CharField(
        max_length=100, blank=True, help_text="The row, such as session:12; empty when the whole source failed."
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    error = models.TextField()
    count = models.PositiveIntegerField(default=1, help_text="How many ticks failed on this row.")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "row"], name="source_failure_once_per_kind_row"),
            models.CheckConstraint(condition=Q(count__gte=1), name="source_failure_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.row or 'whole source'} failed {self.count} times"


# --- The installation -------------------------------------------------------------------------


class Installation(models.Model):
    """One row per database: a random key made when the database is created.

    E-mail Message-IDs combine it with the outbox row's id, so a retry of a message keeps its
    Message-ID while a reset database (whose ids start again at 1) never repeats one sent before.
    """

    key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="installation_single_row")]

    def __str__(self) -> str:
        return f"Installation {self.key}"
