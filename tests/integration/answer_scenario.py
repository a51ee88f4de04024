"""Commands the outage integration test runs against its own fresh database, in a separate process.

    python -m tests.integration.answer_scenario seed
    python -m tests.integration.answer_scenario stored <feedback request id>

Each prints one JSON document. DJANGO_SETTINGS_MODULE is tests.integration.web_settings.
"""

from __future__ import annotations

import json
import sys


def seed() -> dict:
    """Lee's engagement with two goals and an open progress round asking two peers: their links."""
    from stakeholders import services
    from stakeholders.models import FeedbackRequest
    from tests.factories import EngagementFactory, FeedbackRoundFactory, GoalFactory, StakeholderFactory, UserFactory

    leader = UserFactory(email="lee@example.com", full_name="Lee Lindqvist")
    engagement = EngagementFactory(leader=leader, organisation="Acme Logistics")
    goals = [GoalFactory(engagement=engagement, position=i + 1, title=f"Goal {i + 1}") for i in range(2)]
    peers = [StakeholderFactory(engagement=engagement, email=f"peer{i}@acme.example", goals=goals) for i in range(2)]
    feedback_round = FeedbackRoundFactory(engagement=engagement)
    services.round_open(feedback_round=feedback_round, notify=False)
    requests = FeedbackRequest.objects.filter(round=feedback_round).order_by("stakeholder__email")
    return {
        "goals": [g.pk for g in goals],
        "links": [{"request": r.pk, "token": services.link_token(request=r)} for r in requests],
        "peers": [p.email for p in peers],
    }


def stored(request_id: str) -> dict | None:
    """The answer stored for one request: its scores and suggestions per goal id, or None."""
    from stakeholders.models import FeedbackResponse

    response = FeedbackResponse.objects.filter(request_id=int(request_id)).prefetch_related("scores").first()
    if response is None:
        return None
    return {
        "scores": {str(s.goal_id): s.score for s in response.scores.all()},
        "suggestions": {str(s.goal_id): s.suggestion for s in response.scores.all()},
    }


if __name__ == "__main__":
    import django

    django.setup()
    command, *args = sys.argv[1:]
    print(json.dumps({"seed": seed, "stored": stored}[command](*args)))
