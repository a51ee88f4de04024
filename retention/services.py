"""Writes of retention: a practice's period, the leader's notice, and erasing one engagement.

What erasure removes (the leader's personal data of that engagement): the coach's private notes,
shared summaries, places and video links of sessions; agenda topics; goals' text (the title becomes
"Goal 1: <its themes>", so the program dashboard counts the same themes); fieldwork commitments'
text, practice logs, weekly reflections and their topics; partnership check-in comments; the names
and addresses of stakeholders and scheduling assistants; stakeholders' written answers and
suggestions; and the stored export files that held any of it.

What stays, as numbers and dates without text: sessions (times, kind, mode, status), commitments'
targets and outcomes with their practice log count, reflections' weeks and self-ratings, check-in
scores, feedback rounds with each answer's rater group and scores. The sponsor summary and the
program dashboard therefore show the same figures after erasure as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Practice, User
from booking.models import SchedulingAssistant
from coaching.models import PartnershipCheckIn
from engagements.models import AgendaItem, Engagement, Goal, Session
from exports.models import Export
from fieldwork.models import Commitment, PracticeLog, ReflectionTopic, WeeklyReflection
from notifications.models import Kind
from notifications.services import notification_owe_now
from programs.selectors import OTHER_THEME, THEMES, themes_of
from stakeholders.models import FeedbackResponse, GoalScore, Stakeholder

from .models import MAX_MONTHS, MIN_MONTHS, Erasure, RetentionPolicy

logger = logging.getLogger(__name__)

FINISHED = (Engagement.Status.COMPLETED, Engagement.Status.ENDED_EARLY)
#: What a required text field holds once erased (a commitment must say something).
ERASED_TEXT = "—"


# --- The period and its dates ---------------------------------------------------------------------


def _day(moment: datetime) -> date:
    """The day of `moment` in the site's time zone (UTC): retention counts whole days."""
    return moment.astimezone(timezone.get_default_timezone()).date()


def months_for(practice_id: int | None) -> int:
    """The retention period of a practice in months (the default without a setting)."""
    if practice_id is not None:
        months = RetentionPolicy.objects.filter(practice_id=practice_id).values_list("months", flat=True).first()
        if months:
            return months
    return settings.RETENTION_DEFAULT_MONTHS


def period_ends_on(*, ended_at: datetime, months: int) -> date:
    """The day the retention period of an engagement that ended at `ended_at` is over (UTC days)."""
    return _day(ended_at) + relativedelta(months=months)


def notice_due_on(*, ended_at: datetime, months: int) -> date:
    return period_ends_on(ended_at=ended_at, months=months) - timedelta(days=settings.RETENTION_NOTICE_DAYS)


def erase_on(*, ended_at: datetime, months: int, notice_sent_at: datetime | None, today: date) -> date:
    """The day the engagement is erased: when its period is over, and never sooner than
    `RETENTION_NOTICE_DAYS` after the leader was told (a notice not sent yet would go out today)."""
    notice_day = _day(notice_sent_at) if notice_sent_at else max(today, notice_due_on(ended_at=ended_at, months=months))
    return max(
        period_ends_on(ended_at=ended_at, months=months), notice_day + timedelta(days=settings.RETENTION_NOTICE_DAYS)
    )


def current_notice(notice_sent_at: datetime | None, ended_at: datetime | None) -> datetime | None:
    """The notice that counts: one sent before the engagement last ended (it was reopened since)
    told the leader about an end that no longer holds."""
    if notice_sent_at is None or ended_at is None or notice_sent_at < ended_at:
        return None
    return notice_sent_at


def policy_set(*, practice: Practice, months: int, by: User) -> RetentionPolicy:
    """Sets the practice's retention period (1 to 120 months)."""
    if not (by.is_practice_admin and by.practice_id == practice.pk):
        raise PermissionDenied(_("Only the practice admin sets the retention period."))
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValidationError({"months": _("Enter a number of months from 1 to 120.")})
    policy, _created = RetentionPolicy.objects.update_or_create(
        practice=practice, defaults={"months": months, "updated_by": by, "updated_at": timezone.now()}
    )
    return policy


# --- Erasing one engagement -----------------------------------------------------------------------


def anonymous_goal_title(*, title: str, number: int) -> str:
    """ "Goal 2: Delegation, Communication": the goal's themes (as the program dashboard counts them)
    without a word the leader wrote. A goal of no theme is "Goal 2", still counted as "other"."""
    labels = dict((key, label) for key, label, _stems in THEMES)
    keys = [k for k in themes_of(title) if k != OTHER_THEME[0]]
    with translation.override("en"):  # the stems that put a title in a theme are English words
        names = ", ".join(str(labels[k]) for k in keys)
    return f"Goal {number}: {names}" if names else f"Goal {number}"


