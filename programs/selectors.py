"""Reads for program pages: the program dashboard with its suppression rule, and the ledger.

The suppression rule, applied in `suppressed()` and `_program_figures` and nowhere else: no figure
about fewer than `MIN_LEADERS` leaders is shown. A program with fewer enrolled leaders shows no
aggregate at all. A count of leaders (with a status, stalled, with a no-show, per goal theme, per
band of stakeholder change) of 1 or 2 is replaced by "fewer than 3"; when that would leave a single
hidden cell in a row whose total is on the page, the next smallest cell is hidden too, so no
subtraction recovers it. The dashboard reads counts only: never a text a sponsor may not see, and
no goal text at all (themes are counted from goal titles into a fixed list of themes).

Per-leader rows show only facts of that leader's sponsor summary, and only for leaders who released
their row (`RowRelease`).

Queries of `program_dashboard` (fixed, however many engagements): the engagements with leader and
release; session figures per engagement; fieldwork counts; the stakeholder trend (closed rounds,
goals, scores).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement, Session
from fieldwork.selectors import fieldwork_counts
from stakeholders.selectors import released_trends

from .models import MIN_LEADERS, LedgerEntry, Program

LEDGER_ON_PANEL = 10

# Goal themes, each with the word stems that put a goal title in it. A title may match several.
THEMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("composure", _("Composure under pressure"), ("calm", "compos", "pressure", "stress", "patien")),
    ("delegation", _("Delegation"), ("delegat", "hand over", "let go")),
    ("developing", _("Developing others"), ("develop", "mentor", "successor", "grow my", "coach my")),
    ("feedback", _("Giving and receiving feedback"), ("feedback",)),
    ("voice", _("Speaking up and influence"), ("speak", "voice", "influenc", "presence", "senior meeting")),
    ("trust", _("Trust and relationships"), ("trust", "peer", "relationship", "stakeholder", "collaborat")),
    ("strategy", _("Strategy and priorities"), ("strateg", "priorit", "vision", "focus")),
    ("communication", _("Communication"), ("communicat", "listen", "clarity", "clear")),
)
OTHER_THEME = ("other", _("Other goals"))

# Bands of change in stakeholders' net score from one closed round to the next.
CHANGE_BANDS = (
    ("fell", _("Fell by more than 0.25")),
    ("steady", _("Within 0.25 either way")),
    ("rose", _("Rose by more than 0.25")),
)


def themes_of(title: str) -> list[str]:
    text = re.sub(r"\s+", " ", title.lower())
    keys = [key for key, _label, stems in THEMES if any(stem in text for stem in stems)]
    return keys or [OTHER_THEME[0]]


def _band(change: float) -> str:
    if change < -0.25:
        return "fell"
    if change > 0.25:
        return "rose"
    return "steady"


def suppressed(counts: dict[str, int], *, complementary: bool = True) -> dict[str, int | None]:
    """`counts` of leaders with every count of 1 or 2 replaced by None (shown as "fewer than 3").

    With `complementary` (a row whose total is shown), a lone hidden cell takes the next smallest
    cell with it, so the hidden one cannot be worked out from the total.
    """
    shown: dict[str, int | None] = {k: (None if 0 < n < MIN_LEADERS else n) for k, n in counts.items()}
    hidden = [k for k, v in shown.items() if v is None]
    if complementary and len(hidden) == 1:
        others = sorted((n, k) for k, n in counts.items() if k not in hidden and shown[k] is not None and n > 0)
        if not others:
            others = sorted((n, k) for k, n in counts.items() if k not in hidden)
        if others:
            shown[others[0][1]] = None
    return shown


def one_count(n: int) -> int | None:
    """A single count of leaders: None when it is about 1 or 2 leaders."""
    return None if 0 < n < MIN_LEADERS else n


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    value: int | None  # None: suppressed

    @property
    def is_suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class ChangeRow:
    label: str
    leaders: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class LeaderRow:
    """One leader's row: facts of their sponsor summary only, shown once they released it."""

    engagement_id: int
    leader_id: int
    leader_name: str
    status_label: str
    planned_sessions: int
    held: int
    no_shows: int
    late_cancels: int
    last_session_at: datetime | None
    next_session_at: datetime | None
    commitments: int
    logs: int
    completion_rate: int | None


