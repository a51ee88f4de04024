"""The program dashboard: the fewer-than-3 rule, released rows only, the ledger and a fixed query count."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.models import Engagement, Goal, Session
from programs.models import LedgerEntry
from programs.selectors import _change_per_round, program_dashboard, suppressed
from stakeholders.selectors import released_trends
from tests.coaching.helpers import feedback_round
from tests.factories import CoachFactory, EngagementFactory, GoalFactory, ProgramFactory, UserFactory
from tests.programs.helpers import cohort


def _url(program) -> str:
    return f"/programs/{program.pk}/"


@pytest.fixture
def program(cast):
    return ProgramFactory(organisation=cast.program.organisation, name="Acme cohort B", managers=[cast.pia])


def test_two_leaders_show_no_theme_or_distribution_figures(cast, client_for, program):
    cohort(program, 2, coach=cast.ada)

    body = client_for("pia").get(_url(program)).content.decode()

    assert "fewer than 3 enrolled leaders" in body
    assert 'id="themes-table"' not in body and 'id="change-table"' not in body
    assert "Delegation" not in body and "Rose by more than 0.25" not in body
    facts = program_dashboard(program=program)
    assert not facts.shows_figures and facts.theme_cells == () and facts.change_rows == ()


def test_three_leaders_show_themes_and_the_distribution_of_change(cast, client_for, program):
    cohort(program, 3, coach=cast.ada)

    body = client_for("pia").get(_url(program)).content.decode()

    assert 'id="themes-table"' in body and 'id="change-table"' in body
    facts = program_dashboard(program=program)
    assert [(c.key, c.value) for c in facts.theme_cells] == [("delegation", 3)]
    (row,) = facts.change_rows
    assert row.leaders == 3 and {c.key: c.value for c in row.cells} == {"fell": 0, "steady": 0, "rose": 3}
    assert facts.held == 3 and facts.planned == 3 * program.planned_sessions and facts.no_shows == 3
    assert facts.leaders_with_no_show == 3


def test_a_count_of_one_or_two_leaders_is_hidden_with_its_next_smallest_neighbour():
    assert suppressed({"a": 5, "b": 2, "c": 0}) == {"a": None, "b": None, "c": 0}
    assert suppressed({"a": 5, "b": 2, "c": 3}) == {"a": 5, "b": None, "c": None}
    assert suppressed({"a": 3, "b": 1, "c": 2}) == {"a": 3, "b": None, "c": None}
    assert suppressed({"a": 3, "b": 0}) == {"a": 3, "b": 0}


def test_a_status_held_by_one_leader_is_hidden_and_the_page_says_so(cast, client_for, program):
    engagements = cohort(program, 4, coach=cast.ada, rounds=False)
    engagements[0].status = "paused"
    engagements[0].save(update_fields=["status"])

    body = client_for("pia").get(_url(program)).content.decode()
    cells = {c.key: c.value for c in program_dashboard(program=program).status_cells}

    assert cells["paused"] is None and cells["active"] is None  # 1 paused; 3 active would give it away
    assert "Some figures are hidden because they would be about fewer than 3 leaders." in body


def test_only_rows_their_leaders_released_appear(cast, client_for, program):
    engagements = cohort(program, 3, coach=cast.ada, release=1, rounds=False)

    body = client_for("pia").get(_url(program)).content.decode()

    assert str(engagements[0].leader) in body
    assert str(engagements[1].leader) not in body and str(engagements[2].leader) not in body
    assert "2 leaders have not shared theirs" in body


def test_each_released_row_shown_is_one_ledger_entry_for_its_leader(cast, client_for, program):
    engagements = cohort(program, 3, coach=cast.ada, release=2, rounds=False)

    client_for("pia").get(_url(program))

    entries = LedgerEntry.objects.filter(what=LedgerEntry.What.PROGRAM_ROW_VIEW, program=program)
    assert sorted(entries.values_list("engagement_id", flat=True)) == sorted(e.pk for e in engagements[:2])
    assert set(entries.values_list("viewer_id", "viewer_role")) == {(cast.pia.pk, "program_manager")}


def test_a_program_manager_opens_only_programs_they_manage(cast, client_for, program):
    other = ProgramFactory(organisation=cast.program.organisation, name="Someone else's cohort")
    client = client_for("pia")

    assert client.get(_url(program)).status_code == 200
    assert client.get(_url(other)).status_code == 404
    assert client_for("sam").get(_url(program)).status_code == 404
    assert client_for("ada").get(_url(program)).status_code == 404


def _shape(program, coach, shape: str) -> None:
    """Programs that take every branch of the dashboard: no figures at all (2 leaders); figures with a
    status held by one leader hidden, no rounds, no goals, no row released (4); and many leaders with
    several statuses, themes, closed rounds, stalled and invited engagements and released rows (9)."""
    if shape == "two":
        cohort(program, 2, coach=coach, rounds=False)
    elif shape == "four":
        engagements = cohort(program, 4, coach=coach, rounds=False)
        Engagement.objects.filter(pk=engagements[0].pk).update(status="paused")
        Goal.objects.filter(engagement__in=engagements).delete()
    else:
        engagements = cohort(program, 9, coach=coach, release=3)
        Engagement.objects.filter(pk__in=[engagements[i].pk for i in (0, 1, 7)]).update(status="completed")
        Engagement.objects.filter(pk=engagements[2].pk).update(awaiting_leader=True)
        for e in engagements[3:6]:
            GoalFactory(engagement=e, position=2, title="Give feedback every week")
        Session.objects.filter(engagement=engagements[6], starts_at__gt=timezone.now()).delete()
        Session.objects.filter(engagement=engagements[6]).update(starts_at=timezone.now() - timedelta(weeks=9))


@pytest.mark.parametrize("shape", ["two", "four", "nine"])
def test_the_dashboard_runs_the_same_queries_whatever_the_data(
    cast, client_for, program, shape, django_assert_num_queries
):
    _shape(program, CoachFactory(practice=cast.practice), shape)
    client = client_for("pia")
    # Session, user; the program with its organisation; its engagements with leaders and releases;
    # session figures; fieldwork counts; goal titles; closed rounds; stakeholder scores per rater group;
    # the ledger insert (also when no row is released); the navigation's "leads" and "sponsors" checks.
    with django_assert_num_queries(12):
        response = client.get(_url(program))
    assert response.status_code == 200


def test_the_shapes_of_the_query_count_test_take_every_branch(cast, program):
    coach = CoachFactory(practice=cast.practice)
    _shape(program, coach, "two")
    assert not program_dashboard(program=program).shows_figures

    four = ProgramFactory(organisation=program.organisation, name="Acme cohort D", managers=[cast.pia])
    _shape(four, coach, "four")
    facts = program_dashboard(program=four)
    assert facts.shows_figures and facts.any_suppressed and not facts.rows
    assert facts.theme_cells == () and facts.change_rows == ()

    nine = ProgramFactory(organisation=program.organisation, name="Acme cohort E", managers=[cast.pia])
    _shape(nine, coach, "nine")
    facts = program_dashboard(program=nine)
    assert facts.leaders == 8 and facts.invited is None and len(facts.rows) == 2
    assert {c.key: c.value for c in facts.status_cells} == {
        "draft": 0,
        "active": 5,
        "paused": 0,
        "completed": 3,
        "ended_early": 0,
    }
    assert {c.key: c.value for c in facts.theme_cells} == {"delegation": 8, "feedback": 3}
    assert facts.stalled is None and len(facts.change_rows) == 1


def _expected_change(program) -> dict[int, Counter]:
    """Bands of change per round, worked out from the sponsor summary's own trend of each engagement."""
    by_round: dict[int, Counter] = defaultdict(Counter)
    engagements = list(Engagement.objects.filter(program=program, awaiting_leader=False))
    for trend in released_trends(engagements=engagements).values():
        per_round: dict[int, list[float]] = defaultdict(list)
        for points in trend.values():
            for i, point in enumerate(points):
                if point.net is not None:
                    per_round[i].append(point.net)
        means = {i: sum(v) / len(v) for i, v in per_round.items()}
        for i in means:
            if i >= 1 and i - 1 in means:
                change = means[i] - means[i - 1]
                by_round[i]["fell" if change < -0.25 else "rose" if change > 0.25 else "steady"] += 1
    return by_round


