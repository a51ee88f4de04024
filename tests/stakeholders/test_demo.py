"""Demo data: a roster across groups, closed rounds with results, an open round; idempotent."""

from __future__ import annotations

from engagements.models import Engagement
from stakeholders import demo, selectors
from stakeholders.models import FeedbackRequest, FeedbackRound, Stakeholder


def test_demo_seeds_lees_feedback_once(cast):
    engagements = Engagement.objects.filter(pk=cast.lee_engagement.pk)

    demo.seed(engagements=engagements)
    demo.seed(engagements=engagements)

    roster = Stakeholder.objects.filter(engagement=cast.lee_engagement)
    assert roster.filter(status="approved").count() >= 7
    assert set(roster.values_list("relationship", flat=True)) == {"manager", "peer", "direct_report", "other"}
    assert roster.filter(status="nominated").count() == 1
    rounds = FeedbackRound.objects.filter(engagement=cast.lee_engagement)
    assert rounds.filter(status="closed", kind="progress").count() == 2
    current = rounds.get(status="open")
    assert FeedbackRequest.objects.filter(round=current, answered_at__isnull=True).count() >= 2
    trend = selectors.released_trend(engagement=cast.lee_engagement)
    assert all(point.net is not None for points in trend.values() for point in points)
