"""Reads for stakeholder feedback pages, and the anonymity rules every result goes through.

Anonymity (DESIGN section 2), applied in `_figures` and nowhere else:

- A rater group (managers, peers, direct reports, others) appears in a goal's results only when it has
  at least K answers for that goal, K being the engagement's `anonymity_threshold`.
- "Everyone" is pooled from the groups that meet K only. A group below K is left out, not merged, so
  subtracting the shown groups from "everyone" leaves nothing to recover.
- The manager group follows the same rule. The design says the manager's answers form their own group
  "shown only with the manager's knowledge"; we read that as an extra condition (the answer form tells
  the manager), not as a waiver of K: section 2 also says no one sees an individual answer attributed
  to a person, and a manager group of one would be exactly that. So a lone manager's scores stay out
  of the figures until K managers have answered; their written suggestions still appear, unattributed.
- Results of a round appear only once it is closed. While it is open the figures would change with
  each answer, and anyone who knows who answered between two looks could subtract one from the other.
- Written suggestions and open answers are shown without names or timestamps, in a fresh random
  order on each page, only when at least K people answered (so a lone answer's text is never on
  show), and only from groups that are shown (and the manager's, as above). A group left out of the
  figures is left out of the texts too: with "peers: 1 asked" on the page, a fourth suggestion next
  to three direct reports' would be the lone peer's.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from engagements.models import Engagement, Goal
from notifications.models import Kind, Notification

from .models import (
    SCORE_MAX,
    SCORE_MIN,
    FeedbackRequest,
    FeedbackResponse,
    FeedbackRound,
    GoalScore,
    Relationship,
    Stakeholder,
)

SCALE = list(range(SCORE_MIN, SCORE_MAX + 1))
GROUP_ORDER = [Relationship.MANAGER, Relationship.PEER, Relationship.DIRECT_REPORT, Relationship.OTHER]
EVERYONE = "everyone"


@dataclass
class Figure:
    """The figures of one rater group (or "everyone") for one goal. Scores only when `shown`."""

    key: str
    label: str
    asked: int = 0
    answered: int = 0
    shown: bool = False
    mean: float | None = None
    distribution: list[tuple[int, int]] = field(default_factory=list)

    @property
    def peak(self) -> int:
        return max((count for _, count in self.distribution), default=0)


def _figures(*, scores_by_group: dict[str, list[int]], asked_by_group: dict[str, int], threshold: int):
    """(everyone, groups) for one goal, applying K (see the module docstring)."""
    groups = []
    pooled: list[int] = []
    for key in GROUP_ORDER:
        scores = scores_by_group.get(key, [])
        figure = Figure(key=key, label=Relationship.plural(key), asked=asked_by_group.get(key, 0), answered=len(scores))
        if scores and len(scores) >= threshold:
            figure.shown = True
            figure.mean = sum(scores) / len(scores)
            figure.distribution = [(s, scores.count(s)) for s in SCALE]
            pooled.extend(scores)
        groups.append(figure)
    everyone = Figure(
        key=EVERYONE,
        label=gettext("Everyone shown"),
        asked=sum(asked_by_group.values()),
        answered=len(pooled),
        shown=bool(pooled),
    )
    if pooled:
        everyone.mean = sum(pooled) / len(pooled)
        everyone.distribution = [(s, pooled.count(s)) for s in SCALE]
    return everyone, groups


def _texts_shown(group: str, answers: int, threshold: int) -> bool:
    """Whether a group's written answers may be shown: it meets K, or it is the manager's group."""
    return answers >= threshold or group == Relationship.MANAGER


def _shuffled(texts: list[str]) -> list[str]:
    texts = [t for t in texts if t]
    secrets.SystemRandom().shuffle(texts)
    return texts


# --- Pages --------------------------------------------------------------------------------------


ROSTER_ORDER = {Stakeholder.Status.NOMINATED: 0, Stakeholder.Status.APPROVED: 1, Stakeholder.Status.INACTIVE: 2}


def roster_for(*, engagement: Engagement) -> list[Stakeholder]:
    """The roster with goals, who added each person and who last changed their address, and how often
    each was asked (two queries): nominations waiting for approval first, then active people, then
    inactive ones, each by name."""
    roster = list(
        Stakeholder.objects.filter(engagement=engagement)
        .select_related("nominated_by", "email_changed_by")
        .prefetch_related("goals")
        .annotate(times_asked=Count("requests"))
        .order_by("name", "pk")
    )
    return sorted(roster, key=lambda s: ROSTER_ORDER[s.status])


def rounds_for(*, engagement: Engagement) -> list[FeedbackRound]:
    """Every round with its number of people asked and answered (one query), newest first."""
    rounds = list(
        FeedbackRound.objects.filter(engagement=engagement)
        .annotate(
            asked=Count("requests", filter=Q(requests__withdrawn_at__isnull=True)),
            answered=Count("requests", filter=Q(requests__answered_at__isnull=False)),
        )
        .order_by("-opens_on", "-pk")
    )
    for r in rounds:
        r.engagement = engagement
    return rounds


def round_locked(*, engagement: Engagement) -> bool:
    return FeedbackRound.objects.filter(engagement=engagement).opened().exists()


def panel_summary(*, engagement: Engagement) -> dict:
    """What the engagement page shows about stakeholder feedback (two queries)."""
    counts = Stakeholder.objects.filter(engagement=engagement).aggregate(
        active=Count("pk", filter=Q(status=Stakeholder.Status.APPROVED)),
        waiting=Count("pk", filter=Q(status=Stakeholder.Status.NOMINATED)),
    )
    rounds = rounds_for(engagement=engagement)
    return {
        "active": counts["active"],
        "waiting": counts["waiting"],
        "open_round": next((r for r in rounds if r.status == FeedbackRound.Status.OPEN), None),
        "last_closed": next((r for r in rounds if r.status == FeedbackRound.Status.CLOSED), None),
        "next_draft": next((r for r in reversed(rounds) if r.status == FeedbackRound.Status.DRAFT), None),
        "round_count": len(rounds),
    }


def round_detail(*, round_qs: QuerySet[FeedbackRound], pk: int) -> FeedbackRound:
    """One round with its engagement, coach and leader (one query)."""
    return round_qs.select_related("engagement__coach", "engagement__leader").get(pk=pk)


def requests_for(*, feedback_round: FeedbackRound) -> list[FeedbackRequest]:
    """The round's requests with each stakeholder and, as `delivery`, the outbox row of the e-mail that
    carries the current link (None when none was sent), for the coach's round page (two queries)."""
    requests = list(
        FeedbackRequest.objects.filter(round=feedback_round)
        .select_related("stakeholder")
        .order_by("stakeholder__name", "pk")
    )
    keys = {r.send_period_key: r for r in requests if r.send_count}
    rows = Notification.objects.filter(
        kind=Kind.STAKEHOLDER_REQUEST, engagement_id=feedback_round.engagement_id, period_key__in=list(keys)
    ).only("pk", "period_key", "status", "sent_at", "last_error", "skip_reason", "attempts", "recipient_email")
    deliveries = {row.period_key: row for row in rows} if keys else {}
    for r in requests:
        r.delivery = deliveries.get(r.send_period_key) if r.send_count else None
    return requests