def test_the_change_per_round_matches_each_sponsor_summary_trend(cast, program):
    coach = CoachFactory(practice=cast.practice)
    engagements = []
    for _ in range(6):
        e = EngagementFactory(coach=coach, leader=UserFactory(), organisation=program.organisation.name)
        Engagement.objects.filter(pk=e.pk).update(program=program)
        GoalFactory(engagement=e, position=1, title="Delegate decisions")
        GoalFactory(engagement=e, position=2, title="Listen first")
        engagements.append(e)
    three = {"peer": [[1, 1], [0, 1], [1, 2]]}
    # Rising on one goal only (the mean of the goals moves by half the change).
    feedback_round(engagements[0], three, opened_days_ago=60)
    feedback_round(engagements[0], {"peer": [[2, 1], [2, 1], [1, 2]], "manager": [[-3, -3]]}, opened_days_ago=30)
    # A middle round whose only group is below the threshold: no change is counted either side of it.
    feedback_round(engagements[1], three, opened_days_ago=60)
    feedback_round(engagements[1], {"peer": [[3, 3], [3, 3]]}, opened_days_ago=40)
    feedback_round(engagements[1], {"peer": [[3, 3], [3, 3], [3, 3]]}, opened_days_ago=20)
    # Steady, then falling; a round still open is not counted.
    feedback_round(engagements[2], three, opened_days_ago=60)
    feedback_round(engagements[2], three, opened_days_ago=40)
    feedback_round(engagements[2], {"peer": [[-2, -2], [-1, -2], [-2, -1]]}, opened_days_ago=20)
    feedback_round(engagements[2], three, opened_days_ago=5, close=False)
    # Two groups meeting the threshold pool their answers.
    feedback_round(engagements[3], three, opened_days_ago=60)
    pooled = {"peer": [[0, 0], [0, 0], [0, 0]], "direct_report": [[3, 3], [3, 3], [3, 3]]}
    feedback_round(engagements[3], pooled, opened_days_ago=30)
    # One round only; and a leader who has not accepted yet, whose rounds are left out.
    feedback_round(engagements[4], three, opened_days_ago=60)
    feedback_round(engagements[5], three, opened_days_ago=60)
    feedback_round(engagements[5], {"peer": [[3, 3], [3, 3], [3, 3]]}, opened_days_ago=30)
    Engagement.objects.filter(pk=engagements[5].pk).update(awaiting_leader=True)

    got = _change_per_round(program)

    assert got == _expected_change(program)
    assert {i: dict(c) for i, c in got.items()} == {1: {"rose": 2, "steady": 1}, 2: {"fell": 1}}