@dataclass
class Dashboard:
    program: Program
    invited: int  # engagements whose leader has not accepted yet
    leaders: int  # enrolled leaders, the base of every figure
    shows_figures: bool
    status_cells: tuple[Cell, ...] = ()
    held: int = 0
    planned: int = 0
    no_shows: int = 0
    late_cancels: int = 0
    leaders_with_no_show: int | None = None
    stalled: int | None = None
    commitments: int = 0
    logs: int = 0
    reviewed: int = 0
    completed: int = 0
    leaders_practising: int | None = None
    theme_cells: tuple[Cell, ...] = ()
    change_rows: tuple[ChangeRow, ...] = ()
    rows: tuple[LeaderRow, ...] = ()
    not_released: int = 0
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def min_leaders(self) -> int:
        return MIN_LEADERS

    @property
    def utilisation(self) -> int | None:
        return round(100 * self.held / self.planned) if self.planned else None

    @property
    def completion_rate(self) -> int | None:
        return round(100 * self.completed / self.reviewed) if self.reviewed else None

    @property
    def any_suppressed(self) -> bool:
        cells = [*self.status_cells, *self.theme_cells, *(c for r in self.change_rows for c in r.cells)]
        singles = (self.leaders_with_no_show, self.stalled, self.leaders_practising)
        return not self.shows_figures or any(c.is_suppressed for c in cells) or any(v is None for v in singles)


def program_for_manager(*, user, pk: int) -> Program:
    """A program `user` manages, with its organisation (one query); Program.DoesNotExist otherwise."""
    return Program.objects.managed_by(user).select_related("organisation").get(pk=pk)


def _session_figures(engagement_ids: list[int], now: datetime) -> dict[int, dict]:
    """Per engagement: sessions held, no-shows, late cancellations, last held and next booked (one query)."""
    S = Session.Status
    rows = (
        Session.objects.filter(engagement_id__in=engagement_ids)
        .values("engagement_id")
        .annotate(
            held=Count("pk", filter=Q(status=S.HELD)),
            no_shows=Count("pk", filter=Q(status=S.NO_SHOW)),
            late_cancels=Count("pk", filter=Q(status=S.LATE_CANCEL)),
            last_held=Max("starts_at", filter=Q(status=S.HELD)),
            next_booked=Min("starts_at", filter=Q(status=S.SCHEDULED, starts_at__gte=now)),
        )
        .order_by()
    )
    return {r["engagement_id"]: r for r in rows}


