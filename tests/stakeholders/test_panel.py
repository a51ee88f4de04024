"""The stakeholder feedback panel on the engagement page."""

from __future__ import annotations

from tests.factories import StakeholderFactory
from tests.stakeholders.conftest import answer


def test_coach_sees_roster_counts_and_the_open_round(client_for, cast, lee_roster, open_round):
    StakeholderFactory(engagement=cast.lee_engagement, status="nominated", nominated_by=cast.lee)
    feedback_round, _ = open_round()
    answer(feedback_round, lee_roster.peer[0], 1, 1)

    body = client_for("ada").get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()

    assert "Stakeholder feedback" in body
    assert "8 active stakeholders" in body
    assert "1 nomination waiting for your approval" in body
    assert "Progress round 1</strong> is open" in body and "1 of 8 answered" in body


def test_leader_is_invited_to_nominate_before_any_round(client_for, cast):
    body = client_for("lee").get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()

    assert "Nominate the people who see your work" in body
    assert f'href="/engagements/{cast.lee_engagement.pk}/stakeholders/new/"' in body


def test_panel_adds_a_fixed_number_of_queries(client_for, cast, lee_roster, open_round, django_assert_num_queries):
    from stakeholders.panels import engagement_panel

    open_round()
    request = type("Request", (), {"user": cast.ada})()

    with django_assert_num_queries(2):  # roster counts, rounds with counts
        panel = engagement_panel(request, cast.lee_engagement)

    assert panel.context["active"] == 8


def test_no_panel_for_a_sponsor(cast):
    from stakeholders.panels import engagement_panel

    request = type("Request", (), {"user": cast.sam})()

    assert engagement_panel(request, cast.lee_engagement) is None
