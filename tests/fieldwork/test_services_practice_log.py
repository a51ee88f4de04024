"""practice_log and practice_log_update: quick and full logs, "could not", the 24-hour edit window."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from engagements.models import Engagement
from fieldwork.models import LOG_EDIT_WINDOW, PracticeLog
from fieldwork.services import practice_log, practice_log_update
from tests.factories import CommitmentFactory, PracticeLogFactory


def test_quick_log_is_one_line_and_counts_as_an_attempt(cast, lee_commitment):
    log = practice_log(commitment=lee_commitment, author=cast.lee, note="  Paused before answering.  ")

    log.refresh_from_db()
    assert log.kind == PracticeLog.Kind.PRACTISED
    assert log.note == "Paused before answering."
    assert log.author == cast.lee
    assert not log.is_full
    assert lee_commitment.logs.filter(kind=PracticeLog.Kind.PRACTISED).count() == 1


def test_full_log_keeps_every_answer(cast, lee_commitment):
    when = timezone.now() - timedelta(hours=2)

    log = practice_log(
        commitment=lee_commitment,
        author=cast.lee,
        occurred_at=when,
        what_tried="Breathed before answering",
        went_well="Calm voice",
        went_badly="Rushed the end",
        noticed_in_myself="Tight jaw",
        others_reacted="VP nodded",
        will_adjust="Slow down",
    )

    log.refresh_from_db()
    assert log.occurred_at == when
    assert log.is_full
    assert [label for label, _ in log.full_answers()] == [
        "What I tried",
        "What went well",
        "What did not go well",
        "What I noticed in myself",
        "How others reacted",
        "What I will adjust",
    ]


def test_could_not_do_it_needs_a_reason(cast, lee_commitment):
    with pytest.raises(ValidationError) as exc:
        practice_log(commitment=lee_commitment, author=cast.lee, kind="could_not", note=" ")

    assert "got in the way" in exc.value.message_dict["note"][0]
    assert not PracticeLog.objects.exists()


def test_could_not_do_it_is_logged_but_is_not_an_attempt(cast, lee_commitment):
    practice_log(commitment=lee_commitment, author=cast.lee, kind="could_not", note="The meeting was cancelled.")

    assert lee_commitment.logs.get().kind == PracticeLog.Kind.COULD_NOT
    assert not lee_commitment.logs.filter(kind=PracticeLog.Kind.PRACTISED).exists()


def test_an_empty_log_is_refused(cast, lee_commitment):
    with pytest.raises(ValidationError) as exc:
        practice_log(commitment=lee_commitment, author=cast.lee, note="")

    assert "what you tried" in exc.value.messages[0]


def test_a_log_on_someone_elses_commitment_is_refused(cast, lee_commitment):
    for other in (cast.liv, cast.ada, cast.sam):
        with pytest.raises(ValidationError) as exc:
            practice_log(commitment=lee_commitment, author=other, note="Not mine")
        assert exc.value.messages == ["You can log practice only on your own commitments."]
    assert not PracticeLog.objects.exists()


def test_a_log_in_the_future_is_refused(cast, lee_commitment):
    with pytest.raises(ValidationError) as exc:
        practice_log(
            commitment=lee_commitment, author=cast.lee, note="Later", occurred_at=timezone.now() + timedelta(hours=2)
        )

    assert "future" in exc.value.message_dict["occurred_at"][0]


def test_a_log_before_the_commitment_was_agreed_is_refused(cast, lee_commitment):
    before = lee_commitment.session.starts_at - timedelta(days=1)

    with pytest.raises(ValidationError) as exc:
        practice_log(commitment=lee_commitment, author=cast.lee, note="Early", occurred_at=before)

    assert "after the session" in exc.value.message_dict["occurred_at"][0]


def test_a_reviewed_commitment_takes_no_more_logs(cast, lee_commitment):
    lee_commitment.outcome = "done"
    lee_commitment.reviewed_at = timezone.now()
    lee_commitment.save()

    with pytest.raises(ValidationError) as exc:
        practice_log(commitment=lee_commitment, author=cast.lee, note="One more")

    assert "reviewed" in exc.value.messages[0]


def test_no_logs_once_the_engagement_has_ended(cast, lee_commitment):
    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(status=Engagement.Status.ENDED_EARLY)
    lee_commitment.engagement.refresh_from_db()

    with pytest.raises(ValidationError):
        practice_log(commitment=lee_commitment, author=cast.lee, note="Still practising")


def test_logs_count_towards_the_target_beyond_it_too(cast, lee_commitment):
    for n in range(6):
        practice_log(commitment=lee_commitment, author=cast.lee, note=f"Attempt {n}")

    assert lee_commitment.logs.count() == 6
    assert lee_commitment.progress_percent(6) == 100


def test_database_refuses_a_log_that_says_nothing(lee_commitment):
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeLog.objects.create(
            commitment=lee_commitment, author=lee_commitment.engagement.leader, occurred_at=timezone.now()
        )


# --- The 24-hour edit window (time frozen) -------------------------------------------------------


def test_author_edits_a_log_within_24_hours(cast, lee_commitment):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        log = practice_log(commitment=lee_commitment, author=cast.lee, note="First version")
        traveller.shift(timedelta(hours=23, minutes=59))

        practice_log_update(log=log, author=cast.lee, kind="practised", occurred_at=log.occurred_at, note="Second")

    log.refresh_from_db()
    assert log.note == "Second"


def test_log_is_read_only_after_24_hours(cast, lee_commitment):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        log = practice_log(commitment=lee_commitment, author=cast.lee, note="First version")
        traveller.shift(timedelta(hours=24))

        assert not log.is_editable()
        with pytest.raises(ValidationError) as exc:
            practice_log_update(log=log, author=cast.lee, kind="practised", occurred_at=log.occurred_at, note="Late")

    assert "read-only" in exc.value.messages[0]
    log.refresh_from_db()
    assert log.note == "First version"


def test_only_the_author_edits_a_log(cast, lee_commitment):
    log = PracticeLogFactory(commitment=lee_commitment)

    with pytest.raises(ValidationError):
        practice_log_update(log=log, author=cast.ada, kind="practised", occurred_at=log.occurred_at, note="Coach edit")


def test_editing_keeps_what_the_rules_require(cast, lee_commitment):
    log = PracticeLogFactory(commitment=lee_commitment)

    with pytest.raises(ValidationError):
        practice_log_update(log=log, author=cast.lee, kind="could_not", occurred_at=log.occurred_at, note="")

    log.refresh_from_db()
    assert log.kind == "practised"


@settings(max_examples=60, deadline=None)
@given(minutes=st.integers(min_value=-60, max_value=3 * 24 * 60))
def test_is_editable_exactly_for_the_first_24_hours(minutes):
    created = timezone.now()
    log = PracticeLog(created_at=created)

    assert log.is_editable(created + timedelta(minutes=minutes)) == (timedelta(minutes=minutes) < LOG_EDIT_WINDOW)


def test_factory_log_is_valid(db):
    PracticeLogFactory(commitment=CommitmentFactory()).full_clean()


def test_what_the_leader_logs_never_changes_the_completion_rate_the_sponsor_sees(cast, lee_commitment):
    from coaching.summary import engagement_summary
    from fieldwork.services import commitment_review

    other = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[1], target_count=1)
    commitment_review(commitment=other, session=cast.lee_next_session, reviewer=cast.ada, outcome="not_done", reason="")
    before = engagement_summary(viewer=cast.sam, pk=cast.lee_engagement.pk).fieldwork

    for _ in range(lee_commitment.target_count + 1):
        practice_log(commitment=lee_commitment, author=cast.lee, note="Paused before answering.")
    practice_log(commitment=lee_commitment, author=cast.lee, kind="could_not", note="The CFO cancelled our meeting.")

    lee_commitment.refresh_from_db()
    assert lee_commitment.outcome == "open" and lee_commitment.reviewed_at is None
    after = engagement_summary(viewer=cast.sam, pk=cast.lee_engagement.pk).fieldwork
    assert (after.reviewed, after.completed, after.completion_rate) == (1, 0, 0)
    assert (before.reviewed, before.completed, before.completion_rate) == (1, 0, 0)
    assert after.logs == before.logs + lee_commitment.target_count + 1
