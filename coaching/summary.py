"""The three-way progress summary: what a sponsor may know about an engagement, as plain facts.

`engagement_summary()` composes engagements, fieldwork and stakeholder feedback into one frozen
dataclass of non-privileged facts (DESIGN.md section 2). Templates for sponsors render only this
object, never a model instance, so a private field (session notes, agenda items, commitment text,
practice logs, reflections, check-ins, stakeholder suggestions) cannot reach a sponsor's page or PDF
by accident: it is never loaded into the summary in the first place.

Queries (fixed, whatever the amount of history): engagement with coach and leader, its sponsors,
its goals, its sessions (without private notes), the topics of its three-way meetings shared with
the sponsor; fieldwork counts and practice logged per week; the stakeholder trend (closed rounds,
goals, scores).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from accounts.models import User
from engagements import charts
from engagements.models import AgendaItem, Engagement, Session
from fieldwork.selectors import fieldwork_counts, logs_per_week
from stakeholders.selectors import released_trend

FIELDWORK_WEEKS = 12
ATTENDANCE_STATUSES = (Session.Status.HELD, Session.Status.NO_SHOW, Session.Status.LATE_CANCEL)

# Only these columns of a session are read: the coach's private notes never leave the database.
SESSION_FIELDS = (
    "id",
    "engagement_id",
    "starts_at",
    "duration_minutes",
    "kind",
    "mode",
    "status",
    "location",
    "shared_summary",
    "summary_shared_with_sponsor",
    "summary_released_at",
)


@dataclass(frozen=True)
class GoalFacts:
    title: str
    description: str
    why_it_matters: str
    trend: charts.Chart | None = None


@dataclass(frozen=True)
class AttendanceRow:
    starts_at: datetime
    kind_label: str
    status: str
    status_label: str


@dataclass(frozen=True)
class SharedSummary:
    """A session summary the coach marked "shared with sponsor". `released_at` None: a preview only."""

    session_id: int
    session_starts_at: datetime
    kind_label: str
    text: str
    released_at: datetime | None

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


@dataclass(frozen=True)
class ThreeWayMeeting:
    """A session of kind three-way: the sponsor is a participant.

    The sponsor sees its date, place, agenda (only topics marked `visible_to_sponsor`: written for the
    three-way meeting, or shared by the leader; a topic written while the session was a regular one, or
    carried over from a private weekly reflection, never appears) and its agreed notes. The agreed
    notes are the meeting's shared summary once the coach has marked it "shared with sponsor" and
    released it; before that only a preview viewer (coach, leader) sees them, marked unreleased.
    """

    session_id: int
    starts_at: datetime
    duration_minutes: int
    mode_label: str
    location: str
    status: str
    status_label: str
    agenda: tuple[str, ...]
    agreed_notes: SharedSummary | None

    @property
    def is_upcoming(self) -> bool:
        return self.status == Session.Status.SCHEDULED and self.starts_at >= timezone.now()


@dataclass(frozen=True)
class FieldworkFacts:
    """Fieldwork as counts only: never the text of a commitment, a log or a reflection."""

    commitments: int
    logs: int
    reviewed: int
    completed: int
    weekly_chart: charts.Chart

    @property
    def completion_rate(self) -> int | None:
        """Percentage of reviewed commitments that were completed, or None before any review."""
        return round(100 * self.completed / self.reviewed) if self.reviewed else None


@dataclass(frozen=True)
class EngagementSummary:
    engagement_id: int
    leader_name: str
    coach_name: str
    sponsor_names: tuple[str, ...]
    organisation: str
    status: str
    status_label: str
    start_date: date
    planned_end_date: date
    planned_sessions: int
    held: int
    no_shows: int
    late_cancels: int
    last_session_at: datetime | None
    next_session_at: datetime | None
    goals: tuple[GoalFacts, ...]
    attendance: tuple[AttendanceRow, ...]
    three_way_meetings: tuple[ThreeWayMeeting, ...]
    summaries: tuple[SharedSummary, ...]
    fieldwork: FieldworkFacts
    has_stakeholder_results: bool
    includes_previews: bool
    viewer_role: str
    generated_at: datetime

    @property
    def progress_percent(self) -> int:
        return min(100, round(100 * self.held / self.planned_sessions)) if self.planned_sessions else 0

    @property
    def unreleased_count(self) -> int:
        meetings = [m.agreed_notes for m in self.three_way_meetings if m.agreed_notes]
        return sum(1 for s in [*self.summaries, *meetings] if not s.is_released)

    @property
    def progress_bar_svg(self):
        return charts.progress_bar(
            chart_id=f"progress-{self.engagement_id}", held=self.held, planned=self.planned_sessions
        )


def _shared_summary(session: Session, *, include_unreleased: bool) -> SharedSummary | None:
    """The session's summary if the sponsor sees it, or (for a preview) if it is marked for the sponsor."""
    if not (session.summary_shared_with_sponsor and session.shared_summary):
        return None
    if session.summary_released_at is None and not include_unreleased:
        return None
    return SharedSummary(
        session_id=session.pk,
        session_starts_at=session.starts_at,
        kind_label=session.get_kind_display(),
        text=session.shared_summary,
        released_at=session.summary_released_at,
    )


