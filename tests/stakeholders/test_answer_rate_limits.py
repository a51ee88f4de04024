"""The stakeholder link's rate limits: a valid link is limited on its own, unknown links per address,
and with Redis unreachable the limits fail open so an answer is never lost."""

from __future__ import annotations

import logging
import time

import pytest

from stakeholders import views
from stakeholders.models import FeedbackResponse, GoalScore
from tests.factories import StakeholderFactory
from tests.outage import cache_at_port
from tests.silent_server import closed_port, silent_server
from tests.stakeholders.conftest import request_of

COMPANY_ADDRESS = "203.0.113.7"


def _answers(request, suggestion: str = "") -> dict:
    goals = list(request.goals.order_by("position", "pk"))
    data = {f"score_{g.pk}": "2" for g in goals}
    if suggestion:
        data[f"suggestion_{goals[0].pk}"] = suggestion
    return data


@pytest.fixture
def peer_link(lee_roster, open_round):
    feedback_round, tokens = open_round()
    peer = lee_roster.peer[0]
    return f"/f/{tokens[peer.pk]}/", request_of(feedback_round, peer), tokens


def test_forty_colleagues_behind_one_address_each_open_and_answer_their_own_link(client, cast, lee_roster, open_round):
    colleagues = [
        StakeholderFactory(engagement=cast.lee_engagement, email=f"colleague{i}@acme.example", goals=cast.lee_goals)
        for i in range(40)
    ]
    feedback_round, tokens = open_round()

    statuses = []
    for colleague in colleagues:
        path = f"/f/{tokens[colleague.pk]}/"
        statuses.append(client.get(path, REMOTE_ADDR=COMPANY_ADDRESS).status_code)
        request = request_of(feedback_round, colleague)
        statuses.append(client.post(path, _answers(request), REMOTE_ADDR=COMPANY_ADDRESS).status_code)

    assert statuses == [200] * 80
    assert FeedbackResponse.objects.filter(request__stakeholder__in=colleagues).count() == 40


def test_one_link_is_limited_on_its_own_from_any_address(client, peer_link, lee_roster, monkeypatch):
    monkeypatch.setattr(views, "LINK_REQUESTS_PER_MINUTE", 3)
    path, _, tokens = peer_link
    colleague_path = f"/f/{tokens[lee_roster.peer[1].pk]}/"

    statuses = [client.get(path).status_code for _ in range(3)]
    limited = client.get(path)
    elsewhere = client.get(path, REMOTE_ADDR="10.0.0.9")
    colleague = client.get(colleague_path)

    assert statuses == [200, 200, 200]
    assert limited.status_code == 429 and elsewhere.status_code == 429
    assert limited["Retry-After"] == "60"
    assert limited["Cache-Control"] == "no-store" and limited["Referrer-Policy"] == "no-referrer"
    assert "Too many attempts" in limited.content.decode()
    assert colleague.status_code == 200


def test_guessing_unknown_links_is_limited_per_address(client, db, monkeypatch):
    monkeypatch.setattr(views, "LINK_GUESSES_PER_MINUTE", 5)

    statuses = [client.get(f"/f/guess{i}/").status_code for i in range(7)]
    elsewhere = client.get("/f/guess-again/", REMOTE_ADDR="10.0.0.9")

    assert statuses == [404] * 5 + [429] * 2
    assert elsewhere.status_code == 404


def test_an_address_that_guessed_too_often_still_opens_a_valid_link(client, peer_link, monkeypatch):
    monkeypatch.setattr(views, "LINK_GUESSES_PER_MINUTE", 2)
    path, _, _ = peer_link
    for i in range(3):
        client.get(f"/f/guess{i}/")

    assert client.get("/f/guess-more/").status_code == 429
    assert client.get(path).status_code == 200


def test_a_valid_link_does_not_use_up_the_guesses_of_its_address(client, peer_link, monkeypatch):
    monkeypatch.setattr(views, "LINK_GUESSES_PER_MINUTE", 2)
    path, _, _ = peer_link
    for _ in range(5):
        client.get(path)

    assert [client.get(f"/f/guess{i}/").status_code for i in range(2)] == [404, 404]


def test_the_answer_is_stored_while_redis_refuses_connections(client, peer_link, settings, caplog):
    cache_at_port(settings, closed_port())
    path, request, _ = peer_link

    with caplog.at_level(logging.WARNING, logger="coaching.cache"):
        opened = client.get(path)
        response = client.post(path, _answers(request, suggestion="Ask the quiet ones first."))

    assert opened.status_code == 200
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    stored = FeedbackResponse.objects.get(request=request)
    assert sorted(GoalScore.objects.filter(response=stored).values_list("score", flat=True)) == [2, 2]
    assert GoalScore.objects.filter(response=stored, suggestion="Ask the quiet ones first.").exists()
    assert len([r for r in caplog.records if r.name == "coaching.cache"]) == 1


def test_the_answer_is_stored_within_seconds_while_redis_hangs(client, peer_link, settings):
    path, request, _ = peer_link

    with silent_server() as port:
        cache_at_port(settings, port)
        started = time.monotonic()
        response = client.post(path, _answers(request))
        elapsed = time.monotonic() - started

    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert FeedbackResponse.objects.filter(request=request).exists()
    assert elapsed < settings.REDIS_SOCKET_TIMEOUT + 2
