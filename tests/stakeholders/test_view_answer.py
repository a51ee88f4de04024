"""The stakeholder's private answer page: no account, one answer, private headers on every response.

Status codes: unknown or malformed link 404; closed round, withdrawn request and used link 410
("already answered, thank you" is a 410); too many requests 429; invalid answers 400.
"""

from __future__ import annotations

import re

import pytest

from stakeholders import services
from stakeholders.models import FeedbackResponse, GoalScore
from tests.stakeholders.conftest import request_of


def assert_private(response):
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.fixture
def peer_link(lee_roster, open_round):
    feedback_round, tokens = open_round(ask_support=True)
    peer = lee_roster.peer[0]
    return f"/f/{tokens[peer.pk]}/", request_of(feedback_round, peer)


def valid_answers(request, **extra):
    data = {f"score_{g.pk}": "1" for g in request.goals.all()}
    return {**data, **extra}


def test_page_shows_the_leaders_name_the_goals_asked_and_the_questions_only(client, cast, lee_roster, peer_link):
    path, request = peer_link
    request.goals.set(cast.lee_goals[:1])

    response = client.get(path)

    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    assert "How is Lee Lindqvist doing?" in body
    assert cast.lee_goals[0].title in body
    assert cast.lee_goals[1].title not in body
    assert "How can Lee Lindqvist best support you?" in body
    for other in (
        cast.ada.full_name,
        "Acme Logistics",
        request.stakeholder.name,
        request.stakeholder.email,
        cast.lee_goals[0].why_it_matters,
        cast.secrets["private_notes"],
        cast.secrets["agenda_item"],
    ):
        assert other not in body
    assert 'href="/accounts/' not in body and "Sign out" not in body  # no site navigation


def test_page_loads_nothing_from_other_hosts(client, peer_link):
    response = client.get(peer_link[0])

    body = response.content.decode()
    external = re.findall(r'(?:src|href|action)="(?:https?:)?//[^"]*"', body)
    assert external == []
    assert '<meta name="referrer" content="no-referrer">' in body


def test_valid_answer_is_stored_and_thanked(client, peer_link):
    path, request = peer_link
    goals = list(request.goals.order_by("position", "pk"))

    response = client.post(
        path, valid_answers(request, **{f"suggestion_{goals[0].pk}": "Breathe first", "support": "Clear goals"})
    )

    assert response.status_code == 200
    assert_private(response)
    assert "Thank you" in response.content.decode()
    stored = FeedbackResponse.objects.get()
    assert (stored.relationship, stored.support) == ("peer", "Clear goals")
    assert GoalScore.objects.get(goal=goals[0]).suggestion == "Breathe first"


def test_a_second_visit_says_already_answered_thank_you(client, peer_link):
    path, request = peer_link
    client.post(path, valid_answers(request))

    again = client.get(path)
    resubmit = client.post(path, valid_answers(request, **{f"score_{request.goals.first().pk}": "3"}))

    assert again.status_code == 410
    assert_private(again)
    assert "already answered: thank you" in again.content.decode()
    assert resubmit.status_code == 410
    assert FeedbackResponse.objects.count() == 1


def test_closed_round_link_is_gone_with_a_friendly_page(client, peer_link):
    path, request = peer_link
    services.round_close(feedback_round=request.round)

    response = client.get(path)
    posted = client.post(path, valid_answers(request))

    assert response.status_code == 410 and posted.status_code == 410
    assert_private(response)
    assert "This feedback round has closed" in response.content.decode()
    assert not FeedbackResponse.objects.exists()


def test_withdrawn_link_says_no_answer_is_needed(client, peer_link):
    path, request = peer_link
    services.stakeholder_deactivate(stakeholder=request.stakeholder)

    response = client.get(path)

    assert response.status_code == 410
    assert "No answer is needed from you" in response.content.decode()


@pytest.mark.parametrize("token", ["not-a-real-token", "A" * 43, "a" * 200, "%00", "..", "abc def"])
def test_unknown_and_malformed_links_are_a_friendly_404(client, db, token):
    response = client.get(f"/f/{token}/")

    assert response.status_code == 404
    assert_private(response)
    assert "We do not recognise this link" in response.content.decode()


def test_missing_score_re_shows_the_form_with_what_was_typed(client, peer_link):
    path, request = peer_link
    goals = list(request.goals.order_by("position", "pk"))
    data = {f"score_{goals[0].pk}": "2", f"suggestion_{goals[1].pk}": "Please keep the stand-ups short"}

    response = client.post(path, data)

    assert response.status_code == 400
    assert_private(response)
    body = response.content.decode()
    assert "Choose a score from −3 to +3." in body
    assert "Please keep the stand-ups short" in body
    assert re.search(rf'<input type="radio" name="score_{goals[0].pk}" value="2"[^>]* checked>', body)
    assert not FeedbackResponse.objects.exists()


