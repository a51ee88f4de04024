"""commitment_create, commitment_update, commitment_delete: what may be agreed at a session."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from engagements.models import Engagement, Session
from fieldwork.models import Commitment
from fieldwork.services import commitment_create, commitment_delete, commitment_update
from tests.factories import CommitmentFactory, FieldworkTemplateFactory, PracticeLogFactory, SessionFactory


def _create(cast, **overrides):
    kwargs = {
        "session": cast.lee_past_session,
        "author": cast.ada,
        "goal": cast.lee_goals[0],
        "text": "Take one breath before answering the VP",
        "target_count": 5,
        "where_with_whom": "Operations review",
    }
    kwargs.update(overrides)
    return commitment_create(**kwargs)


def test_coach_agrees_a_commitment_due_at_the_next_session(cast):
    commitment = _create(cast)

    commitment.refresh_from_db()
    assert commitment.engagement == cast.lee_engagement
    assert commitment.session == cast.lee_past_session
    assert commitment.created_by == cast.ada
    assert commitment.target_count == 5
    assert commitment.due_at_next_session and commitment.due_date is None
    assert commitment.outcome == Commitment.Outcome.OPEN


def test_leader_can_agree_a_commitment_too(cast):
    commitment = _create(cast, author=cast.lee)

    assert commitment.created_by == cast.lee


def test_commitment_due_on_a_date(cast):
    due = timezone.localdate() + timedelta(days=10)

    commitment = _create(cast, due_date=due)

    assert not commitment.due_at_next_session
    assert commitment.due_date == due


@pytest.mark.parametrize("target", [1, 50])
def test_target_count_accepts_the_bounds(cast, target):
    assert _create(cast, target_count=target).target_count == target


@pytest.mark.parametrize("target", [0, 51, 1000, -3, None])
def test_target_count_outside_one_to_fifty_is_refused_with_a_message(cast, target):
    with pytest.raises(ValidationError) as exc:
        _create(cast, target_count=target)

    assert "from 1 to 50" in exc.value.message_dict["target_count"][0]
    assert not Commitment.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused(cast, text):
    with pytest.raises(ValidationError) as exc:
        _create(cast, text=text)

    assert "text" in exc.value.message_dict


def test_text_whitespace_is_tidied(cast):
    assert _create(cast, text="  Ask   one  question  ").text == "Ask one question"


def test_due_date_in_the_past_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        _create(cast, due_date=timezone.localdate() - timedelta(days=1))

    assert "today onwards" in exc.value.message_dict["due_date"][0]


@time_machine.travel("2026-03-10 03:30:00+00:00", tick=False)
def test_today_is_the_authors_own_today(cast):
    # 03:30 UTC is still 9 March in New York (Lee's time zone): 9 March is not in the past for Lee.
    cast.lee_past_session.starts_at = timezone.now() - timedelta(days=7)
    cast.lee_past_session.save()
    from datetime import date

    commitment = _create(cast, author=cast.lee, due_date=date(2026, 3, 9))

    assert commitment.due_date == date(2026, 3, 9)


def test_goal_of_another_engagement_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        _create(cast, goal=cast.liv_goals[0])

    assert "this engagement's goals" in exc.value.message_dict["goal"][0]


def test_goal_is_required_when_the_engagement_has_goals(cast):
    with pytest.raises(ValidationError) as exc:
        _create(cast, goal=None)

    assert "goal" in exc.value.message_dict


def test_at_most_three_commitments_per_session(cast):
    for n in range(3):
        _create(cast, text=f"Practice {n}")

    with pytest.raises(ValidationError) as exc:
        _create(cast, text="A fourth one")

    assert "one to 3" in exc.value.messages[0]
    assert Commitment.objects.filter(session=cast.lee_past_session).count() == 3


def test_sponsor_and_other_coach_cannot_agree_fieldwork(cast):
    for outsider in (cast.sam, cast.ben, cast.liv):
        with pytest.raises(PermissionDenied):
            _create(cast, author=outsider)
    assert not Commitment.objects.exists()


def test_no_fieldwork_at_a_no_show_or_cancelled_session(cast):
    for status in (Session.Status.NO_SHOW, Session.Status.CANCELLED, Session.Status.LATE_CANCEL):
        session = SessionFactory(engagement=cast.lee_engagement, status=status)
        with pytest.raises(ValidationError):
            _create(cast, session=session)


def test_no_fieldwork_once_the_engagement_has_ended(cast):
    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(status=Engagement.Status.COMPLETED)
    cast.lee_past_session.engagement.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        _create(cast)

    assert "ended" in exc.value.messages[0]


def test_commitment_started_from_the_coachs_template(cast):
    template = FieldworkTemplateFactory(coach=cast.ada)

    assert _create(cast, template=template).template == template


def test_another_coachs_template_is_refused(cast):
    template = FieldworkTemplateFactory(coach=cast.ben)

    with pytest.raises(ValidationError):
        _create(cast, template=template)


def test_database_refuses_a_target_of_zero(cast):
    commitment = _create(cast)

    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(target_count=0)


def test_update_changes_the_commitment_and_keeps_its_logs(cast, lee_commitment):
    PracticeLogFactory(commitment=lee_commitment)

    commitment_update(
        commitment=lee_commitment,
        author=cast.lee,
        goal=cast.lee_goals[1],
        text="Ask a team lead to decide",
        target_count=2,
        due_date=timezone.localdate() + timedelta(days=3),
    )

    lee_commitment.refresh_from_db()
    assert lee_commitment.text == "Ask a team lead to decide"
    assert lee_commitment.goal == cast.lee_goals[1]
    assert lee_commitment.target_count == 2
    assert not lee_commitment.due_at_next_session
    assert lee_commitment.logs.count() == 1


def test_update_refuses_a_target_of_a_thousand_and_keeps_the_old_one(cast, lee_commitment):
    with pytest.raises(ValidationError):
        commitment_update(
            commitment=lee_commitment, author=cast.ada, goal=cast.lee_goals[0], text="x", target_count=1000
        )

    lee_commitment.refresh_from_db()
    assert lee_commitment.target_count == 4


def test_a_reviewed_commitment_cannot_be_edited(cast, lee_commitment):
    Commitment.objects.filter(pk=lee_commitment.pk).update(outcome="done", reviewed_at=timezone.now())
    lee_commitment.refresh_from_db()

    with pytest.raises(ValidationError):
        commitment_update(commitment=lee_commitment, author=cast.ada, goal=cast.lee_goals[0], text="x", target_count=2)


def test_delete_removes_a_commitment_without_logs(cast, lee_commitment):
    commitment_delete(commitment=lee_commitment, user=cast.ada)

    assert not Commitment.objects.filter(pk=lee_commitment.pk).exists()


def test_delete_keeps_a_commitment_with_logged_practice(cast, lee_commitment):
    PracticeLogFactory(commitment=lee_commitment)

    with pytest.raises(ValidationError) as exc:
        commitment_delete(commitment=lee_commitment, user=cast.ada)

    assert "logged" in exc.value.messages[0]
    assert Commitment.objects.filter(pk=lee_commitment.pk).exists()


def test_sponsor_cannot_delete_a_commitment(cast, lee_commitment):
    with pytest.raises(PermissionDenied):
        commitment_delete(commitment=lee_commitment, user=cast.sam)
    assert Commitment.objects.filter(pk=lee_commitment.pk).exists()


def test_factory_commitment_is_valid(cast):
    CommitmentFactory(session=cast.lee_past_session).full_clean()
