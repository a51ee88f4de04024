"""The practice admin's overview: coaches with engagement counts by status, in a fixed number of queries."""

from __future__ import annotations

import pytest

from engagements.models import Engagement
from tests.coaching.helpers import grow_history
from tests.factories import CoachFactory, EngagementFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_counts_per_coach_and_status_add_up(cast, client_for):
    EngagementFactory(coach=cast.ada, leader=UserFactory(), status=Engagement.Status.COMPLETED)
    EngagementFactory(coach=cast.ada, leader=UserFactory(), status=Engagement.Status.PAUSED)
    html = client_for("pam").get("/practice/").content.decode()
    start = html.index("Ada Achebe")
    ada_row = html[start : html.index("</tr>", start)]
    assert ada_row.count('class="text-end">1<') == 3  # active, paused, completed
    assert "Acme Logistics" not in html and "Lee Lindqvist" not in html


@pytest.mark.parametrize("size", [1, 10])
def test_the_practice_page_runs_the_same_queries_with_more_coaches(cast, client_for, django_assert_num_queries, size):
    for _ in range(size):
        coach = CoachFactory(practice=cast.practice)
        engagement = EngagementFactory(coach=coach, leader=UserFactory())
        grow_history(engagement, 1)
    client = client_for("pam")
    # Session, user; the admin's practice; its coaches with their counts by status; coach invitations not
    # accepted yet; the navigation's "leads" and "sponsors" checks.
    with django_assert_num_queries(PRACTICE_QUERIES):
        response = client.get("/practice/")
    assert response.content.decode().count('<th scope="row">Coach ') == size


PRACTICE_QUERIES = 7
