"""Reviewing last session's commitments at the next session, and the needs-attention flag."""

from __future__ import annotations

import pytest

from fieldwork.models import Commitment
from tests.factories import CommitmentFactory, PracticeLogFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def _review(client, cast, commitment, outcome, reason="", **headers):
    return client.post(
        f"/sessions/{cast.lee_next_session.pk}/commitments/{commitment.pk}/review/",
        {f"r{commitment.pk}-outcome": outcome, f"r{commitment.pk}-reason": reason},
        **headers,
    )


def test_the_next_sessions_page_shows_last_sessions_commitments_with_their_logs(cast, client_for, lee_commitment):
    PracticeLogFactory(commitment=lee_commitment, note="Counted to three with the CFO")
    PracticeLogFactory(commitment=lee_commitment, kind="could_not", note="Planning postponed")

    for person in ("ada", "lee"):
        html = client_for(person).get(f"/sessions/{cast.lee_next_session.pk}/").content.decode()
        assert "From last session’s fieldwork" in html
        assert lee_commitment.text in html
        assert "1 of 4 attempts logged · 1 could not" in html
        assert "Counted to three with the CFO" in html and "Planning postponed" in html


def test_only_the_coach_sees_the_review_form_and_the_leader_is_told_who_records_it(cast, client_for, lee_commitment):
    url = f"/sessions/{cast.lee_next_session.pk}/"
    coach_html = client_for("ada").get(url).content.decode()
    leader_html = client_for("lee").get(url).content.decode()

    assert f'name="r{lee_commitment.pk}-outcome"' in coach_html
    assert f'name="r{lee_commitment.pk}-outcome"' not in leader_html
    assert "Your coach records how it went" in leader_html


@pytest.mark.parametrize("htmx", [False, True])
def test_the_leader_cannot_mark_their_own_commitment_done(cast, client_for, lee_commitment, htmx):
    response = _review(client_for("lee"), cast, lee_commitment, "done", "All four times", **(HTMX if htmx else {}))

    assert response.status_code == 403
    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == "open"
    assert lee_commitment.reviewed_at is None


def test_coach_reviews_a_commitment_inline(cast, client_for, lee_commitment):
    response = _review(client_for("ada"), cast, lee_commitment, "done", "Four times, calmly.", **HTMX)

    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == "done"
    assert lee_commitment.reviewed_in_session == cast.lee_next_session
    html = response.content.decode()
    assert html.startswith(f'<article class="review-item" id="review-{lee_commitment.pk}"')
    assert "Reviewed: done." in html and "Four times, calmly." in html


def test_without_javascript_the_review_redirects_back_to_the_session(cast, client_for, lee_commitment):
    response = _review(client_for("ada"), cast, lee_commitment, "partly", "Twice")

    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{cast.lee_next_session.pk}/#fieldwork"


def test_a_review_without_an_outcome_keeps_the_reason_and_says_why(cast, client_for, lee_commitment):
    response = _review(client_for("ada"), cast, lee_commitment, "", "The CFO was away", **HTMX)

    html = response.content.decode()
    assert "Choose done, partly or not done." in html
    assert "The CFO was away" in html
    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == "open"


def test_the_second_forgotten_commitment_flags_the_engagement_for_the_coach(cast, client_for):
    first = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0])
    second = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[1])
    coach = client_for("ada")

    _review(coach, cast, first, "not_done", "", **HTMX)
    response = _review(coach, cast, second, "not_done", "forgot", **HTMX)

    assert "the engagement now needs attention" in response.content.decode()
    assert Commitment.objects.filter(forgotten=True).count() == 2
    engagement_page = coach.get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()
    session_page = coach.get(f"/sessions/{cast.lee_next_session.pk}/").content.decode()
    assert "Needs attention:" in engagement_page and "Needs attention:" in session_page
    assert "Needs attention:" not in client_for("lee").get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()


def test_one_forgotten_commitment_raises_no_flag(cast, client_for, lee_commitment):
    coach = client_for("ada")
    _review(coach, cast, lee_commitment, "not_done", "")

    assert "Needs attention:" not in coach.get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()


@pytest.mark.parametrize("person", ["sam", "ben", "liv", "sue"])
def test_outsiders_cannot_review(cast, client_for, lee_commitment, person):
    assert _review(client_for(person), cast, lee_commitment, "done").status_code == 404
    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == "open"


@pytest.mark.parametrize(
    ("reason", "notice"),
    [
        ("", "Counted as forgotten: no reason was given."),
        ("forgot", "Counted as forgotten: “forgot” does not say what got in the way."),
        ("  too busy  ", "Counted as forgotten: “too busy” does not say what got in the way."),
    ],
)
def test_the_forgotten_notice_quotes_the_reason_that_was_typed(cast, client_for, lee_commitment, reason, notice):
    html = _review(client_for("ada"), cast, lee_commitment, "not_done", reason, **HTMX).content.decode()
    assert notice.replace("“", "&ldquo;").replace("”", "&rdquo;") in html or notice in html
    if reason:
        assert "no reason was given" not in html
