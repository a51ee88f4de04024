"""The program dashboard: the fewer-than-3 rule, released rows only, the ledger and a fixed query count."""

from __future__ import annotations

import pytest

from programs.models import LedgerEntry
from programs.selectors import program_dashboard, suppressed
from tests.factories import CoachFactory, ProgramFactory
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


@pytest.mark.parametrize("size", [3, 9])
def test_the_dashboard_runs_the_same_queries_whatever_the_size(
    cast, client_for, program, size, django_assert_num_queries
):
    cohort(program, size, coach=CoachFactory(practice=cast.practice), release=2)
    client = client_for("pia")
    # Session, user; the program with its organisation; its engagements with leaders, coaches and releases;
    # session figures; fieldwork counts; stakeholder rounds, goals, scores; the ledger insert; the
    # navigation's "leads" and "sponsors" checks.
    with django_assert_num_queries(12):
        response = client.get(_url(program))
    assert response.status_code == 200
