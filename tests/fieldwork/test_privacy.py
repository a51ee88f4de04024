"""Distinctive fieldwork text never reaches a sponsor's page, another coach or another leader."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fieldwork.services import commitment_review, reflection_save
from tests.factories import CommitmentFactory, PracticeLogFactory
from tests.privacy.base import ALLOWED
from tests.privacy.secrets import seed_private_content
from tests.test_url_privacy import _all_cases

COMMITMENT = "Zebra-7 commitment: stop rescuing Priya in the budget meeting"
LOG = "Zebra-7 log: I felt sick when the VP raised the restructuring"
FULL_LOG = "Zebra-7 noticed: I wanted to quit on the spot"
REVIEW = "Zebra-7 review: the restructuring news froze everything"
WINS = "Zebra-7 win: told the VP I disagreed"
STRUGGLES = "Zebra-7 struggle: considering leaving Acme"
TOPIC = "Zebra-7 topic: should I apply for the job at the competitor"
SECRETS = (COMMITMENT, LOG, FULL_LOG, REVIEW, WINS, STRUGGLES, TOPIC)


@pytest.fixture
def seeded(cast):
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0], text=COMMITMENT)
    PracticeLogFactory(commitment=commitment, note=LOG, created_at=timezone.now())
    PracticeLogFactory(commitment=commitment, note="", what_tried="Tried", noticed_in_myself=FULL_LOG)
    reviewed = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[1], text="Zebra-7 second")
    commitment_review(
        commitment=reviewed, session=cast.lee_next_session, reviewer=cast.ada, outcome="not_done", reason=REVIEW
    )
    reflection_save(
        leader=cast.lee,
        engagement=cast.lee_engagement,
        wins=WINS,
        struggles=STRUGGLES,
        topics=TOPIC,
        ratings={cast.lee_goals[0].pk: 4},
    )
    return commitment


def _assert_clean(html: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in html, f"{where} shows {secret!r}"


def test_the_sponsors_home_pages_never_show_fieldwork_text(cast, client_for, seeded):
    client = client_for("sam")
    for path in ("/", "/sponsor/"):
        response = client.get(path)
        assert response.status_code == 200
        _assert_clean(response.content.decode(), path)


def test_no_page_a_sponsor_may_open_shows_fieldwork_text(cast, client_for, seeded):
    client = client_for("sam")
    cast.private = seed_private_content(cast)  # the rows the privacy cases name
    opened = []
    for case in _all_cases(cast):
        if case.method == "GET" and case.outcome_for("sponsor") == ALLOWED:
            response = client.get(case.path)
            if response.status_code == 200:
                opened.append(case.path)
                _assert_clean(response.content.decode(errors="replace"), case.path)
    assert "/sponsor/" in opened


def test_the_coach_and_the_leader_do_see_it(cast, client_for, seeded):
    session_page = client_for("ada").get(f"/sessions/{cast.lee_next_session.pk}/").content.decode()
    history = client_for("lee").get(f"/engagements/{cast.lee_engagement.pk}/reflections/").content.decode()

    assert COMMITMENT in session_page and LOG in session_page and FULL_LOG in session_page
    assert WINS in history and STRUGGLES in history and TOPIC in history


@pytest.mark.parametrize("person", ["sam", "ben", "liv", "sue"])
def test_every_fieldwork_url_is_a_404_for_outsiders(cast, client_for, seeded, person):
    client = client_for(person)
    paths = [
        f"/sessions/{cast.lee_past_session.pk}/fieldwork/",
        f"/sessions/{cast.lee_past_session.pk}/fieldwork/new/",
        f"/commitments/{seeded.pk}/",
        f"/commitments/{seeded.pk}/edit/",
        f"/commitments/{seeded.pk}/log/",
        f"/logs/{seeded.logs.first().pk}/edit/",
        f"/engagements/{cast.lee_engagement.pk}/reflections/",
        f"/reflection/?engagement={cast.lee_engagement.pk}",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        _assert_clean(response.content.decode(), path)


def test_another_leaders_home_shows_none_of_it(cast, client_for, seeded):
    _assert_clean(client_for("liv").get("/").content.decode(), "Liv's home")
