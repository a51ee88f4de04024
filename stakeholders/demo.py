"""Demo stakeholder feedback: a roster across every group, closed rounds with results, an open round.

Everything goes through the services the pages use. Rounds are opened and answered today, then
moved back in time with a plain update, because the services only open rounds that are due now.
Idempotent: an engagement that already has stakeholders is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from engagements.models import Engagement

from . import services
from .models import FeedbackRequest, FeedbackResponse, FeedbackRound, Relationship, Stakeholder

MANAGER, PEER, DIRECT, OTHER = Relationship.MANAGER, Relationship.PEER, Relationship.DIRECT_REPORT, Relationship.OTHER

# name, e-mail, relationship, observes the first goal only (else every goal)
ROSTER = [
    ("Sam Patel", "sam@example.com", MANAGER, False),
    ("Priya Nair", "priya.nair@example.com", PEER, True),
    ("Tom Becker", "tom.becker@example.com", PEER, True),
    ("Grace Liu", "grace.liu@example.com", PEER, True),
    ("Omar Haddad", "omar.haddad@example.com", DIRECT, False),
    ("Julia Santos", "julia.santos@example.com", DIRECT, False),
    ("Kenji Mori", "kenji.mori@example.com", DIRECT, False),
    ("Rachel Owusu", "rachel.owusu@example.com", OTHER, False),
]
NOMINATION = ("Marta Kowalski", "marta.kowalski@example.com", PEER)

KEEP = [
    "Your weekly one-to-ones: they are the one place I get your full attention.",
    "Being open about what you don't know yet.",
    "Backing the team in front of the regional director.",
    "Asking for our view before the operations review.",
    "Walking the warehouse floor on Monday mornings.",
    "Thanking people by name when a shipment is saved.",
    "Keeping the Friday update short and honest.",
]
START = [
    "Pause before answering when the VP pushes back; the room follows your tone.",
    "Let team leads present their own numbers.",
    "Say which decisions you want us to take without checking with you.",
    "Share the reasons behind a change, not only the change.",
    "Block time for coaching your team leads, and protect it.",
    "Ask how we would solve it before you offer your own answer.",
    "Tell us early when priorities from head office shift.",
]
SUGGESTIONS = [
    "In the Monday review, try summarising the objection before you answer it.",
    "When you hand something over, say what done looks like and then step back.",
    "Keep the short check-ins, but let us bring the agenda.",
    "",
    "Ask one more question before giving your answer.",
    "The calm in last month's budget meeting made a real difference; more of that.",
    "",
    "Tell us when you are under pressure from above, so we can help instead of guessing.",
]
SUPPORT = [
    "More air cover when priorities clash with the other regions.",
    "",
    "Clear priorities for the quarter, written down once.",
    "Time in our one-to-ones to talk about my development, not only the numbers.",
    "",
]

# Scores per goal for each answering stakeholder (by ROSTER index), for the two closed progress rounds.
PROGRESS = [
    {0: (1, 0), 1: (0,), 2: (1,), 3: (0,), 4: (1, 0), 5: (0, 1), 6: (1, 1)},
    {0: (2, 1), 1: (1,), 2: (2,), 3: (1,), 4: (2, 1), 5: (1, 2), 6: (2, 1), 7: (1, 1)},
]
OPEN_ANSWERS = {1: (2,), 4: (2, 2), 5: (1, 2)}


def _backdate(feedback_round: FeedbackRound, *, weeks_ago: float, days_open: int = 12) -> None:
    now = timezone.now()
    opened = now - timedelta(weeks=weeks_ago)
    closed = opened + timedelta(days=days_open)
    FeedbackRound.objects.filter(pk=feedback_round.pk).update(
        opens_on=opened.date(), closes_on=closed.date(), opened_at=opened, closed_at=closed
    )
    FeedbackRequest.objects.filter(round=feedback_round).update(created_at=opened, sent_at=opened, send_count=1)
    FeedbackRequest.objects.filter(round=feedback_round, answered_at__isnull=False).update(
        answered_at=opened + timedelta(days=3)
    )
    FeedbackResponse.objects.filter(request__round=feedback_round).update(submitted_at=opened + timedelta(days=3))


def _answer(requests: dict[int, FeedbackRequest], index: int, scores: tuple[int, ...], goals, n: int) -> None:
    request = requests[index]
    asked = [g for g in goals if g.pk in {x.pk for x in request.goals.all()}]
    suggestion = SUGGESTIONS[n % len(SUGGESTIONS)]
    services.response_submit(
        request=request,
        scores={g.pk: s for g, s in zip(asked, scores, strict=False)},
        suggestions={asked[(n // 2) % len(asked)].pk: suggestion} if suggestion else {},
        support=SUPPORT[n % len(SUPPORT)] if request.round.ask_support else "",
    )


def _round(
    engagement: Engagement, kind: str, *, ask_support: bool = False, notify: bool = False
) -> tuple[FeedbackRound, dict]:
    today = timezone.localdate(timezone=engagement.coach.tz)
    feedback_round = services.round_create(
        engagement=engagement,
        created_by=engagement.coach,
        kind=kind,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        ask_support=ask_support,
    )
    created = services.round_open(feedback_round=feedback_round, notify=notify)
    emails = [row[1] for row in ROSTER]
    return feedback_round, {emails.index(r.stakeholder.email): r for r in created}


@transaction.atomic
def seed(*, engagements: Iterable[Engagement]) -> None:
    for engagement in engagements:
        if Stakeholder.objects.filter(engagement=engagement).exists():
            continue
        goals = list(engagement.goals.order_by("position", "pk"))
        if not goals:
            continue
        coach, leader = engagement.coach, engagement.leader
        for name, email, relationship, first_goal_only in ROSTER:
            services.stakeholder_nominate(
                engagement=engagement,
                by=coach,
                name=name,
                email=email,
                relationship=relationship,
                goals=goals[:1] if first_goal_only else goals,
            )
        services.stakeholder_nominate(
            engagement=engagement,
            by=leader,
            name=NOMINATION[0],
            email=NOMINATION[1],
            relationship=NOMINATION[2],
            goals=goals[:1],
        )

        baseline, requests = _round(engagement, FeedbackRound.Kind.BASELINE)
        for n, index in enumerate([0, 1, 2, 4, 5, 6, 7]):
            services.response_submit(
                request=requests[index], keep_doing=KEEP[n % len(KEEP)], start_doing=START[n % len(START)]
            )
        services.round_close(feedback_round=baseline)
        _backdate(baseline, weeks_ago=7)

        for weeks_ago, answers in zip((5, 2.5), PROGRESS, strict=True):
            progress, requests = _round(engagement, FeedbackRound.Kind.PROGRESS, ask_support=True)
            for n, (index, scores) in enumerate(answers.items()):
                _answer(requests, index, scores, goals, n)
            services.round_close(feedback_round=progress)
            _backdate(progress, weeks_ago=weeks_ago)

        # The current round e-mails its links (to var/mail/ in development), so a link can be tried.
        current, requests = _round(engagement, FeedbackRound.Kind.PROGRESS, notify=True)
        for n, (index, scores) in enumerate(OPEN_ANSWERS.items()):
            _answer(requests, index, scores, goals, n)
