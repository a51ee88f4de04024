"""commitment_review: outcomes, forgotten counting, and the needs-attention flag."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from engagements.models import Session
from fieldwork.models import Commitment, is_forgotten
from fieldwork.selectors import forgotten_counts
from fieldwork.services import commitment_review
from tests.factories import CommitmentFactory, SessionFactory


def _review(cast, commitment, outcome, reason="", reviewer=None):
    return commitment_review(
        commitment=commitment,
        session=cast.lee_next_session,
        reviewer=reviewer or cast.ada,
        outcome=outcome,
        reason=reason,
    )


def test_done_is_stored_with_its_reason_and_session(cast, lee_commitment):
    result = _review(cast, lee_commitment, "done", "Four times in the planning round.")

    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == Commitment.Outcome.DONE
    assert lee_commitment.review_reason == "Four times in the planning round."
    assert lee_commitment.reviewed_in_session == cast.lee_next_session
    assert lee_commitment.reviewed_by == cast.ada
    assert lee_commitment.reviewed_at is not None
    assert not lee_commitment.forgotten
    assert not result.needs_attention


def test_not_done_with_a_substantive_reason_is_not_forgotten(cast, lee_commitment):
    _review(cast, lee_commitment, "not_done", "The planning round was postponed to January.")

    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == "not_done"
    assert not lee_commitment.forgotten


@pytest.mark.parametrize("reason", ["", "  ", "forgot", "I forgot", "busy", "no reason", "n/a", "Too busy this week"])
def test_not_done_without_a_substantive_reason_counts_as_forgotten(cast, lee_commitment, reason):
    _review(cast, lee_commitment, "not_done", reason)

    lee_commitment.refresh_from_db()
    assert lee_commitment.forgotten


def test_partly_is_never_forgotten(cast, lee_commitment):
    _review(cast, lee_commitment, "partly", "")

    lee_commitment.refresh_from_db()
    assert not lee_commitment.forgotten


def test_the_second_forgotten_commitment_raises_needs_attention(cast):
    first = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0])
    second = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[1])

    one = _review(cast, first, "not_done", "forgot")
    two = _review(cast, second, "not_done", "")

    assert (one.forgotten_count, one.needs_attention, one.raised_attention) == (1, False, False)
    assert (two.forgotten_count, two.needs_attention, two.raised_attention) == (2, True, True)
    assert forgotten_counts(engagement_ids=[cast.lee_engagement.pk, cast.liv_engagement.pk]) == {
        cast.lee_engagement.pk: 2
    }


def test_forgotten_in_another_engagement_does_not_count(cast, lee_commitment):
    liv_session = SessionFactory(
        engagement=cast.liv_engagement, status=Session.Status.HELD, starts_at=cast.lee_past_session.starts_at
    )
    liv_commitment = CommitmentFactory(session=liv_session, goal=cast.liv_goals[0])
    liv_next = SessionFactory(engagement=cast.liv_engagement)
    commitment_review(commitment=liv_commitment, session=liv_next, reviewer=cast.ben, outcome="not_done")

    result = _review(cast, lee_commitment, "not_done")

    assert result.forgotten_count == 1
    assert not result.needs_attention


def test_changing_a_review_to_done_clears_forgotten(cast, lee_commitment):
    _review(cast, lee_commitment, "not_done")
    result = _review(cast, lee_commitment, "done", "Did it after all, on Friday.")

    lee_commitment.refresh_from_db()
    assert not lee_commitment.forgotten
    assert result.forgotten_count == 0


@pytest.mark.parametrize("outcome", ["done", "partly", "not_done"])
def test_the_leader_cannot_record_a_review_outcome_of_their_own_commitment(cast, lee_commitment, outcome):
    with pytest.raises(PermissionDenied):
        _review(cast, lee_commitment, outcome, "All four times.", reviewer=cast.lee)

    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == "open"
    assert lee_commitment.reviewed_by is None


def test_the_leader_cannot_change_a_review_the_coach_recorded(cast, lee_commitment):
    _review(cast, lee_commitment, "not_done", "The planning round was postponed to January.")

    with pytest.raises(PermissionDenied):
        _review(cast, lee_commitment, "done", reviewer=cast.lee)

    lee_commitment.refresh_from_db()
    assert (lee_commitment.outcome, lee_commitment.reviewed_by) == ("not_done", cast.ada)


def test_an_unknown_outcome_is_refused(cast, lee_commitment):
    with pytest.raises(ValidationError) as exc:
        _review(cast, lee_commitment, "maybe")

    assert "done, partly or not done" in exc.value.message_dict["outcome"][0]
    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == "open"


def test_review_at_the_same_or_an_earlier_session_is_refused(cast, lee_commitment):
    earlier = SessionFactory(
        engagement=cast.lee_engagement,
        status=Session.Status.HELD,
        starts_at=cast.lee_past_session.starts_at - timedelta(days=14),
    )
    for session in (cast.lee_past_session, earlier):
        with pytest.raises(ValidationError):
            commitment_review(commitment=lee_commitment, session=session, reviewer=cast.ada, outcome="done")


def test_review_at_a_session_of_another_engagement_is_refused(cast, lee_commitment):
    liv_next = SessionFactory(engagement=cast.liv_engagement)

    with pytest.raises(ValidationError):
        commitment_review(commitment=lee_commitment, session=liv_next, reviewer=cast.ada, outcome="done")


def test_sponsor_and_other_coach_cannot_review(cast, lee_commitment):
    for outsider in (cast.sam, cast.ben):
        with pytest.raises(PermissionDenied):
            _review(cast, lee_commitment, "done", reviewer=outsider)


@pytest.mark.parametrize(
    ("outcome", "reason", "forgotten"),
    [
        ("done", "", False),
        ("partly", "forgot", False),
        ("not_done", "", True),
        ("not_done", "forgot", True),
        ("not_done", "I simply forgot it", True),
        ("not_done", "I forgot because the VP cancelled both of our one-on-ones", False),
        ("not_done", "The operations review was cancelled twice", False),
    ],
)
def test_is_forgotten_rule(outcome, reason, forgotten):
    assert is_forgotten(outcome, reason) is forgotten


@pytest.mark.parametrize("status", [Session.Status.CANCELLED, Session.Status.NO_SHOW, Session.Status.LATE_CANCEL])
def test_no_review_at_a_session_that_did_not_take_place(cast, lee_commitment, status):
    Session.objects.filter(pk=cast.lee_next_session.pk).update(status=status)
    cast.lee_next_session.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        _review(cast, lee_commitment, "done")

    assert "held or is about to be held" in exc.value.messages[0]
    lee_commitment.refresh_from_db()
    assert lee_commitment.is_open