def _fieldwork_facts(engagement_id: int, *, starts_on: date) -> FieldworkFacts:
    """Counts of commitments, logs and reviews, and attempts logged per week: two queries, no text.

    The weekly chart starts with the week the engagement began: weeks before it are not inactivity.
    """
    counts = fieldwork_counts(engagement_ids=[engagement_id])[engagement_id]
    weeks = logs_per_week(engagement_ids=[engagement_id], weeks=FIELDWORK_WEEKS)[engagement_id]
    weeks = [w for w in weeks if w["start"] + timedelta(days=6) >= starts_on] or weeks[-1:]
    values = [w["count"] for w in weeks]
    chart = charts.bar_chart(
        chart_id=f"practice-{engagement_id}",
        title=gettext("Practice logged per week"),
        description=(
            ngettext(
                "Attempts at agreed fieldwork logged by the leader in the first week of the engagement: "
                "%(total)d in total.",
                "Attempts at agreed fieldwork logged by the leader in each of the last %(weeks)d weeks: "
                "%(total)d in total.",
                len(weeks),
            )
            % {"weeks": len(weeks), "total": sum(values)}
        ),
        labels=[date_format(w["start"], "DAY_MONTH") for w in weeks],
        values=values,
        label_header=gettext("Week of"),
        value_header=gettext("Attempts logged"),
    )
    return FieldworkFacts(
        commitments=counts["commitments"],
        logs=counts["logs"],
        reviewed=counts["reviewed"],
        completed=counts["completed"],
        weekly_chart=chart,
    )


def distinct_date_labels(dates: list[date]) -> list[str]:
    """Short axis labels that tell every point apart: the month ("Mar 2026") when each point has its
    own month, otherwise the day ("3 Mar", with the year when the points span years)."""
    for fmt in ("MONTH_YEAR", "DAY_MONTH", "DATE_MEDIUM"):
        labels = [date_format(d, fmt) for d in dates]
        if fmt == "DAY_MONTH" and len({d.year for d in dates}) > 1:
            continue
        if len(set(labels)) == len(labels):
            return labels
    return [f"{n}. {label}" for n, label in enumerate(labels, start=1)]


def _goal_trends(engagement: Engagement) -> dict[int, charts.Chart]:
    """Per goal id, the stakeholders' net score across closed progress rounds as a chart.

    Only rounds and rater groups that met the engagement's anonymity threshold count (the stakeholders
    app decides); a round where no group did is a gap in the line. Goals without any score are left out.
    Two queries, three once a round has closed.
    """
    trends = {}
    for goal, points in released_trend(engagement=engagement).items():
        if all(p.net is None for p in points):
            continue
        latest = next(p for p in reversed(points) if p.net is not None)
        trends[goal.pk] = charts.score_line_chart(
            chart_id=f"trend-{goal.pk}",
            title=gettext("Stakeholder net score: %(goal)s") % {"goal": goal.title},
            description=(
                gettext(
                    "Average stakeholder rating from -3 (much less effective) to +3 (much more effective) in each "
                    "closed feedback round; the dashed line marks the +1 target. Latest: %(net)s (%(round)s)."
                )
                % {"net": f"{latest.net:+.1f}", "round": latest.label}
            ),
            labels=distinct_date_labels([p.date for p in points]),
            row_labels=[f"{p.label}, {date_format(p.date, 'DATE_MEDIUM')}" for p in points],
            values=[None if p.net is None else round(p.net, 1) for p in points],
        )
    return trends


