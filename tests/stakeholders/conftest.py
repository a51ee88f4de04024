"""Builders for stakeholder feedback tests: a roster across every group and rounds with answers.

`lee_roster` gives Lee's engagement (coach Ada, goals "calm" and "delegate") one manager, three
peers, three direct reports and one other, all approved and asked about both goals.
`open_round()` opens a progress round for it and returns the round and each stakeholder's link token.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest

from stakeholders import services
from stakeholders.models import FeedbackRequest, FeedbackRound
from tests.factories import FeedbackRoundFactory, StakeholderFactory

GROUPS = [("manager", 1), ("peer", 3), ("direct_report", 3), ("other", 1)]


@pytest.fixture
def lee_roster(cast) -> SimpleNamespace:
    engagement = cast.lee_engagement
    people: dict[str, list] = {}
    for relationship, count in GROUPS:
        people[relationship] = [
            StakeholderFactory(
                engagement=engagement,
                name=f"{relationship.replace('_', ' ').title()} {i + 1}",
                email=f"{relationship}{i + 1}@acme.example",
                relationship=relationship,
                goals=cast.lee_goals,
            )
            for i in range(count)
        ]
    return SimpleNamespace(engagement=engagement, goals=cast.lee_goals, **people)


def tokens_of(feedback_round: FeedbackRound) -> dict[int, str]:
    """Stakeholder id -> the private token of their request in this round."""
    return {
        r.stakeholder_id: services.link_token(request=r) for r in FeedbackRequest.objects.filter(round=feedback_round)
    }


def request_of(feedback_round: FeedbackRound, stakeholder) -> FeedbackRequest:
    return FeedbackRequest.objects.select_related("round__engagement__coach", "round__engagement__leader").get(
        round=feedback_round, stakeholder=stakeholder
    )


@pytest.fixture
def open_round(cast, lee_roster) -> Callable[..., tuple[FeedbackRound, dict[int, str]]]:
    """`open_round(kind="progress", **fields)`: a round of Lee's engagement, opened without e-mails."""

    def make(**fields) -> tuple[FeedbackRound, dict[int, str]]:
        feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement, **fields)
        services.round_open(feedback_round=feedback_round, notify=False)
        return feedback_round, tokens_of(feedback_round)

    return make


def answer(feedback_round: FeedbackRound, stakeholder, *scores: int, suggestion: str = "") -> None:
    """Submits `stakeholder`'s scores, one per goal asked, in goal order."""
    request = request_of(feedback_round, stakeholder)
    goals = list(request.goals.order_by("position", "pk"))
    services.response_submit(
        request=request,
        scores={g.pk: s for g, s in zip(goals, scores, strict=True)},
        suggestions={goals[0].pk: suggestion} if suggestion else {},
    )