def _erase_content(engagement: Engagement, now: datetime) -> None:
    pk = engagement.pk
    Session.objects.filter(engagement_id=pk).update(private_notes="", shared_summary="", location="", video_url="")
    AgendaItem.objects.filter(session__engagement_id=pk).delete()
    for number, goal in enumerate(Goal.objects.filter(engagement_id=pk).order_by("position", "pk"), start=1):
        goal.title = anonymous_goal_title(title=goal.title, number=number)
        goal.description = goal.why_it_matters = ""
        goal.save(update_fields=["title", "description", "why_it_matters"])
    Commitment.objects.filter(engagement_id=pk).update(text=ERASED_TEXT, where_with_whom="", review_reason="")
    # Every answer of the full log form, so a field added to the form is erased too.
    PracticeLog.objects.filter(commitment__engagement_id=pk).update(
        note=ERASED_TEXT, **dict.fromkeys(PracticeLog.FULL_FIELDS, "")
    )
    ReflectionTopic.objects.filter(reflection__engagement_id=pk).delete()
    WeeklyReflection.objects.filter(engagement_id=pk).update(wins="", struggles="", topics="")
    PartnershipCheckIn.objects.filter(engagement_id=pk).update(comment="")
    for number, stakeholder_pk in enumerate(
        Stakeholder.objects.filter(engagement_id=pk).order_by("pk").values_list("pk", flat=True), start=1
    ):
        address = f"erased-{stakeholder_pk}@erased.invalid"
        Stakeholder.objects.filter(pk=stakeholder_pk).update(
            name=f"Stakeholder {number}", email=address, email_key=address
        )
    FeedbackResponse.objects.filter(request__round__engagement_id=pk).update(
        keep_doing="", start_doing="", support="", organisation=""
    )
    GoalScore.objects.filter(response__request__round__engagement_id=pk).update(suggestion="")
    for assistant_pk in SchedulingAssistant.objects.filter(engagement_id=pk).values_list("pk", flat=True):
        SchedulingAssistant.objects.filter(pk=assistant_pk).update(
            name=ERASED_TEXT, email=f"erased-{assistant_pk}@erased.invalid", revoked_at=now
        )
    # Export files made before now may hold what was just erased: the leader's own records and the
    # coach's practice exports. Their links answer "expired" from now on.
    Export.objects.filter(
        owner_id__in=[engagement.leader_id, engagement.coach_id], created_at__lte=now, content__isnull=False
    ).update(content=None, size=0, expires_at=now)


def engagement_erase(
    *, engagement: Engagement, reason: str, by: User | None = None, now: datetime | None = None
) -> bool:
    """Erases the leader's personal data of one finished engagement, in one transaction, and records
    who and when. Idempotent: an engagement already erased is left as it is (False)."""
    now = now or timezone.now()
    if engagement.status not in FINISHED:
        raise ValidationError(_("Only an engagement that has ended can be erased."))
    with transaction.atomic():
        Erasure.objects.get_or_create(engagement=engagement)
        erasure = Erasure.objects.select_for_update().get(engagement=engagement)
        if erasure.is_erased:
            return False
        _erase_content(engagement, now)
        erasure.erased_at = now
        erasure.reason = reason
        erasure.erased_by = by
        erasure.erased_by_name = by.get_full_name() if by else ""
        erasure.last_error = ""
        erasure.save()
    logger.info("Erased engagement %s (%s).", engagement.pk, reason)
    return True


def refuse_reopening_erased(engagement: Engagement, status: str) -> str | None:
    """An erased engagement stays ended: reopening it would bring back an engagement whose goals,
    notes and logs are gone. Asks the database only when the change would reopen it."""
    if not engagement.is_finished or engagement.status == status:
        return None
    if Erasure.objects.filter(engagement=engagement, erased_at__isnull=False).exists():
        return _("This engagement was erased under the practice's retention policy and cannot be reopened.")
    return None


def may_erase_now(*, user: User, engagement: Engagement) -> bool:
    """The leader of the engagement, or the practice admin of its coach's practice."""
    if not user.is_authenticated:
        return False
    if engagement.leader_id == user.pk and not engagement.awaiting_leader:
        return True
    return bool(user.is_practice_admin and user.practice_id and engagement.coach.practice_id == user.practice_id)


def engagement_erase_now(*, engagement: Engagement, by: User) -> bool:
    """ "Erase now", asked for by the leader or the practice admin (after the confirmation page)."""
    if not may_erase_now(user=by, engagement=engagement):
        raise PermissionDenied
    reason = Erasure.Reason.LEADER if engagement.leader_id == by.pk else Erasure.Reason.PRACTICE_ADMIN
    return engagement_erase(engagement=engagement, reason=reason, by=by)