def program_dashboard(*, program: Program, now: datetime | None = None) -> Dashboard:
    """The program's dashboard under the suppression rule (see the module docstring)."""
    now = now or timezone.now()
    engagements = list(
        Engagement.objects.filter(program=program)
        .select_related("leader", "coach", "row_release")
        .order_by("leader__full_name", "pk")
    )
    enrolled = [e for e in engagements if not e.awaiting_leader]
    invited = len(engagements) - len(enrolled)
    leader_ids = {e.leader_id for e in enrolled}
    ids = [e.pk for e in enrolled]
    sessions = _session_figures(ids, now) if ids else {}
    fieldwork = fieldwork_counts(engagement_ids=ids) if ids else {}
    trends = released_trends(engagements=enrolled) if ids else {}
    empty_sessions = {"held": 0, "no_shows": 0, "late_cancels": 0, "last_held": None, "next_booked": None}
    empty_fieldwork = {"commitments": 0, "logs": 0, "reviewed": 0, "completed": 0}

    rows = []
    for e in enrolled:
        if not hasattr(e, "row_release"):
            continue
        s, f = sessions.get(e.pk, empty_sessions), fieldwork.get(e.pk, empty_fieldwork)
        rows.append(
            LeaderRow(
                engagement_id=e.pk,
                leader_id=e.leader_id,
                leader_name=str(e.leader),
                status_label=e.get_status_display(),
                planned_sessions=e.planned_sessions,
                held=s["held"],
                no_shows=s["no_shows"],
                late_cancels=s["late_cancels"],
                last_session_at=s["last_held"],
                next_session_at=s["next_booked"],
                commitments=f["commitments"],
                logs=f["logs"],
                completion_rate=round(100 * f["completed"] / f["reviewed"]) if f["reviewed"] else None,
            )
        )
    dashboard = Dashboard(
        program=program,
        invited=one_count(invited) if len(leader_ids) >= MIN_LEADERS else None,
        leaders=len(leader_ids),
        shows_figures=len(leader_ids) >= MIN_LEADERS,
        rows=tuple(rows),
        not_released=len(enrolled) - len(rows),
        generated_at=now,
    )
    if not dashboard.shows_figures:
        return dashboard

    statuses = Counter(e.status for e in enrolled)
    shown = suppressed({value: statuses.get(value, 0) for value in Engagement.Status.values})
    dashboard.status_cells = tuple(Cell(v, label, shown[v]) for v, label in Engagement.Status.choices)

    stalled_before = now - timedelta(weeks=program.stalled_after_weeks)
    stalled = 0
    for e in enrolled:
        s = sessions.get(e.pk, empty_sessions)
        dashboard.held += s["held"]
        dashboard.no_shows += s["no_shows"]
        dashboard.late_cancels += s["late_cancels"]
        quiet = (s["last_held"] or datetime.combine(e.start_date, datetime.min.time(), tzinfo=now.tzinfo)) < (
            stalled_before
        )
        if e.status == Engagement.Status.ACTIVE and quiet and s["next_booked"] is None:
            stalled += 1
        f = fieldwork.get(e.pk, empty_fieldwork)
        dashboard.commitments += f["commitments"]
        dashboard.logs += f["logs"]
        dashboard.reviewed += f["reviewed"]
        dashboard.completed += f["completed"]
    dashboard.planned = len(enrolled) * program.planned_sessions
    dashboard.stalled = one_count(stalled)
    dashboard.leaders_with_no_show = one_count(
        len({e.leader_id for e in enrolled if sessions.get(e.pk, empty_sessions)["no_shows"]})
    )
    dashboard.leaders_practising = one_count(
        len({e.leader_id for e in enrolled if fieldwork.get(e.pk, empty_fieldwork)["logs"]})
    )

    theme_leaders: dict[str, set[int]] = defaultdict(set)
    by_round: dict[int, Counter] = defaultdict(Counter)
    engagement_by_pk = {e.pk: e for e in enrolled}
    for pk, trend in trends.items():
        leader_id = engagement_by_pk[pk].leader_id
        per_round: dict[int, list[float]] = defaultdict(list)
        for goal, points in trend.items():
            for key in themes_of(goal.title):
                theme_leaders[key].add(leader_id)
            for index, point in enumerate(points):
                if point.net is not None:
                    per_round[index].append(point.net)
        means = {i: sum(v) / len(v) for i, v in per_round.items()}
        for i in sorted(means):
            if i >= 1 and i - 1 in means:
                by_round[i][_band(means[i] - means[i - 1])] += 1
    labels = dict([*((k, label) for k, label, _stems in THEMES), OTHER_THEME])
    dashboard.theme_cells = tuple(
        Cell(key, labels[key], one_count(len(theme_leaders[key])))
        for key in [*(k for k, _l, _s in THEMES), OTHER_THEME[0]]
        if theme_leaders.get(key)
    )
    change_rows = []
    for i in sorted(by_round):
        total = sum(by_round[i].values())
        if total < MIN_LEADERS:
            continue
        shown = suppressed({k: by_round[i].get(k, 0) for k, _label in CHANGE_BANDS})
        change_rows.append(
            ChangeRow(
                label=_("Round %(to)s against round %(from)s") % {"to": i + 1, "from": i},
                leaders=total,
                cells=tuple(Cell(k, label, shown[k]) for k, label in CHANGE_BANDS),
            )
        )
    dashboard.change_rows = tuple(change_rows)
    return dashboard


def ledger_for(*, engagement: Engagement, limit: int | None = None) -> dict:
    """The looks at the leader's data, newest first, and whether their program row is released (two queries)."""
    entries = LedgerEntry.objects.filter(engagement_id=engagement.pk).order_by("-at", "-pk")
    facts = (
        Engagement.objects.filter(pk=engagement.pk)
        .values("program__name", "program__organisation__name", "row_release__released_at")
        .first()
        or {}
    )
    return {
        "entries": list(entries[:limit] if limit else entries),
        "program_name": facts.get("program__name"),
        "released_at": facts.get("row_release__released_at"),
        "limit": limit,
    }
