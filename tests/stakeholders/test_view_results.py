"""The results page: coach and leader, only once the round is closed, groups below K left out."""

from __future__ import annotations

import pytest

from stakeholders import services
from tests.factories import StakeholderFactory
from tests.stakeholders.conftest import answer


def results_url(feedback_round) -> str:
    return f"/feedback/rounds/{feedback_round.pk}/results/"


@pytest.fixture
def closed_round(lee_roster, open_round):
    feedback_round, _ = open_round(ask_support=True)
    for person, score in zip(lee_roster.direct_report, (1, 2, 3), strict=True):
        answer(feedback_round, person, score, 1, suggestion=f"Report suggestion {score}")
    answer(feedback_round, lee_roster.peer[0], -3, -3, suggestion="The lone peer's words")
    answer(feedback_round, lee_roster.manager[0], -2, -2)
    services.round_close(feedback_round=feedback_round)
    return feedback_round


@pytest.mark.parametrize("who", ["ada", "lee"])
def test_coach_and_leader_see_the_figures_of_groups_meeting_k(client_for, closed_round, who):
    body = client_for(who).get(results_url(closed_round)).content.decode()

    assert "+2.0" in body  # direct reports, and everyone shown
    assert "fewer than 3: left out" in body
    assert "Report suggestion 2" in body
    assert "The lone peer&#x27;s words" not in body  # its group is left out of the figures, so of the texts too
    assert "Direct report 1" not in body and "direct_report1@acme.example" not in body
    assert 'style="' not in body


@pytest.mark.parametrize("who", ["sam", "ben", "liv", "sue"])
def test_sponsors_and_other_people_get_a_404(client_for, closed_round, who):
    assert client_for(who).get(results_url(closed_round)).status_code == 404


def test_an_open_round_shows_only_how_many_answered(client_for, lee_roster, open_round):
    feedback_round, _ = open_round()
    for person in lee_roster.direct_report:
        answer(feedback_round, person, 3, 3, suggestion="Visible too soon?")

    body = client_for("lee").get(results_url(feedback_round)).content.decode()

    assert "Results appear when the round closes" in body
    assert "3 of 8 people have answered so far." in body
    assert "Visible too soon?" not in body and "+3.0" not in body


def test_suggestions_have_no_dates(client_for, closed_round):
    body = client_for("ada").get(results_url(closed_round)).content.decode()

    suggestions = body[body.index('<ul class="suggestions">') :]
    suggestions = suggestions[: suggestions.index("</ul>")]
    assert "202" not in suggestions  # no year, so no date or time next to an answer


def _grow(cast, feedback_round, n):
    people = [
        StakeholderFactory(engagement=cast.lee_engagement, relationship="other", email=f"more{i}@acme.example")
        for i in range(n)
    ]
    services.round_open(feedback_round=feedback_round, notify=False)
    for person in people:
        answer(feedback_round, person, 1, 1, suggestion="More")


@pytest.mark.parametrize("extra", [0, 15])
def test_results_query_count_does_not_grow_with_answers(
    client_for, cast, lee_roster, open_round, django_assert_num_queries, extra
):
    feedback_round, _ = open_round(ask_support=True)
    for person in lee_roster.direct_report:
        answer(feedback_round, person, 1, 1)
    _grow(cast, feedback_round, extra)
    services.round_close(feedback_round=feedback_round)
    client = client_for("ada")

    # session, user, round with engagement/coach/leader; results: counts, goals, goals asked per group,
    # scores, written answers; trend: closed progress rounds, goals, scores; the two navigation checks
    with django_assert_num_queries(13):
        response = client.get(results_url(feedback_round))

    assert response.status_code == 200