def engagement_summary(*, viewer: User, pk: int, preview: bool = True, as_reviewer: bool = False) -> EngagementSummary:
    """The progress summary of engagement `pk` as `viewer` may read it (raises Engagement.DoesNotExist).

    The engagement is looked up among those the viewer takes part in (coach, leader or sponsor).
    The coach and the leader see exactly what a sponsor sees plus, when `preview` is on, summaries the
    coach has marked "shared with sponsor" but not released yet, flagged as such. A sponsor never sees
    an unreleased summary, and neither does the PDF (it is built with `preview=False`).
    `as_reviewer`: the engagement is looked up among the reviewer's practice's engagements instead, and
    the reviewer reads exactly what a sponsor reads.
    """
    base = Engagement.objects.reviewed_by(viewer) if as_reviewer else Engagement.objects.visible_to(viewer)
    engagement = base.select_related("coach", "leader").prefetch_related("sponsors", "goals").get(pk=pk)
    if as_reviewer:
        viewer_role = "reviewer"
    elif engagement.coach_id == viewer.pk:
        viewer_role = "coach"
    elif engagement.leader_id == viewer.pk:
        viewer_role = "leader"
    else:
        viewer_role = "sponsor"
    include_unreleased = preview and viewer_role not in ("sponsor", "reviewer")
    sessions = list(
        Session.objects.filter(engagement_id=engagement.pk).only(*SESSION_FIELDS).order_by("starts_at", "pk")
    )
    agenda: dict[int, list[str]] = {}
    rows = (
        AgendaItem.objects.filter(
            session__engagement_id=engagement.pk, session__kind=Session.Kind.THREE_WAY, visible_to_sponsor=True
        )
        .order_by("created_at", "pk")
        .values_list("session_id", "text")
    )
    for session_id, text in rows:
        agenda.setdefault(session_id, []).append(text)

    now = timezone.now()
    # Only true attendance counts: held and no-show once the session has started (a late cancellation
    # is recorded when it happens).
    attended = [s for s in sessions if s.attendance_is_true(now)]
    held = [s for s in attended if s.status == Session.Status.HELD]
    upcoming = [s for s in sessions if s.status == Session.Status.SCHEDULED and s.starts_at >= now]
    meetings = tuple(
        ThreeWayMeeting(
            session_id=s.pk,
            starts_at=s.starts_at,
            duration_minutes=s.duration_minutes,
            mode_label=s.get_mode_display(),
            location=s.location,
            status=s.status,
            status_label=s.get_status_display(),
            agenda=tuple(agenda.get(s.pk, ())),
            agreed_notes=_shared_summary(s, include_unreleased=include_unreleased),
        )
        for s in sessions
        if s.kind == Session.Kind.THREE_WAY and s.status != Session.Status.CANCELLED
    )
    summaries = tuple(
        summary
        for s in reversed(sessions)
        if s.kind != Session.Kind.THREE_WAY
        and (summary := _shared_summary(s, include_unreleased=include_unreleased)) is not None
    )
    trends = _goal_trends(engagement)
    return EngagementSummary(
        engagement_id=engagement.pk,
        leader_name=str(engagement.leader),
        coach_name=str(engagement.coach),
        sponsor_names=tuple(str(s) for s in engagement.sponsors.all()),
        organisation=engagement.organisation,
        status=engagement.status,
        status_label=engagement.get_status_display(),
        start_date=engagement.start_date,
        planned_end_date=engagement.planned_end_date,
        planned_sessions=engagement.planned_sessions,
        held=len(held),
        no_shows=sum(1 for s in attended if s.status == Session.Status.NO_SHOW),
        late_cancels=sum(1 for s in attended if s.status == Session.Status.LATE_CANCEL),
        last_session_at=held[-1].starts_at if held else None,
        next_session_at=upcoming[0].starts_at if upcoming else None,
        goals=tuple(
            GoalFacts(title=g.title, description=g.description, why_it_matters=g.why_it_matters, trend=trends.get(g.pk))
            for g in engagement.goals.all()
        ),
        attendance=tuple(
            AttendanceRow(
                starts_at=s.starts_at,
                kind_label=s.get_kind_display(),
                status=s.status,
                status_label=s.get_status_display(),
            )
            for s in reversed(attended)
            if s.status in ATTENDANCE_STATUSES
        ),
        three_way_meetings=meetings,
        summaries=summaries,
        fieldwork=_fieldwork_facts(engagement.pk, starts_on=engagement.start_date),
        has_stakeholder_results=bool(trends),
        includes_previews=include_unreleased,
        viewer_role=viewer_role,
        generated_at=now,
    )
