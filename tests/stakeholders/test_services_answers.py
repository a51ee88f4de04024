"""Answers through a private link: once, while the round is open, with valid scores only."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tokens import hash_token
from stakeholders import services
from stakeholders.models import FeedbackResponse, GoalScore
from tests.stakeholders.conftest import request_of


@pytest.fixture
def peer_request(lee_roster, open_round):
    feedback_round, _ = open_round(ask_support=True)
    return request_of(feedback_round, lee_roster.peer[0])


def scores_for(request, *values):
    goals = list(request.goals.order_by("position", "pk"))
    return {g.pk: v for g, v in zip(goals, values, strict=True)}


def test_a_link_works_once(peer_request):
    services.response_submit(request=peer_request, scores=scores_for(peer_request, 2, -1), support="Clearer priorities")

    with pytest.raises(services.LinkUnusable) as excinfo:
        services.response_submit(request=peer_request, scores=scores_for(peer_request, 3, 3))

    assert excinfo.value.reason == "answered"
    response = FeedbackResponse.objects.get()
    assert response.relationship == "peer"
    assert response.support == "Clearer priorities"
    assert sorted(response.scores.values_list("score", flat=True)) == [-1, 2]


def test_a_stale_copy_of_the_request_cannot_answer_twice(peer_request):
    stale = request_of(peer_request.round, peer_request.stakeholder)
    services.response_submit(request=peer_request, scores=scores_for(peer_request, 1, 1))

    with pytest.raises(services.LinkUnusable):
        services.response_submit(request=stale, scores=scores_for(stale, 2, 2))

    assert GoalScore.objects.count() == 2


def test_a_closed_round_rejects_answers(peer_request):
    services.round_close(feedback_round=peer_request.round)
    peer_request.round.refresh_from_db()

    with pytest.raises(services.LinkUnusable) as excinfo:
        services.response_submit(request=peer_request, scores=scores_for(peer_request, 1, 1))

    assert excinfo.value.reason == "closed"
    assert not FeedbackResponse.objects.exists()


def test_answers_stop_after_the_closing_day_in_the_coachs_time_zone(peer_request, cast):
    closes_on = peer_request.round.closes_on
    last_minute = timezone.datetime.combine(closes_on, timezone.datetime.min.time(), tzinfo=cast.ada.tz) + timedelta(
        hours=23, minutes=59
    )

    with time_machine.travel(last_minute):
        assert services.link_state(request=peer_request) is None
    with time_machine.travel(last_minute + timedelta(minutes=2)):
        assert services.link_state(request=peer_request) == "closed"
        with pytest.raises(services.LinkUnusable):
            services.response_submit(request=peer_request, scores=scores_for(peer_request, 1, 1))


def test_a_withdrawn_request_rejects_answers(peer_request):
    services.stakeholder_deactivate(stakeholder=peer_request.stakeholder)
    peer_request.refresh_from_db()

    with pytest.raises(services.LinkUnusable) as excinfo:
        services.response_submit(request=peer_request, scores=scores_for(peer_request, 1, 1))

    assert excinfo.value.reason == "withdrawn"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ((4, 0), "score_{0}"),
        ((0, -4), "score_{1}"),
        ((100, 0), "score_{0}"),
    ],
)
def test_scores_outside_minus_3_to_3_are_refused(peer_request, values, field):
    goals = list(peer_request.goals.order_by("position", "pk"))

    with pytest.raises(ValidationError) as excinfo:
        services.response_submit(request=peer_request, scores=scores_for(peer_request, *values))

    assert field.format(goals[0].pk, goals[1].pk) in excinfo.value.message_dict
    assert not FeedbackResponse.objects.exists()
    peer_request.refresh_from_db()
    assert peer_request.answered_at is None


def test_every_goal_asked_needs_a_score(peer_request):
    goals = list(peer_request.goals.order_by("position", "pk"))

    with pytest.raises(ValidationError) as excinfo:
        services.response_submit(request=peer_request, scores={goals[0].pk: 1})

    assert f"score_{goals[1].pk}" in excinfo.value.message_dict
    assert not FeedbackResponse.objects.exists()


def test_a_goal_of_another_engagement_is_refused(peer_request, cast):
    scores = {**scores_for(peer_request, 1, 1), cast.liv_goals[0].pk: 3}

    with pytest.raises(ValidationError) as excinfo:
        services.response_submit(request=peer_request, scores=scores)

    assert "not asked about" in excinfo.value.message_dict["__all__"][0]
    assert not GoalScore.objects.exists()


def test_oversized_text_is_refused(peer_request):
    goals = list(peer_request.goals.order_by("position", "pk"))

    with pytest.raises(ValidationError) as excinfo:
        services.response_submit(
            request=peer_request, scores=scores_for(peer_request, 1, 1), suggestions={goals[0].pk: "x" * 2001}
        )

    assert "under 2000 characters" in excinfo.value.message_dict[f"suggestion_{goals[0].pk}"][0]
    assert not FeedbackResponse.objects.exists()


def test_baseline_answer_needs_keep_or_start(cast, lee_roster, open_round):
    feedback_round, _ = open_round(kind="baseline")
    request = request_of(feedback_round, lee_roster.peer[0])

    with pytest.raises(ValidationError):
        services.response_submit(request=request, keep_doing="  ", start_doing="")
    services.response_submit(request=request, start_doing="Delegate the weekly report.")

    assert FeedbackResponse.objects.get().start_doing == "Delegate the weekly report."


def test_baseline_round_refuses_scores(cast, lee_roster, open_round):
    feedback_round, _ = open_round(kind="baseline")
    request = request_of(feedback_round, lee_roster.peer[0])

    with pytest.raises(ValidationError):
        services.response_submit(request=request, scores={cast.lee_goals[0].pk: 1}, keep_doing="Listening")


def test_answers_to_questions_the_round_did_not_ask_are_dropped(cast, lee_roster, open_round):
    feedback_round, _ = open_round()  # no open questions
    request = request_of(feedback_round, lee_roster.peer[0])

    services.response_submit(request=request, scores=scores_for(request, 0, 0), organisation="Not asked")

    assert FeedbackResponse.objects.get().organisation == ""


def test_nudge_link_is_the_link_of_the_first_email(peer_request):
    url = services.request_link_for_nudge(request=peer_request)

    assert url.endswith(f"/f/{services.link_token(request=peer_request)}/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert services.request_find(token=token) == peer_request


def test_nudge_link_is_reissued_when_the_secret_key_has_changed(peer_request, settings):
    old_token = services.link_token(request=peer_request)
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789abcdef"

    url = services.request_link_for_nudge(request=peer_request)

    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token != old_token
    peer_request.refresh_from_db()
    assert peer_request.token_hash == hash_token(token)
    assert services.request_find(token=token) == peer_request


def test_no_nudge_link_for_an_answered_request_or_a_closed_round(peer_request, lee_roster):
    services.response_submit(request=peer_request, scores=scores_for(peer_request, 1, 1))
    with pytest.raises(ValidationError):
        services.request_link_for_nudge(request=peer_request)

    other = request_of(peer_request.round, lee_roster.peer[1])
    services.round_close(feedback_round=peer_request.round)
    other.round.refresh_from_db()
    with pytest.raises(ValidationError):
        services.request_link_for_nudge(request=other)


def test_nudge_bookkeeping_counts_reminders(peer_request):
    services.request_record_nudge(request=peer_request)
    services.request_record_nudge(request=peer_request)

    assert peer_request.nudge_count == 2 and peer_request.last_nudged_at is not None


@pytest.mark.parametrize("token", ["", "short", "x" * 43 + "y", "!" * 43, "a" * 42 + "=", "../" * 14 + "a"])
def test_malformed_tokens_find_nothing_without_a_query(db, token, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.request_find(token=token) is None
