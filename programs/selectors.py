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

Queries of `program_dashboard`: six, whatever the data (no query is skipped when a list is empty or
a figure is suppressed), each a grouped read of the program's engagements that returns plain values,
never model instances: the engagements (leader's name, status, release); session figures per
engagement; fieldwork counts per engagement; the leaders' goal titles; the closed progress rounds in
order; the stakeholders' scores counted and summed per round, goal and rater group, only the groups
that meet the engagement's anonymity threshold. Pages that show the dashboard record it in the ledger
with `services.ledger_record_rows`, one statement also when no row is shown.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement, Goal, Session
from fieldwork.models import Commitment, PracticeLog
from stakeholders.models import FeedbackRound, GoalScore
from stakeholders.selectors import GROUP_ORDER

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


def _enrolled(program: Program) -> Q:
    """Engagements of `program` whose leader accepted, seen from a related model's `engagement`."""
    return Q(engagement__program=program, engagement__awaiting_leader=False)


def _session_figures(program: Program, now: datetime) -> dict[int, dict]:
    """Per enrolled engagement with sessions: held, no-shows, late cancellations, last held and next
    booked (one query)."""
    S = Session.Status
    rows = (
        Session.objects.filter(_enrolled(program))
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


def _fieldwork_figures(program: Program) -> dict[int, dict]:
    """Per enrolled engagement with commitments: agreed, reviewed, completed and attempts logged (one
    query, the attempts counted per commitment in a subquery rather than by joining every log)."""
    logs = (
        PracticeLog.objects.filter(commitment=OuterRef("pk"), kind=PracticeLog.Kind.PRACTISED)
        .order_by()
        .values("commitment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Commitment.objects.filter(_enrolled(program))
        .values("engagement_id")
        .annotate(
            commitments=Count("pk"),
            reviewed=Count("pk", filter=~Q(outcome=Commitment.Outcome.OPEN)),
            completed=Count("pk", filter=Q(outcome=Commitment.Outcome.DONE)),
            logs=Sum(Coalesce(Subquery(logs, output_field=IntegerField()), 0)),
        )
        .order_by()
    )
    return {r["engagement_id"]: r for r in rows}


def _change_per_round(program: Program) -> dict[int, Counter]:
    """Per round index (0 the first closed progress round), leaders by band of change in their
    stakeholders' net score since the round before (two queries).

    The same figures as the sponsor summary's trend (`stakeholders.selectors.released_trend`): a
    goal's net score in a round pools the rater groups that meet the engagement's anonymity threshold;
    an engagement's score in a round is the mean of its goals' net scores; a change is counted only
    between two consecutive closed progress rounds that both have a score.
    """
    rounds = FeedbackRound.objects.filter(
        _enrolled(program), kind=FeedbackRound.Kind.PROGRESS, status=FeedbackRound.Status.CLOSED
    )
    index: dict[int, tuple[int, int]] = {}  # round id: (engagement id, its place among the engagement's rounds)
    seen: Counter = Counter()
    for round_id, engagement_id in rounds.order_by("opens_on", "pk").values_list("pk", "engagement_id"):
        index[round_id] = (engagement_id, seen[engagement_id])
        seen[engagement_id] += 1
    # Rater groups that meet the engagement's threshold, with their count and sum of scores per goal.
    groups = (
        GoalScore.objects.filter(
            response__request__round__engagement__program=program,
            response__request__round__engagement__awaiting_leader=False,
            response__request__round__kind=FeedbackRound.Kind.PROGRESS,
            response__request__round__status=FeedbackRound.Status.CLOSED,
            response__relationship__in=GROUP_ORDER,
            goal__engagement_id=F("response__request__round__engagement_id"),
        )
        .values(
            "response__request__round_id",
            "goal_id",
            "response__relationship",
            "response__request__round__engagement__anonymity_threshold",
        )
        .annotate(n=Count("pk"), total=Sum("score"))
        .filter(n__gte=F("response__request__round__engagement__anonymity_threshold"))
        .values_list("response__request__round_id", "goal_id", "n", "total")
        .order_by("response__request__round_id", "goal__position", "goal_id")  # the summary's order of goals
    )
    pooled: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for round_id, goal_id, n, total in groups:
        if round_id not in index:
            continue  # closed since the rounds were read: it counts from the next look on
        pooled[(round_id, goal_id)][0] += n
        pooled[(round_id, goal_id)][1] += total
    nets: dict[tuple[int, int], list[float]] = defaultdict(list)  # (engagement, round index): goals' nets
    for (round_id, _goal_id), (n, total) in pooled.items():
        nets[index[round_id]].append(total / n)
    by_round: dict[int, Counter] = defaultdict(Counter)
    for (engagement_id, i), values in nets.items():
        before = nets.get((engagement_id, i - 1)) if i >= 1 else None
        if before:
            by_round[i][_band(sum(values) / len(values) - sum(before) / len(before))] += 1
    return by_round


def program_dashboard(*, program: Program, now: datetime | None = None) -> Dashboard:
    """The program's dashboard under the suppression rule (see the module docstring)."""
    now = now or timezone.now()
    engagements = list(
        Engagement.objects.filter(program=program)
        .order_by("leader__full_name", "pk")
        .values(
            "pk",
            "leader_id",
            "leader__full_name",
            "leader__email",
            "awaiting_leader",
            "status",
            "start_date",
            "planned_sessions",
            "row_release__pk",
        )
    )
    enrolled = [e for e in engagements if not e["awaiting_leader"]]
    invited = len(engagements) - len(enrolled)
    leader_ids = {e["leader_id"] for e in enrolled}
    sessions = _session_figures(program, now)
    fieldwork = _fieldwork_figures(program)
    goals = list(
        Goal.objects.filter(_enrolled(program)).values_list("engagement__leader_id", "title").distinct().order_by()
    )
    by_round = _change_per_round(program)
    empty_sessions = {"held": 0, "no_shows": 0, "late_cancels": 0, "last_held": None, "next_booked": None}
    empty_fieldwork = {"commitments": 0, "logs": 0, "reviewed": 0, "completed": 0}
    statuses = dict(Engagement.Status.choices)

    rows = []
    for e in enrolled:
        if e["row_release__pk"] is None:
            continue
        s, f = sessions.get(e["pk"], empty_sessions), fieldwork.get(e["pk"], empty_fieldwork)
        rows.append(
            LeaderRow(
                engagement_id=e["pk"],
                leader_id=e["leader_id"],
                leader_name=e["leader__full_name"] or e["leader__email"],
                status_label=str(statuses.get(e["status"], e["status"])),
                planned_sessions=e["planned_sessions"],
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

    status_counts = Counter(e["status"] for e in enrolled)
    shown = suppressed({value: status_counts.get(value, 0) for value in Engagement.Status.values})
    dashboard.status_cells = tuple(Cell(v, label, shown[v]) for v, label in Engagement.Status.choices)

    stalled_before = now - timedelta(weeks=program.stalled_after_weeks)
    stalled = 0
    with_no_show: set[int] = set()
    practising: set[int] = set()
    for e in enrolled:
        s = sessions.get(e["pk"], empty_sessions)
        dashboard.held += s["held"]
        dashboard.no_shows += s["no_shows"]
        dashboard.late_cancels += s["late_cancels"]
        if s["no_shows"]:
            with_no_show.add(e["leader_id"])
        started = datetime.combine(e["start_date"], datetime.min.time(), tzinfo=now.tzinfo)
        quiet = (s["last_held"] or started) < stalled_before
        if e["status"] == Engagement.Status.ACTIVE and quiet and s["next_booked"] is None:
            stalled += 1
        f = fieldwork.get(e["pk"], empty_fieldwork)
        dashboard.commitments += f["commitments"]
        dashboard.logs += f["logs"]
        dashboard.reviewed += f["reviewed"]
        dashboard.completed += f["completed"]
        if f["logs"]:
            practising.add(e["leader_id"])
    dashboard.planned = len(enrolled) * program.planned_sessions
    dashboard.stalled = one_count(stalled)
    dashboard.leaders_with_no_show = one_count(len(with_no_show))
    dashboard.leaders_practising = one_count(len(practising))

    theme_leaders: dict[str, set[int]] = defaultdict(set)
    for leader_id, title in goals:
        for key in themes_of(title):
            theme_leaders[key].add(leader_id)
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