@pytest.mark.parametrize("score", ["4", "-4", "1.5", "two", "", "9" * 30])
def test_scores_outside_the_scale_are_a_400_and_store_nothing(client, peer_link, score):
    path, request = peer_link

    response = client.post(path, valid_answers(request, **{f"score_{request.goals.first().pk}": score}))

    assert response.status_code == 400
    assert not FeedbackResponse.objects.exists()
    request.refresh_from_db()
    assert request.answered_at is None


def test_oversized_text_is_a_400_and_stores_nothing(client, peer_link):
    path, request = peer_link

    response = client.post(path, valid_answers(request, support="x" * 2001))

    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert not FeedbackResponse.objects.exists()


def test_scores_for_another_engagements_goal_are_ignored(client, cast, peer_link):
    path, request = peer_link

    response = client.post(path, valid_answers(request, **{f"score_{cast.liv_goals[0].pk}": "3"}))

    assert response.status_code == 200
    assert not GoalScore.objects.filter(goal=cast.liv_goals[0]).exists()
    assert GoalScore.objects.count() == 2


def test_manager_form_says_their_answers_form_their_own_group(client, lee_roster, open_round):
    _, tokens = open_round()

    response = client.get(f"/f/{tokens[lee_roster.manager[0].pk]}/")

    assert "your answers form their own group" in response.content.decode()


def test_baseline_form_asks_keep_doing_and_start_doing(client, lee_roster, open_round):
    _, tokens = open_round(kind="baseline")
    path = f"/f/{tokens[lee_roster.peer[0].pk]}/"

    empty = client.post(path, {"keep_doing": " ", "start_doing": ""})
    response = client.post(path, {"keep_doing": "Walking the floor on Mondays", "start_doing": ""})

    assert empty.status_code == 400
    assert "Write at least one thing" in empty.content.decode()
    assert response.status_code == 200
    assert FeedbackResponse.objects.get().keep_doing == "Walking the floor on Mondays"


def test_other_methods_are_refused_with_private_headers(client, peer_link):
    response = client.put(peer_link[0])

    assert response.status_code == 405
    assert_private(response)


def test_signed_in_people_need_the_link_too(client_for, peer_link):
    """The page works for whoever holds the link; a signed-in person sees the same page, no more."""
    response = client_for("sam").get(peer_link[0])

    assert response.status_code == 200
    assert "Sign out" not in response.content.decode()


def test_browsers_posting_with_origin_null_can_answer(peer_link):
    """`Referrer-Policy: no-referrer` makes browsers send `Origin: null` with the form; the link's own
    secret is the proof, so the page does not rely on the CSRF origin check."""
    from django.test import Client

    path, request = peer_link
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(path, valid_answers(request), HTTP_ORIGIN="null")

    assert response.status_code == 200
    assert FeedbackResponse.objects.count() == 1


def _key(body: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', body).group(1)


def test_the_blank_form_is_cached_per_link_with_a_fresh_key_and_answers_from_it_are_stored(
    client, lee_roster, open_round, django_assert_max_num_queries
):
    feedback_round, tokens = open_round()
    peer, manager = lee_roster.peer[0], lee_roster.manager[0]
    peer_path, manager_path = f"/f/{tokens[peer.pk]}/", f"/f/{tokens[manager.pk]}/"
    request = request_of(feedback_round, peer)

    first = client.get(peer_path).content.decode()
    with django_assert_max_num_queries(3) as warm:  # the link, its state: no goals, no form built
        second = client.get(peer_path).content.decode()
    assert not any("stakeholders_feedbackrequest_goals" in q["sql"] for q in warm.captured_queries)

    def form_of(body: str) -> str:
        return re.sub(r'value="[^"]{30,}"', "", body[body.index("<h1") : body.index("</form>")])

    assert form_of(first) == form_of(second) and "Send my feedback" in form_of(second)
    assert _key(first) != _key(second)  # each response its own create-once key

    # Another link of the same round never gets this one's form: the manager's text is their own.
    manager_page = client.get(manager_path).content.decode()
    assert "your answers form their own group" in manager_page
    assert "your answers form their own group" not in client.get(peer_path).content.decode()

    response = client.post(peer_path, {**valid_answers(request), "idempotency_key": _key(second)})
    assert response.status_code == 200
    assert FeedbackResponse.objects.filter(request=request).count() == 1
    # Answered: the link now says so at once, never the cached form.
    assert client.get(peer_path).status_code == 410