def not_yet_asked(*, feedback_round: FeedbackRound) -> list[Stakeholder]:
    """Active stakeholders with no request in this round: approved after it opened (one query)."""
    return list(
        Stakeholder.objects.filter(engagement_id=feedback_round.engagement_id)
        .active()
        .exclude(requests__round=feedback_round)
        .order_by("name")
    )


# --- Results ------------------------------------------------------------------------------------


@dataclass
class GoalResult:
    goal: Goal
    asked: int
    answered: int
    everyone: Figure
    groups: list[Figure]
    suggestions: list[str]
    suggestions_hidden: bool


@dataclass
class RoundResults:
    round: FeedbackRound
    threshold: int
    asked: int
    answered: int
    released: bool
    goals: list[GoalResult] = field(default_factory=list)
    questions: list[tuple[str, list[str]]] = field(default_factory=list)
    texts_hidden: bool = False

    @property
    def response_rate(self) -> int:
        return round(100 * self.answered / self.asked) if self.asked else 0


def round_results(*, feedback_round: FeedbackRound) -> RoundResults:
    """Results of one round for its coach and leader (four queries once closed, one while open).

    While the round is open only the counts of people asked and answered are returned.
    """
    engagement = feedback_round.engagement
    threshold = engagement.anonymity_threshold
    counts = FeedbackRequest.objects.filter(round=feedback_round).aggregate(
        asked=Count("pk", filter=Q(withdrawn_at__isnull=True)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )
    results = RoundResults(
        round=feedback_round,
        threshold=threshold,
        asked=counts["asked"],
        answered=counts["answered"],
        released=feedback_round.status == FeedbackRound.Status.CLOSED,
    )
    if not results.released:
        return results

    goals = {g.pk: g for g in Goal.objects.filter(engagement=engagement).order_by("position", "pk")}
    asked: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for goal_id, relationship, n in (
        FeedbackRequest.goals.through.objects.filter(
            feedbackrequest__round=feedback_round, feedbackrequest__withdrawn_at__isnull=True
        )
        .values_list("goal_id", "feedbackrequest__relationship")
        .annotate(n=Count("pk"))
    ):
        asked[goal_id][relationship] += n
    scores: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    suggestions: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for goal_id, relationship, score, suggestion in GoalScore.objects.filter(
        response__request__round=feedback_round
    ).values_list("goal_id", "response__relationship", "score", "suggestion"):
        scores[goal_id][relationship].append(score)
        suggestions[goal_id].append((relationship, suggestion))

    for goal_id, goal in goals.items():
        if goal_id not in asked and goal_id not in scores:
            continue
        everyone, groups = _figures(scores_by_group=scores[goal_id], asked_by_group=asked[goal_id], threshold=threshold)
        answered = sum(len(v) for v in scores[goal_id].values())
        enough = answered >= threshold
        shown = {group for group, values in scores[goal_id].items() if _texts_shown(group, len(values), threshold)}
        results.goals.append(
            GoalResult(
                goal=goal,
                asked=sum(asked[goal_id].values()),
                answered=answered,
                everyone=everyone,
                groups=groups,
                suggestions=_shuffled([text for group, text in suggestions[goal_id] if group in shown])
                if enough
                else [],
                suggestions_hidden=not enough and any(text for _, text in suggestions[goal_id]),
            )
        )

    leader = engagement.leader.get_short_name()
    rows = list(
        FeedbackResponse.objects.filter(request__round=feedback_round).values_list(
            "relationship", "keep_doing", "start_doing", "support", "organisation"
        )
    )
    group_sizes: dict[str, int] = defaultdict(int)
    for row in rows:
        group_sizes[row[0]] += 1
    texts = [row[1:] for row in rows if _texts_shown(row[0], group_sizes[row[0]], threshold)]
    wanted = []
    if not feedback_round.is_progress:
        wanted += [
            (0, gettext("What should %(name)s keep doing?") % {"name": leader}),
            (1, gettext("What should %(name)s start doing?") % {"name": leader}),
        ]
    if feedback_round.ask_support:
        wanted.append((2, gettext("How can %(name)s best support you?") % {"name": leader}))
    if feedback_round.ask_organisation:
        wanted.append((3, gettext("How can %(name)s best serve the organisation?") % {"name": leader}))
    results.texts_hidden = results.answered < threshold
    if not results.texts_hidden:
        results.questions = [(question, _shuffled([row[i] for row in texts])) for i, question in wanted]
    return results


# --- Trend across rounds --------------------------------------------------------------------------


class TrendPoint(NamedTuple):
    label: str
    date: date
    net: float | None


def _trends(
    *, engagements: list[Engagement], up_to: FeedbackRound | None = None
) -> dict[int, dict[Goal, list[TrendPoint]]]:
    """Net score ("everyone", groups meeting K only) per goal for each closed progress round, for
    several engagements at once: three queries whatever the number of engagements and rounds."""
    by_pk = {e.pk: e for e in engagements}
    rounds_qs = FeedbackRound.objects.filter(
        engagement__in=list(by_pk), kind=FeedbackRound.Kind.PROGRESS, status=FeedbackRound.Status.CLOSED
    ).order_by("opens_on", "pk")
    if up_to is not None:
        rounds_qs = rounds_qs.filter(opens_on__lte=up_to.opens_on)
    rounds_of: dict[int, list[FeedbackRound]] = defaultdict(list)
    for r in rounds_qs:
        r.engagement = by_pk[r.engagement_id]
        rounds_of[r.engagement_id].append(r)
    goals_of: dict[int, list[Goal]] = defaultdict(list)
    for goal in Goal.objects.filter(engagement__in=list(by_pk)).order_by("position", "pk"):
        goals_of[goal.engagement_id].append(goal)
    scores: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    round_ids = [r.pk for rounds in rounds_of.values() for r in rounds]
    if round_ids:
        for round_id, goal_id, relationship, score in GoalScore.objects.filter(
            response__request__round__in=round_ids
        ).values_list("response__request__round_id", "goal_id", "response__relationship", "score"):
            scores[(round_id, goal_id)][relationship].append(score)
    trends: dict[int, dict[Goal, list[TrendPoint]]] = {}
    for pk, engagement in by_pk.items():
        trend = {}
        for goal in goals_of[pk]:
            points = []
            for r in rounds_of[pk]:
                everyone, _ = _figures(
                    scores_by_group=scores[(r.pk, goal.pk)],
                    asked_by_group={},
                    threshold=engagement.anonymity_threshold,
                )
                points.append(TrendPoint(r.label, r.closed_on, everyone.mean))
            trend[goal] = points
        trends[pk] = trend
    return trends


def _trend(*, engagement: Engagement, up_to: FeedbackRound | None = None) -> dict[Goal, list[TrendPoint]]:
    return _trends(engagements=[engagement], up_to=up_to)[engagement.pk]


def released_trend(*, engagement: Engagement) -> dict[Goal, list[TrendPoint]]:
    """Per goal, (round label, date, net score or None) for every closed progress round, oldest first.

    The net score is the mean of the groups that meet the engagement's K; None when no group does.
    Three queries whatever the number of rounds. Used by the sponsor summary.
    """
    return _trend(engagement=engagement)


def released_trends(*, engagements: list[Engagement]) -> dict[int, dict[Goal, list[TrendPoint]]]:
    """`released_trend` for several engagements, keyed by engagement id: three queries in all."""
    return _trends(engagements=engagements)


def trend_for(*, engagement: Engagement, up_to: FeedbackRound | None = None) -> dict[Goal, list[TrendPoint]]:
    """The same trend for the coach's and leader's pages, optionally only up to one round."""
    return _trend(engagement=engagement, up_to=up_to)
