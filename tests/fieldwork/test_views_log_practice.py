"""Logging practice from a phone: quick, full and "could not"; editing within 24 hours; who may log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from fieldwork.models import PracticeLog
from tests.factories import PracticeLogFactory


def _now_field(person) -> str:
    """ "Now" as the log form's field shows it: in the leader's own time zone."""
    return timezone.localtime(timezone=person.tz).strftime("%Y-%m-%dT%H:%M")


def test_the_leader_opens_the_quick_log_form(cast, client_for, lee_commitment):
    response = client_for("lee").get(f"/commitments/{lee_commitment.pk}/log/")

    html = response.content.decode()
    assert response.status_code == 200
    assert lee_commitment.text in html
    assert "What happened, in one line" in html
    assert "0 of 4 attempts logged" in html


def test_a_quick_log_is_saved_and_the_leader_goes_home_with_the_count(cast, client_for, lee_commitment):
    client = client_for("lee")

    response = client.post(
        f"/commitments/{lee_commitment.pk}/log/",
        {"mode": "quick", "note": "Counted to three.", "occurred_at": _now_field(cast.lee)},
    )

    assert response.status_code == 302 and response["Location"] == "/"
    log = PracticeLog.objects.get()
    assert (log.note, log.kind, log.author) == ("Counted to three.", "practised", cast.lee)
    assert "1 of 4 attempts so far" in client.get("/").content.decode()


def test_a_full_log_is_saved(cast, client_for, lee_commitment):
    data = {
        "mode": "full",
        "occurred_at": _now_field(cast.lee),
        "what_tried": "Counted before answering the CFO",
        "went_well": "Clear answer",
        "went_badly": "Voice too quiet",
        "noticed_in_myself": "Heart racing",
        "others_reacted": "CFO asked a follow-up",
        "will_adjust": "Speak up",
    }

    client_for("lee").post(f"/commitments/{lee_commitment.pk}/log/?mode=full", data)

    log = PracticeLog.objects.get()
    assert log.is_full and log.others_reacted == "CFO asked a follow-up"


def test_could_not_do_it_is_recorded_with_its_reason(cast, client_for, lee_commitment):
    client_for("lee").post(
        f"/commitments/{lee_commitment.pk}/log/?mode=could_not",
        {"mode": "could_not", "note": "Planning round moved to next month", "occurred_at": _now_field(cast.lee)},
    )

    log = PracticeLog.objects.get()
    assert (log.kind, log.note) == ("could_not", "Planning round moved to next month")


def test_could_not_without_a_reason_is_shown_again_with_a_message(cast, client_for, lee_commitment):
    response = client_for("lee").post(
        f"/commitments/{lee_commitment.pk}/log/?mode=could_not",
        {"mode": "could_not", "note": "", "occurred_at": "2026-01-02T09:15"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Say in a line what got in the way" in html
    assert 'value="2026-01-02T09:15"' in html
    assert not PracticeLog.objects.exists()


def test_a_full_log_with_a_future_time_keeps_every_answer(cast, client_for, lee_commitment):
    later = (timezone.localtime(timezone=cast.lee.tz) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client_for("lee").post(
        f"/commitments/{lee_commitment.pk}/log/?mode=full",
        {"mode": "full", "occurred_at": later, "what_tried": "Asked first", "went_well": "It landed"},
    )

    html = response.content.decode()
    assert "That time is in the future" in html
    assert "Asked first" in html and "It landed" in html
    assert not PracticeLog.objects.exists()


def test_an_empty_quick_log_is_refused(cast, client_for, lee_commitment):
    html = (
        client_for("lee")
        .post(
            f"/commitments/{lee_commitment.pk}/log/",
            {"mode": "quick", "note": " ", "occurred_at": _now_field(cast.lee)},
        )
        .content.decode()
    )

    assert "Write a line about what you tried." in html
    assert not PracticeLog.objects.exists()


def test_the_coach_reads_but_does_not_log(cast, client_for, lee_commitment):
    client = client_for("ada")

    assert client.get(f"/commitments/{lee_commitment.pk}/log/").status_code == 403
    assert client.post(f"/commitments/{lee_commitment.pk}/log/", {"mode": "quick", "note": "x"}).status_code == 403
    assert not PracticeLog.objects.exists()


@pytest.mark.parametrize("person", ["liv", "sam", "ben", "sue"])
def test_nobody_logs_on_someone_elses_commitment(cast, client_for, lee_commitment, person):
    response = client_for(person).post(
        f"/commitments/{lee_commitment.pk}/log/",
        {"mode": "quick", "note": "Not mine", "occurred_at": _now_field(cast.lee)},
    )

    assert response.status_code == 404
    assert not PracticeLog.objects.exists()


def test_a_reviewed_commitment_shows_that_logging_is_closed(cast, client_for, lee_commitment):
    lee_commitment.outcome = "done"
    lee_commitment.reviewed_at = timezone.now()
    lee_commitment.save()

    html = client_for("lee").get(f"/commitments/{lee_commitment.pk}/log/").content.decode()

    assert "logging on it is closed" in html
    assert 'name="note"' not in html


def test_the_author_edits_a_log_within_24_hours(cast, client_for, lee_commitment):
    log = PracticeLogFactory(commitment=lee_commitment, note="First try")
    client = client_for("lee")

    assert 'value="First try"' in client.get(f"/logs/{log.pk}/edit/").content.decode()
    response = client.post(
        f"/logs/{log.pk}/edit/",
        {
            "mode": "quick",
            "note": "First try, corrected",
            "occurred_at": timezone.localtime(log.occurred_at, timezone=cast.lee.tz).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert response.status_code == 302
    log.refresh_from_db()
    assert log.note == "First try, corrected"


def test_a_log_is_read_only_after_24_hours(cast, client_for, lee_commitment):
    log = PracticeLogFactory(commitment=lee_commitment, note="Original words")
    client = client_for("lee")

    with time_machine.travel(log.created_at + timedelta(hours=24, minutes=1), tick=False):
        page = client.get(f"/logs/{log.pk}/edit/").content.decode()
        response = client.post(
            f"/logs/{log.pk}/edit/", {"mode": "quick", "note": "Rewritten", "occurred_at": "2026-01-01T10:00"}
        )

    assert "read-only now" in page and 'name="note"' not in page
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.note == "Original words"


def test_only_the_author_opens_the_edit_page(cast, client_for, lee_commitment):
    log = PracticeLogFactory(commitment=lee_commitment)

    for person in ("ada", "sam", "liv", "ben"):
        assert client_for(person).get(f"/logs/{log.pk}/edit/").status_code == 404


def test_the_commitment_page_lists_logs_with_an_edit_link_for_fresh_ones(cast, client_for, lee_commitment):
    fresh = PracticeLogFactory(commitment=lee_commitment, note="Fresh attempt")
    old = PracticeLogFactory(
        commitment=lee_commitment, note="Old attempt", created_at=timezone.now() - timedelta(days=2)
    )

    leader_page = client_for("lee").get(f"/commitments/{lee_commitment.pk}/").content.decode()
    coach_page = client_for("ada").get(f"/commitments/{lee_commitment.pk}/").content.decode()

    assert "Fresh attempt" in leader_page and "Old attempt" in leader_page
    assert f"/logs/{fresh.pk}/edit/" in leader_page and f"/logs/{old.pk}/edit/" not in leader_page
    assert "Fresh attempt" in coach_page and "/edit/" not in coach_page.split("Practice logs")[1].split("Progress")[0]
