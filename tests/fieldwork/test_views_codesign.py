"""Co-designing fieldwork on the session page: inline htmx rows, templates, and what bad input keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldwork.models import Commitment
from tests.factories import CommitmentFactory, FieldworkTemplateFactory, PracticeLogFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def _row(session, **overrides):
    data = {
        "text": "Thank one person for specific work",
        "where_with_whom": "Friday stand-up",
        "target_count": "3",
        "goal": "",
        "due": "next_session",
        "due_date": "",
    }
    data.update(overrides)
    return {f"new{session.pk}-{key}": value for key, value in data.items()}


def test_the_session_page_shows_the_fieldwork_panel_with_an_add_row(cast, client_for):
    page = client_for("ada").get(f"/sessions/{cast.lee_past_session.pk}/").content.decode()

    assert "Fieldwork until the next session" in page
    assert "From last session’s fieldwork" in page
    assert f'name="new{cast.lee_past_session.pk}-text"' in page


def test_coach_adds_a_row_inline_and_gets_the_rows_back(cast, client_for):
    session = cast.lee_past_session
    data = _row(session, goal=str(cast.lee_goals[0].pk))

    response = client_for("ada").post(f"/sessions/{session.pk}/fieldwork/new/", data, **HTMX)

    commitment = Commitment.objects.get()
    assert (commitment.text, commitment.target_count, commitment.goal) == (
        "Thank one person for specific work",
        3,
        cast.lee_goals[0],
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<div id="codesign-{session.pk}"')
    assert "Commitment added" in html and "Thank one person for specific work" in html


def test_without_javascript_adding_a_row_redirects_back_to_the_session(cast, client_for):
    session = cast.lee_past_session

    response = client_for("lee").post(
        f"/sessions/{session.pk}/fieldwork/new/", _row(session, goal=str(cast.lee_goals[1].pk))
    )

    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.pk}/#fieldwork"
    assert Commitment.objects.get().created_by == cast.lee


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target_count": "1000"}, "Choose a number of attempts from 1 to 50"),
        ({"target_count": "0"}, "Choose a number of attempts from 1 to 50"),
        ({"text": "   "}, "Say what the leader will practise"),
        ({"goal": ""}, "Choose the goal this practice serves."),
        ({"due": "date", "due_date": ""}, "Choose the date, or make it due at the next session."),
    ],
)
def test_bad_input_keeps_what_was_typed_and_says_why(cast, client_for, overrides, message):
    session = cast.lee_past_session
    data = _row(session, goal=str(cast.lee_goals[0].pk), where_with_whom="Board prep on Tuesdays")
    data.update({f"new{session.pk}-{k}": v for k, v in overrides.items()})

    response = client_for("ada").post(f"/sessions/{session.pk}/fieldwork/new/", data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="Board prep on Tuesdays"' in html
    assert not Commitment.objects.exists()


def test_a_due_date_in_the_past_is_refused_and_the_date_is_kept(cast, client_for):
    session = cast.lee_past_session
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    data = _row(session, goal=str(cast.lee_goals[0].pk), due="date", due_date=yesterday)

    html = client_for("ada").post(f"/sessions/{session.pk}/fieldwork/new/", data).content.decode()

    assert "Choose a due date from today onwards" in html
    assert f'value="{yesterday}"' in html
    assert not Commitment.objects.exists()


def test_a_fourth_row_is_refused_with_a_message(cast, client_for):
    session = cast.lee_past_session
    CommitmentFactory.create_batch(3, session=session, goal=cast.lee_goals[0])

    html = (
        client_for("ada")
        .post(f"/sessions/{session.pk}/fieldwork/new/", _row(session, goal=str(cast.lee_goals[0].pk)), **HTMX)
        .content.decode()
    )

    assert "one to 3 commitments" in html
    assert Commitment.objects.count() == 3


def test_starting_from_a_library_template_fills_the_row(cast, client_for):
    template = FieldworkTemplateFactory(coach=cast.ada, title="Pause before answering", goal_theme="calm")
    session = cast.lee_past_session

    html = (
        client_for("ada").get(f"/sessions/{session.pk}/fieldwork/new/?template={template.pk}", **HTMX).content.decode()
    )

    assert 'value="Pause before answering"' in html
    # "calm" matches the goal "Stay calm under pressure from senior leaders", which is preselected.
    assert f'<option value="{cast.lee_goals[0].pk}" selected>' in html
    assert f'name="new{session.pk}-template" value="{template.pk}"' in html


def test_another_coachs_template_cannot_be_used(cast, client_for):
    template = FieldworkTemplateFactory(coach=cast.ben, title="Ben's secret practice")

    html = client_for("ada").get(f"/sessions/{cast.lee_past_session.pk}/fieldwork/new/?template={template.pk}").content
    assert b"Ben's secret practice" not in html


def test_a_row_is_edited_inline(cast, client_for, lee_commitment):
    client = client_for("ada")
    form = client.get(f"/commitments/{lee_commitment.pk}/edit/", **HTMX).content.decode()
    assert f'name="c{lee_commitment.pk}-text"' in form

    prefix = f"c{lee_commitment.pk}"
    data = {
        f"{prefix}-text": "Count to three first",
        f"{prefix}-target_count": "6",
        f"{prefix}-goal": str(cast.lee_goals[1].pk),
        f"{prefix}-due": "next_session",
    }
    response = client.post(f"/commitments/{lee_commitment.pk}/edit/", data, **HTMX)

    lee_commitment.refresh_from_db()
    assert (lee_commitment.text, lee_commitment.target_count) == ("Count to three first", 6)
    assert "Commitment saved." in response.content.decode()


def test_an_edit_with_a_target_of_a_thousand_is_shown_again(cast, client_for, lee_commitment):
    prefix = f"c{lee_commitment.pk}"
    data = {
        f"{prefix}-text": "Count to five first",
        f"{prefix}-target_count": "1000",
        f"{prefix}-goal": str(cast.lee_goals[0].pk),
        f"{prefix}-due": "next_session",
    }

    html = client_for("ada").post(f"/commitments/{lee_commitment.pk}/edit/", data, **HTMX).content.decode()

    assert 'value="Count to five first"' in html and 'value="1000"' in html
    assert "from 1 to 50" in html
    lee_commitment.refresh_from_db()
    assert lee_commitment.target_count == 4


def test_a_row_without_logs_is_removed(cast, client_for, lee_commitment):
    response = client_for("ada").post(f"/commitments/{lee_commitment.pk}/delete/", **HTMX)

    assert "Commitment removed." in response.content.decode()
    assert not Commitment.objects.exists()


def test_a_row_with_logs_stays_and_says_why(cast, client_for, lee_commitment):
    PracticeLogFactory(commitment=lee_commitment)

    response = client_for("ada").post(f"/commitments/{lee_commitment.pk}/delete/")

    assert response.status_code == 302
    assert Commitment.objects.filter(pk=lee_commitment.pk).exists()


def test_the_codesign_page_works_without_javascript(cast, client_for, lee_commitment):
    response = client_for("lee").get(f"/sessions/{cast.lee_past_session.pk}/fieldwork/")

    assert response.status_code == 200
    assert lee_commitment.text in response.content.decode()


@pytest.mark.parametrize("person", ["sam", "ben", "liv"])
def test_outsiders_cannot_add_or_edit_rows(cast, client_for, lee_commitment, person):
    client = client_for(person)
    session = cast.lee_past_session

    assert client.post(f"/sessions/{session.pk}/fieldwork/new/", _row(session)).status_code == 404
    assert client.get(f"/commitments/{lee_commitment.pk}/edit/").status_code == 404
    assert client.post(f"/commitments/{lee_commitment.pk}/delete/").status_code == 404
    assert Commitment.objects.count() == 1