# --- The beat: notices, then erasures -------------------------------------------------------------


@dataclass
class RunResult:
    notices: int = 0
    erased: int = 0
    failed: int = 0
    handed_over: int = 0


def _notice(row: dict, now: datetime) -> bool:
    """Records the notice once (a conditional update) and owes the leader their e-mail in the same
    transaction; the outbox's unique period key makes a second e-mail impossible as well."""
    ended_at = row["ended_at"]
    with transaction.atomic():
        erasure, _created = Erasure.objects.get_or_create(engagement_id=row["pk"])
        unsent = Q(notice_sent_at__isnull=True) | Q(notice_sent_at__lt=ended_at)
        if not Erasure.objects.filter(unsent, pk=erasure.pk).update(notice_sent_at=now):
            return False
        if not row["awaiting_leader"] and row["leader__is_active"]:
            notification_owe_now(
                kind=Kind.RETENTION_NOTICE,
                # One notice per ending: an engagement reopened and ended again is told about again.
                period_key=f"retention:{row['pk']}:{ended_at:%Y-%m-%d}",
                recipient_id=row["leader_id"],
                recipient_email=row["leader__email"],
                time_zone=row["leader__time_zone"],
                engagement_id=row["pk"],
                context={"engagement_id": row["pk"]},
                now=now,
            )
    return True


def _failed(engagement_id: int, exc: BaseException) -> None:
    logger.error("Retention skipped engagement %s.", engagement_id, exc_info=exc)
    Erasure.objects.filter(engagement_id=engagement_id).update(last_error=type(exc).__name__[:200])


def engagement_erase_due(*, engagement_id: int, now: datetime | None = None) -> str:
    """Erases one engagement whose day has come (the retention run found it): "erased", "kept" when it
    is already erased or no longer ended, or "failed" (logged, its error type kept on its record)."""
    now = now or timezone.now()
    try:
        engagement = Engagement.objects.select_related("coach").filter(pk=engagement_id).first()
        if engagement is None or engagement.status not in FINISHED:
            return "kept"
        erased = engagement_erase(engagement=engagement, reason=Erasure.Reason.POLICY, now=now)
    except Exception as exc:  # noqa: BLE001 - one bad engagement never stops the others
        _failed(engagement_id, exc)
        return "failed"
    return "erased" if erased else "kept"


def retention_run(*, now: datetime | None = None, hand_over: Callable[[int], None] | None = None) -> RunResult:
    """Tells each leader whose engagement's period ends within `RETENTION_NOTICE_DAYS`, and erases
    every engagement whose day has come: here, or through `hand_over(engagement_id)` (the beat's task
    hands each to a worker on the mail queue, so the clock queue only decides). Each engagement is its
    own transaction: one that fails is logged, its error kept on its record, and the others go on."""
    now = now or timezone.now()
    today = _day(now)
    result = RunResult()
    default = settings.RETENTION_DEFAULT_MONTHS
    broker_down = False
    rows = (
        Engagement.objects.filter(status__in=FINISHED, ended_at__isnull=False)
        .exclude(erasure__erased_at__isnull=False)
        .values(
            "pk",
            "ended_at",
            "awaiting_leader",
            "leader_id",
            "leader__email",
            "leader__time_zone",
            "leader__is_active",
            "coach__practice__retention_policy__months",
            "erasure__notice_sent_at",
        )
        .order_by("ended_at", "pk")
    )
    for row in rows:
        months = row["coach__practice__retention_policy__months"] or default
        notice_sent_at = current_notice(row["erasure__notice_sent_at"], row["ended_at"])
        if notice_sent_at is None:
            if today >= notice_due_on(ended_at=row["ended_at"], months=months):
                try:
                    result.notices += _notice(row, now)
                except Exception as exc:  # noqa: BLE001 - one bad engagement never stops the others
                    result.failed += 1
                    _failed(row["pk"], exc)
        elif today >= erase_on(ended_at=row["ended_at"], months=months, notice_sent_at=notice_sent_at, today=today):
            if hand_over is not None:
                if broker_down:
                    continue
                try:
                    hand_over(row["pk"])
                except Exception:  # noqa: BLE001 - the broker is down: the next run hands these over again
                    logger.warning("Could not hand erasure of engagement %s to the broker.", row["pk"], exc_info=True)
                    broker_down = True  # the notices still go on; no more waiting on a broker that is down
                    continue
                result.handed_over += 1
                continue
            outcome = engagement_erase_due(engagement_id=row["pk"], now=now)
            result.erased += outcome == "erased"
            result.failed += outcome == "failed"
    return result
