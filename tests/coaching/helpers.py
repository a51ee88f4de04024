"""Builders for the coaching tests: session history of any size, in a few lines."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coaching.models import PartnershipCheckIn
from engagements.models import AgendaItem, Engagement, Session
from fieldwork.models import Commitment
from stakeholders.models import FeedbackRequest, FeedbackRound
from stakeholders.services import response_submit, round_close, round_open
from tests.factories import (
    CommitmentFactory,
    EngagementFactory,
    FeedbackRoundFactory,
    PracticeLogFactory,
    SessionFactory,
    StakeholderFactory,
)


def at(days: float, hour: int = 10):
    """A moment `days` from now (negative: in the past), on the hour."""
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def held(engagement: Engagement, days_ago: float, **fields) -> Session:
    return SessionFactory(
        engagement=engagement,
        starts_at=at(-days_ago),
        status=Session.Status.HELD,
        outcome_recorded_at=at(-days_ago),
        **fields,
    )


def reviewed(session: Session, outcome: str, **fields) -> Commitment:
    """A commitment agreed at `session` and already reviewed with `outcome` (forgotten=True for "not done")."""
    return CommitmentFactory(session=session, outcome=outcome, reviewed_at=timezone.now(), **fields)


def grow_history(engagement: Engagement, n: int) -> None:
    """`n` more rounds of history: held sessions with released summaries, no-shows, three-way meetings
    with agenda items, upcoming sessions, and fieldwork (a commitment done, one forgotten, practice
    logs). Every kind of row the pages read grows with `n`."""
    for i in range(n):
        base = 400 + 30 * i
        held(
            engagement,
            base,
            shared_summary=f"Summary {i}",
            summary_shared_with_sponsor=True,
            summary_released_at=at(-base),
        )
        SessionFactory(engagement=engagement, starts_at=at(-base - 7), status=Session.Status.NO_SHOW)
        three_way = held(
            engagement,
            base + 14,
            kind=Session.Kind.THREE_WAY,
            shared_summary=f"Agreed {i}",
            summary_shared_with_sponsor=True,
            summary_released_at=at(-base - 13),
        )
        AgendaItem.objects.create(
            session=three_way, author=engagement.leader, text=f"Three-way topic {i}", written_for_three_way=True
        )
        SessionFactory(engagement=engagement, starts_at=at(30 + i), status=Session.Status.SCHEDULED)
        session = held(engagement, base + 2)
        done = reviewed(session, Commitment.Outcome.DONE)
        reviewed(session, Commitment.Outcome.NOT_DONE, forgotten=True)
        PracticeLogFactory(commitment=done, occurred_at=at(-base + 3))
        PracticeLogFactory(commitment=done, occurred_at=at(-3 - i))


def feedback_round(
    engagement: Engagement,
    answers: dict[str, list[list[int]]],
    *,
    opened_days_ago: int = 1,
    closes_in_days: int = 1,
    close: bool = True,
    suggestion: str = "",
) -> FeedbackRound:
    """A progress round of `engagement` answered by new stakeholders, closed unless `close=False`.

    `answers` maps a rater group to one list of scores (one per goal, in goal order) per person:
    `{"peer": [[2, 1], [1, 1], [3, 2]]}` is three peers. Rounds open in the order they are made.
    """
    goals = list(engagement.goals.order_by("position", "pk"))
    people = [
        (StakeholderFactory(engagement=engagement, relationship=group, goals=goals), scores)
        for group, rows in answers.items()
        for scores in rows
    ]
    today = timezone.localdate(timezone=engagement.coach.tz)
    new_round = FeedbackRoundFactory(
        engagement=engagement,
        opens_on=today - timedelta(days=opened_days_ago),
        closes_on=today + timedelta(days=closes_in_days),
    )
    round_open(feedback_round=new_round, notify=False)
    for stakeholder, scores in people:
        if not scores:
            continue  # asked, did not answer
        request = FeedbackRequest.objects.get(round=new_round, stakeholder=stakeholder)
        response_submit(
            request=request,
            scores={g.pk: s for g, s in zip(goals, scores, strict=True)},
            suggestions={goals[0].pk: suggestion} if suggestion else {},
        )
    if close:
        round_close(feedback_round=new_round)
    return new_round


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


class PartnershipCheckInFactory(factory.django.DjangoModelFactory):
    """The leader's answer to the partnership check-in after `held_sessions` held sessions (3, 6, ...)."""

    class Meta:
        model = PartnershipCheckIn

    engagement = factory.SubFactory(EngagementFactory)
    leader = factory.LazyAttribute(lambda o: o.engagement.leader)
    held_sessions = 3
    score = 4
    comment = ""
