"""Results and anonymity: groups below K are left out, "everyone" pools only the groups shown,
nothing shows while a round is open, suggestions are shuffled and unattributed, and the trend."""

from __future__ import annotations

import pytest
from django.utils import timezone

from stakeholders import selectors, services
from tests.factories import StakeholderFactory
from tests.stakeholders.conftest import answer


def closed_results(feedback_round):
    services.round_close(feedback_round=feedback_round)
    feedback_round.refresh_from_db()
    return selectors.round_results(feedback_round=feedback_round)


def goal_result(results, goal):
    return next(g for g in results.goals if g.goal == goal)


def by_key(result):
    return {g.key: g for g in result.groups}


def test_groups_with_fewer_than_k_answers_are_left_out(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    for person, score in zip(lee_roster.direct_report, (1, 2, 3), strict=True):
        answer(feedback_round, person, score, score)
    for person in lee_roster.peer[:2]:
        answer(feedback_round, person, -3, -3)

    result = goal_result(closed_results(feedback_round), cast.lee_goals[0])

    groups = by_key(result)
    assert groups["direct_report"].shown and groups["direct_report"].mean == 2
    assert not groups["peer"].shown and groups["peer"].mean is None and groups["peer"].distribution == []
    assert result.everyone.mean == 2 and result.everyone.answered == 3
    assert result.answered == 5 and result.asked == 8


def test_everyone_is_computed_only_from_groups_that_meet_k(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    for person in lee_roster.direct_report:
        answer(feedback_round, person, 3, 3)
    for person in lee_roster.peer:
        answer(feedback_round, person, 0, 0)
    answer(feedback_round, lee_roster.other[0], -3, -3)
    answer(feedback_round, lee_roster.manager[0], -3, -3)

    result = goal_result(closed_results(feedback_round), cast.lee_goals[0])

    assert result.everyone.mean == 1.5  # (3+3+3+0+0+0) / 6: the lone manager and "other" are not in it
    assert dict(result.everyone.distribution) == {-3: 0, -2: 0, -1: 0, 0: 3, 1: 0, 2: 0, 3: 3}


@pytest.mark.parametrize("hidden_score", [-3, 0, 3])
def test_one_peers_answer_cannot_be_recovered_by_subtracting_the_groups_from_everyone(
    cast, lee_roster, open_round, hidden_score
):
    """The attack: "everyone" minus every group shown leaves exactly the answers that were hidden.
    Here one peer answers alone in their group. Whatever that peer says, every figure on the page is
    the same, so comparing "everyone" with the groups recovers nothing."""
    feedback_round, _ = open_round()
    for person, score in zip(lee_roster.direct_report, (1, 2, -1), strict=True):
        answer(feedback_round, person, score, score)
    extra_others = [StakeholderFactory(engagement=cast.lee_engagement, relationship="other") for _ in range(2)]
    services.round_open(feedback_round=feedback_round, notify=False)  # asks the two people added
    for person, score in zip([lee_roster.other[0], *extra_others], (0, 1, 2), strict=True):
        answer(feedback_round, person, score, score)
    lone_peer = lee_roster.peer[0]
    answer(feedback_round, lone_peer, hidden_score, hidden_score)

    results = closed_results(feedback_round)

    for goal in cast.lee_goals:
        result = goal_result(results, goal)
        shown = [g for g in result.groups if g.shown]
        assert {g.key for g in shown} == {"direct_report", "other"}
        everyone_total = result.everyone.mean * result.everyone.answered
        groups_total = sum(g.mean * g.answered for g in shown)
        assert result.everyone.answered - sum(g.answered for g in shown) == 0
        assert everyone_total - groups_total == pytest.approx(0)
        # "Everyone" is exactly the six answers of the groups shown, as if the peer had not answered.
        assert result.everyone.mean == pytest.approx((1 + 2 - 1 + 0 + 1 + 2) / 6)
        assert sum(count for _, count in result.everyone.distribution) == 6


def test_figures_do_not_depend_on_a_hidden_answer(cast, lee_roster, open_round):
    """Two rounds that differ only in the lone peer's score produce identical figures."""

    def figures(peer_score):
        feedback_round, _ = open_round()
        for person in lee_roster.direct_report:
            answer(feedback_round, person, 2, 1)
        answer(feedback_round, lee_roster.peer[0], peer_score, peer_score)
        results = closed_results(feedback_round)
        return [
            (g.everyone.mean, g.everyone.distribution, [(x.key, x.shown, x.mean, x.distribution) for x in g.groups])
            for g in results.goals
        ]

    assert figures(-3) == figures(3)


def test_the_manager_group_is_shown_on_its_own_only_when_it_meets_k(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    answer(feedback_round, lee_roster.manager[0], 3, 3)
    for person in lee_roster.direct_report:
        answer(feedback_round, person, 1, 1)

    result = goal_result(closed_results(feedback_round), cast.lee_goals[0])

    assert not by_key(result)["manager"].shown
    assert result.everyone.mean == 1


def test_several_managers_meeting_k_form_their_own_group(cast, open_round):
    engagement = cast.lee_engagement
    engagement.anonymity_threshold = 2
    engagement.save()
    managers = [StakeholderFactory(engagement=engagement, relationship="manager") for _ in range(2)]
    feedback_round, _ = open_round()
    answer(feedback_round, managers[0], 2, 2)
    answer(feedback_round, managers[1], 3, 1)

    result = goal_result(closed_results(feedback_round), cast.lee_goals[0])

    manager = by_key(result)["manager"]
    assert manager.shown and manager.label == "Managers" and manager.mean == 2.5


def test_an_open_round_shows_counts_only(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    for person in lee_roster.direct_report:
        answer(feedback_round, person, 3, 3, suggestion="Keep going")

    results = selectors.round_results(feedback_round=feedback_round)

    assert not results.released
    assert (results.asked, results.answered) == (8, 3)
    assert results.goals == [] and results.questions == []


def test_suggestions_are_shuffled_and_carry_no_names_or_dates(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    texts = [f"Suggestion number {i}" for i in range(6)]
    people = [*lee_roster.direct_report, *lee_roster.peer]
    for person, text in zip(people, texts, strict=True):
        answer(feedback_round, person, 1, 1, suggestion=text)
    services.round_close(feedback_round=feedback_round)
    feedback_round.refresh_from_db()

    orders = {
        tuple(goal_result(selectors.round_results(feedback_round=feedback_round), cast.lee_goals[0]).suggestions)
        for _ in range(12)
    }

    assert len(orders) > 1  # 12 draws of 720 orders: all equal only by a fluke of about 1 in 10^34
    assert all(sorted(order) == sorted(texts) for order in orders)
    assert all(isinstance(text, str) for text in next(iter(orders)))


def test_suggestions_wait_until_k_people_answered_the_goal(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    answer(feedback_round, lee_roster.peer[0], 1, 1, suggestion="Only me so far")
    answer(feedback_round, lee_roster.peer[1], 1, 1)

    result = goal_result(closed_results(feedback_round), cast.lee_goals[0])

    assert result.suggestions == [] and result.suggestions_hidden


def test_suggestions_of_a_group_left_out_of_the_figures_are_left_out_too(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    for person, text in zip(lee_roster.direct_report, ("Report A", "Report B", "Report C"), strict=True):
        answer(feedback_round, person, 1, 1, suggestion=text)
    answer(feedback_round, lee_roster.other[0], -3, -3, suggestion="The only other rater")
    answer(feedback_round, lee_roster.manager[0], 0, 0, suggestion="The manager, who was told")

    result = goal_result(closed_results(feedback_round), cast.lee_goals[0])

    assert not by_key(result)["other"].shown
    assert sorted(result.suggestions) == ["Report A", "Report B", "Report C", "The manager, who was told"]


def test_open_answers_of_a_group_below_k_are_left_out(cast, lee_roster, open_round):
    feedback_round, _ = open_round(ask_support=True)
    for person, text in [*zip(lee_roster.direct_report, ("A", "B", "C"), strict=True), (lee_roster.other[0], "Other")]:
        request = services.FeedbackRequest.objects.get(round=feedback_round, stakeholder=person)
        services.response_submit(request=request, scores={g.pk: 1 for g in request.goals.all()}, support=text)

    results = closed_results(feedback_round)

    assert sorted(dict(results.questions)["How can Lee best support you?"]) == ["A", "B", "C"]


def test_suggestions_are_shown_and_not_marked_hidden_once_k_people_answered(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    for person in lee_roster.peer[:3]:
        answer(feedback_round, person, 1, 1, suggestion=f"From {person.pk}")

    result = goal_result(closed_results(feedback_round), cast.lee_goals[0])

    assert len(result.suggestions) == 3 and not result.suggestions_hidden


def test_open_questions_are_listed_once_k_people_answered(cast, lee_roster, open_round):
    feedback_round, _ = open_round(ask_support=True, ask_organisation=True)
    for person, text in zip(lee_roster.direct_report, ("A", "B", ""), strict=True):
        request = services.FeedbackRequest.objects.get(round=feedback_round, stakeholder=person)
        services.response_submit(
            request=request,
            scores={g.pk: 1 for g in request.goals.all()},
            support=text,
            organisation="Org " + text if text else "",
        )

    results = closed_results(feedback_round)

    questions = dict(results.questions)
    assert sorted(questions["How can Lee best support you?"]) == ["A", "B"]
    assert sorted(questions["How can Lee best serve the organisation?"]) == ["Org A", "Org B"]


def test_baseline_feedforward_is_hidden_below_k(cast, lee_roster, open_round):
    feedback_round, _ = open_round(kind="baseline")
    request = services.FeedbackRequest.objects.get(round=feedback_round, stakeholder=lee_roster.peer[0])
    services.response_submit(request=request, keep_doing="Listening")

    results = closed_results(feedback_round)

    assert results.texts_hidden and results.questions == []


def test_released_trend_gives_the_net_score_per_goal_and_round(cast, lee_roster, open_round, django_assert_num_queries):
    first, _ = open_round()
    for person in lee_roster.direct_report:
        answer(first, person, 0, 1)
    services.round_close(feedback_round=first)
    second, _ = open_round()
    for person in lee_roster.peer[:2]:  # below K: no figure for this round
        answer(second, person, 3, 3)
    services.round_close(feedback_round=second)
    third, _ = open_round()
    for person in lee_roster.direct_report:
        answer(third, person, 2, 3)
    services.round_close(feedback_round=third)
    open_round()  # an open round is never in the trend

    with django_assert_num_queries(3):  # closed progress rounds, goals, scores
        trend = selectors.released_trend(engagement=cast.lee_engagement)

    calm, delegate = cast.lee_goals
    assert [(p.label, p.net) for p in trend[calm]] == [
        ("Progress round 1", 0),
        ("Progress round 2", None),
        ("Progress round 3", 2),
    ]
    assert [p.net for p in trend[delegate]] == [1, None, 3]
    label, day, net = trend[calm][0]
    first.refresh_from_db()
    assert day == first.closed_on == timezone.localdate(timezone=cast.ada.tz)


def test_released_trend_runs_three_queries_whatever_the_number_of_rounds(
    cast, lee_roster, open_round, django_assert_num_queries
):
    for _ in range(4):
        feedback_round, _ = open_round()
        for person in lee_roster.direct_report:
            answer(feedback_round, person, 1, 1)
        services.round_close(feedback_round=feedback_round)

    with django_assert_num_queries(3):
        trend = selectors.released_trend(engagement=cast.lee_engagement)

    assert len(trend[cast.lee_goals[0]]) == 4


def test_asked_counts_follow_the_goals_each_person_was_asked(cast, lee_roster, open_round):
    for person in lee_roster.peer:
        person.goals.set(cast.lee_goals[:1])
    feedback_round, _ = open_round()

    results = closed_results(feedback_round)

    calm, delegate = (goal_result(results, g) for g in cast.lee_goals)
    assert (calm.asked, by_key(calm)["peer"].asked) == (8, 3)
    assert (delegate.asked, by_key(delegate)["peer"].asked) == (5, 0)


def test_round_results_run_a_fixed_number_of_queries(cast, lee_roster, open_round, django_assert_num_queries):
    feedback_round, _ = open_round(ask_support=True)
    for person in [*lee_roster.direct_report, *lee_roster.peer]:
        answer(feedback_round, person, 1, 2, suggestion="More of this")
    services.round_close(feedback_round=feedback_round)
    feedback_round = services.FeedbackRound.objects.select_related("engagement__leader").get(pk=feedback_round.pk)

    # counts, goals, goals asked per group, scores, written answers
    with django_assert_num_queries(5):
        selectors.round_results(feedback_round=feedback_round)
