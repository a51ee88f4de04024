"""Reminders to stakeholders: 3 and 7 days after an unanswered request, two at most, never after the round."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications.models import Kind, Notification
from stakeholders import services as stakeholder_services
from stakeholders.models import FeedbackRequest
from tests.factories import FeedbackRoundFactory, StakeholderFactory

Status = Notification.Status
SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def request_(cast) -> FeedbackRequest:
    """Pat, a peer of Lee, asked on 2 March in a round closing three weeks later; the e-mail went out."""
    with time_machine.travel(SENT, tick=False):
        StakeholderFactory(engagement=cast.lee_engagement, name="Pat Quinn", email="pat@acme.example")
        feedback_round = FeedbackRoundFactory(
            engagement=cast.lee_engagement, closes_on=SENT.date() + timedelta(days=21)
        )
        stakeholder_services.round_open(feedback_round=feedback_round, notify=False)
    request = FeedbackRequest.objects.get(round=feedback_round)
    FeedbackRequest.objects.filter(pk=request.pk).update(send_count=1, sent_at=SENT)
    request.refresh_from_db()
    return request


def nudges() -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.STAKEHOLDER_NUDGE).order_by("period_key"))


@pytest.mark.django_db
def test_an_unanswered_request_is_nudged_after_three_and_seven_days_and_no_more(request_, run_tick):
    run_tick(SENT + 3 * DAY - MINUTE)
    assert nudges() == []
    run_tick(SENT + 3 * DAY)
    run_tick(SENT + 5 * DAY)
    assert [(n.period_key, n.status) for n in nudges()] == [(f"stakeholder:{request_.pk}:1", Status.SENT)]
    run_tick(SENT + 7 * DAY)
    run_tick(SENT + 10 * DAY)
    run_tick(SENT + 14 * DAY)
    assert [(n.period_key, n.status) for n in nudges()] == [
        (f"stakeholder:{request_.pk}:1", Status.SENT),
        (f"stakeholder:{request_.pk}:2", Status.SENT),
    ]
    assert [m.subject for m in mail.outbox] == [
        "Reminder: Lee Lindqvist would value two minutes of your feedback",
        "Last reminder: Lee Lindqvist would value two minutes of your feedback",
    ]
    request_.refresh_from_db()
    assert request_.nudge_count == 2


@pytest.mark.django_db
def test_the_reminder_carries_the_same_private_link_as_the_request(request_, run_tick):
    run_tick(SENT + 3 * DAY)
    (message,) = mail.outbox
    assert message.to == ["pat@acme.example"]
    token = stakeholder_services.link_token(request=request_)
    assert SITE + reverse("stakeholders:answer", args=[token]) in message.body
    (nudge,) = nudges()
    assert (nudge.recipient, nudge.recipient_key) == (None, "email:pat@acme.example")
    assert "Hello Pat Quinn," in message.body
    assert "Choose which e-mails" not in message.body  # no account, no preferences page
    link = message.extra_headers["List-Unsubscribe"][1:-1]
    assert Client().post(link.removeprefix(SITE)).status_code == 200


@pytest.mark.django_db
def test_no_reminder_once_the_answer_has_arrived(request_, run_tick):
    FeedbackRequest.objects.filter(pk=request_.pk).update(answered_at=SENT + DAY)
    run_tick(SENT + 3 * DAY)
    run_tick(SENT + 7 * DAY)
    assert nudges() == []


@pytest.mark.django_db
def test_an_answer_arriving_between_recording_and_sending_skips_the_reminder(request_, run_tick, monkeypatch):
    from notifications import services, tasks

    monkeypatch.setattr(tasks.send_notification_batch, "delay", lambda pks: None)
    run_tick(SENT + 3 * DAY)
    FeedbackRequest.objects.filter(pk=request_.pk).update(answered_at=SENT + 3 * DAY)
    (nudge,) = nudges()
    with time_machine.travel(SENT + 3 * DAY + MINUTE, tick=False):
        assert services.notification_deliver(notification_id=nudge.pk) == Status.SKIPPED
    assert mail.outbox == []


@pytest.mark.django_db
def test_no_reminder_after_the_round_closes(request_, run_tick):
    with time_machine.travel(SENT + 2 * DAY, tick=False):
        stakeholder_services.round_close(feedback_round=request_.round)
    run_tick(SENT + 3 * DAY)
    assert nudges() == []


@pytest.mark.django_db
def test_a_round_past_its_closing_day_skips_a_recorded_reminder(request_, run_tick, monkeypatch):
    from notifications import services, tasks

    monkeypatch.setattr(tasks.send_notification_batch, "delay", lambda pks: None)
    run_tick(SENT + 7 * DAY)
    (nudge,) = nudges()
    late = SENT + 30 * DAY
    with time_machine.travel(late, tick=False):
        assert services.notification_deliver(notification_id=nudge.pk) == Status.SKIPPED


@pytest.mark.django_db
def test_a_late_tick_sends_only_the_second_reminder(request_, run_tick):
    run_tick(SENT + 8 * DAY)
    assert [n.period_key for n in nudges()] == [f"stakeholder:{request_.pk}:2"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_email_that_never_went_out_is_not_nudged(request_, run_tick):
    FeedbackRequest.objects.filter(pk=request_.pk).update(sent_at=None)
    run_tick(SENT + 3 * DAY)
    assert nudges() == []


@pytest.mark.django_db
def test_a_stakeholder_who_unsubscribed_gets_no_more_reminders(request_, run_tick):
    run_tick(SENT + 3 * DAY)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"][1:-1]
    Client().post(
        link.removeprefix(SITE), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    run_tick(SENT + 7 * DAY)
    assert [n.status for n in nudges()] == [Status.SENT, Status.SKIPPED]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_coach_sees_reminders_to_stakeholders_in_the_outbox(request_, run_tick, client_for):
    run_tick(SENT + 3 * DAY)
    page = client_for("ada").get(f"/engagements/{request_.round.engagement_id}/outbox/").content.decode()
    assert "Feedback request reminder" in page
    assert "pat@acme.example" in page
