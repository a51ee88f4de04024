"""Reads of retention: an engagement's state (planned or done), and a practice's upcoming erasures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from accounts.models import Practice
from engagements.models import Engagement

from . import services
from .models import Erasure, RetentionPolicy


@dataclass(frozen=True)
class RetentionState:
    """Where one finished engagement stands: erased (when, why, by whom) or the day it will be."""

    months: int
    erased_at: datetime | None = None
    reason: str = ""
    erased_by_name: str = ""
    notice_sent_at: datetime | None = None
    erase_on: date | None = None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def reason_label(self) -> str:
        return Erasure.Reason(self.reason).label if self.reason else ""


_VALUES = (
    "pk",
    "ended_at",
    "erasure__erased_at",
    "erasure__reason",
    "erasure__erased_by_name",
    "erasure__notice_sent_at",
    "coach__practice__retention_policy__months",
)


def _state(row: dict, today: date) -> RetentionState:
    months = row["coach__practice__retention_policy__months"] or settings.RETENTION_DEFAULT_MONTHS
    notice = services.current_notice(row["erasure__notice_sent_at"], row["ended_at"])
    erase_on = None
    if row["erasure__erased_at"] is None and row["ended_at"] is not None:
        erase_on = services.erase_on(ended_at=row["ended_at"], months=months, notice_sent_at=notice, today=today)
    return RetentionState(
        months=months,
        erased_at=row["erasure__erased_at"],
        reason=row["erasure__reason"] or "",
        erased_by_name=row["erasure__erased_by_name"] or "",
        notice_sent_at=notice,
        erase_on=erase_on,
    )


def engagement_retention(*, engagement: Engagement) -> RetentionState | None:
    """The state of a finished or erased engagement, in one query; None (no query) for an open one."""
    if not engagement.is_finished:
        return None
    row = Engagement.objects.filter(pk=engagement.pk).values(*_VALUES).first()
    return _state(row, timezone.localdate()) if row else None


@dataclass(frozen=True)
class PracticeRow:
    engagement: Engagement
    state: RetentionState


def practice_retention(*, practice: Practice) -> dict:
    """The practice admin's retention page: the period, and every finished engagement of the
    practice's coaches with the day it will be (or was) erased. Names and dates only, no content.
    Three queries (policy, engagements, their retention records) whatever their number."""
    policy = RetentionPolicy.objects.filter(practice=practice).first()
    today = timezone.localdate()
    engagements = list(
        Engagement.objects.filter(coach__practice=practice, status__in=services.FINISHED)
        .select_related("coach", "leader")
        .order_by("ended_at", "pk")
    )
    rows = {r["pk"]: r for r in Engagement.objects.filter(pk__in=[e.pk for e in engagements]).values(*_VALUES)}
    states = [PracticeRow(e, _state(rows[e.pk], today)) for e in engagements]
    upcoming = sorted(
        (r for r in states if not r.state.is_erased), key=lambda r: (r.state.erase_on or today, r.engagement.pk)
    )
    erased = sorted((r for r in states if r.state.is_erased), key=lambda r: r.state.erased_at, reverse=True)
    return {
        "policy": policy,
        "months": policy.months if policy else settings.RETENTION_DEFAULT_MONTHS,
        "default_months": settings.RETENTION_DEFAULT_MONTHS,
        "notice_days": settings.RETENTION_NOTICE_DAYS,
        "upcoming": upcoming,
        "erased": erased,
    }
