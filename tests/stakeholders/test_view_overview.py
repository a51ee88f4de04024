"""The stakeholder feedback overview: roster, rounds, trend and threshold, for the coach and the leader."""

from __future__ import annotations

import pytest

from stakeholders import services
from tests.factories import StakeholderFactory
from tests.stakeholders.conftest import answer


def url(engagement) -> str:
    return f"/engagements/{engagement.pk}/feedback/"


@pytest.mark.parametrize("who", ["ada", "lee"])
def test_coach_and_leader_see_the_roster_and_rounds(client_for, cast, lee_roster, open_round, who):
    open_round()

    response = client_for(who).get(url(cast.lee_engagement))

    body = response.content.decode()
    assert response.status_code == 200
    assert lee_roster.peer[0].name in body and lee_roster.manager[0].email in body
    assert "Progress round 1" in body and "0 of 8 answered" in body


@pytest.mark.parametrize("who", ["sam", "ben", "liv", "sue"])
def test_sponsors_and_other_people_get_a_404(client_for, cast, lee_roster, who):
    assert client_for(who).get(url(cast.lee_engagement)).status_code == 404


def test_waiting_nominations_are_listed_first_with_an_approve_button_for_the_coach(client_for, cast, lee_roster):
    StakeholderFactory(engagement=cast.lee_engagement, name="Zed Waiting", status="nominated", nominated_by=cast.lee)

    coach_body = client_for("ada").get(url(cast.lee_engagement)).content.decode()
    leader_body = client_for("lee").get(url(cast.lee_engagement)).content.decode()

    assert coach_body.index("Zed Waiting") < coach_body.index(lee_roster.direct_report[0].name)
    assert "Approve<span" in coach_body
    assert "Approve<span" not in leader_body
    assert "Withdraw<span" in leader_body


def test_trend_chart_is_an_inline_svg_with_a_text_alternative(client_for, cast, lee_roster, open_round):
    for score in (0, 2):
        feedback_round, _ = open_round()
        for person in lee_roster.direct_report:
            answer(feedback_round, person, score, 1)
        services.round_close(feedback_round=feedback_round)

    body = client_for("lee").get(url(cast.lee_engagement)).content.decode()

    assert body.count("<svg") == 2
    assert f'<title id="chart-trend-{cast.lee_goals[0].pk}-title">' in body
    assert "<table" in body and "2.0" in body
    assert 'style="' not in body


def test_threshold_form_disappears_once_a_round_has_opened(client_for, cast, lee_roster, open_round):
    before = client_for("ada").get(url(cast.lee_engagement)).content.decode()
    open_round()
    after = client_for("ada").get(url(cast.lee_engagement)).content.decode()

    assert 'name="anonymity_threshold"' in before
    assert 'name="anonymity_threshold"' not in after and "The threshold is locked" in after


def test_coach_sets_the_threshold_before_the_first_round(client_for, cast):
    response = client_for("ada").post(
        f"/engagements/{cast.lee_engagement.pk}/feedback/threshold/", {"anonymity_threshold": "5"}
    )

    assert response.status_code == 302
    cast.lee_engagement.refresh_from_db()
    assert cast.lee_engagement.anonymity_threshold == 5


def test_a_threshold_outside_the_list_is_refused(client_for, cast):
    client = client_for("ada")
    response = client.post(
        f"/engagements/{cast.lee_engagement.pk}/feedback/threshold/", {"anonymity_threshold": "1"}, follow=True
    )

    assert "Choose a threshold from 2 to 10." in response.content.decode()
    cast.lee_engagement.refresh_from_db()
    assert cast.lee_engagement.anonymity_threshold == 3


def test_leader_cannot_change_the_threshold(client_for, cast):
    response = client_for("lee").post(
        f"/engagements/{cast.lee_engagement.pk}/feedback/threshold/", {"anonymity_threshold": "5"}
    )

    assert response.status_code == 404


def _grow(cast, n: int) -> None:
    for i in range(n):
        StakeholderFactory(engagement=cast.lee_engagement, email=f"grow{n}-{i}@acme.example", goals=cast.lee_goals)


@pytest.mark.parametrize("extra", [0, 12])
def test_overview_query_count_does_not_grow_with_the_roster_or_rounds(
    client_for, cast, lee_roster, open_round, django_assert_num_queries, extra
):
    _grow(cast, extra)
    for _ in range(1 + extra // 6):
        feedback_round, _ = open_round()
        services.round_close(feedback_round=feedback_round)
    client = client_for("ada")

    # session, user, engagement with coach and leader, roster, roster goals, trend: closed progress
    # rounds, goals, scores; whether a round has opened, the rounds with counts, and the two lazy
    # role checks of the navigation (leads / sponsors)
    with django_assert_num_queries(12):
        response = client.get(url(cast.lee_engagement))

    assert response.status_code == 200
