"""The sponsor's home: each sponsored engagement with its latest released summary and next three-way meeting."""

from __future__ import annotations

import pytest

from engagements.models import Session
from tests.coaching.helpers import at, grow_history, held
from tests.factories import EngagementFactory, GoalFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_sponsor_sees_the_latest_released_summary_and_the_next_three_way_meeting(cast, client_for):
    e = cast.lee_engagement
    held(
        e,
        30,
        shared_summary="An older released summary.",
        summary_shared_with_sponsor=True,
        summary_released_at=at(-29),
    )
    held(
        e,
        20,
        shared_summary="The latest released summary.",
        summary_shared_with_sponsor=True,
        summary_released_at=at(-19),
    )
    held(e, 10, shared_summary="Marked but not released.", summary_shared_with_sponsor=True)
    meeting = SessionFactory(engagement=e, starts_at=at(12, 15), kind=Session.Kind.THREE_WAY)

    html = client_for("sam").get("/sponsor/").content.decode()

    assert "The latest released summary." in html
    assert "An older released summary." not in html
    assert "Marked but not released." not in html
    from django.utils import timezone

    with timezone.override(cast.sam.tz):
        assert timezone.localtime(meeting.starts_at).strftime("%A %-d %B, %H:%M") in html
    assert f"/engagements/{e.pk}/summary/" in html and f"/engagements/{e.pk}/summary.pdf" in html


def test_the_sponsor_home_shows_no_confidential_text(cast, client_for):
    html = client_for("sam").get("/sponsor/").content.decode()
    for secret in cast.secrets.values():
        assert secret not in html
    assert "Borealis" not in html  # Sue's engagement


def test_a_sponsor_without_a_released_summary_is_told_so(cast, client_for):
    assert "No summary released to you yet." in client_for("sam").get("/sponsor/").content.decode()


@pytest.mark.parametrize("size", [1, 8])
def test_the_sponsor_home_runs_the_same_queries_with_more_engagements(
    cast, client_for, django_assert_num_queries, size
):
    for _ in range(size):
        engagement = EngagementFactory(coach=cast.ben, leader=UserFactory(), sponsors=[cast.sam])
        GoalFactory(engagement=engagement)
        grow_history(engagement, 2)
    client = client_for("sam")
    # Session, user, the "leads" and "sponsors" checks (home dispatch); engagements with counts, latest
    # summary and next three-way meeting; their goals; the navigation's "leads" and "sponsors" checks.
    with django_assert_num_queries(8):
        response = client.get("/")
    assert response.content.decode().count("Open progress summary") == size + 1
