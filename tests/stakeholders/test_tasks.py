"""Sending feedback requests: claimed once, retried on transient errors, failures kept on the row."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core import mail

from stakeholders import services, tasks
from stakeholders.models import FeedbackRequest
from tests.stakeholders.conftest import request_of


@pytest.fixture
def request_to_send(lee_roster, open_round):
    feedback_round, _ = open_round()
    return request_of(feedback_round, lee_roster.peer[0])


def test_task_sends_the_email_and_records_it(request_to_send):
    tasks.send_feedback_request.delay(request_to_send.pk)

    request_to_send.refresh_from_db()
    assert request_to_send.send_status == "sent" and request_to_send.sent_at is not None
    assert request_to_send.send_attempts == 1
    (message,) = mail.outbox
    assert message.to == [request_to_send.stakeholder.email]
    assert f"/f/{services.link_token(request=request_to_send)}/" in message.body


def test_a_replayed_task_sends_nothing(request_to_send):
    tasks.send_feedback_request.delay(request_to_send.pk)
    tasks.send_feedback_request.delay(request_to_send.pk)

    assert len(mail.outbox) == 1


def test_transient_errors_are_retried_then_the_failure_is_kept(request_to_send):
    with mock.patch.object(
        services,
        "feedback_request_email_send",
        side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    ) as send:
        tasks.send_feedback_request.delay(request_to_send.pk)

    request_to_send.refresh_from_db()
    assert send.call_count == services.MAX_SEND_ATTEMPTS
    assert request_to_send.send_status == "failed"
    assert request_to_send.send_attempts == services.MAX_SEND_ATTEMPTS
    assert "Connection unexpectedly closed" in request_to_send.send_error


def test_a_transient_error_then_success_sends_once(request_to_send):
    real = services.feedback_request_email_send
    with mock.patch.object(
        services, "feedback_request_email_send", side_effect=[ConnectionRefusedError("no server"), None]
    ) as send:
        send.side_effect = [ConnectionRefusedError("no server"), real]
        assert services.request_send(request_id=request_to_send.pk) == "retry"
        request_to_send.refresh_from_db()
        assert (request_to_send.send_status, request_to_send.send_attempts) == ("pending", 1)

    assert services.request_send(request_id=request_to_send.pk) == "sent"
    request_to_send.refresh_from_db()
    assert (request_to_send.send_status, request_to_send.send_attempts, request_to_send.send_error) == ("sent", 2, "")


def test_a_refused_address_fails_at_once(request_to_send):
    refused = smtplib.SMTPRecipientsRefused({"peer1@acme.example": (550, b"No such user")})
    with mock.patch.object(services, "feedback_request_email_send", side_effect=refused):
        assert services.request_send(request_id=request_to_send.pk) == "failed"

    request_to_send.refresh_from_db()
    assert request_to_send.send_status == "failed" and "refused the address" in request_to_send.send_error


def test_the_coach_resends_a_failed_request_with_the_same_link(request_to_send, django_capture_on_commit_callbacks):
    FeedbackRequest.objects.filter(pk=request_to_send.pk).update(
        send_status="failed", send_error="timeout", send_attempts=4
    )
    request_to_send.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_resend(request=request_to_send)

    request_to_send.refresh_from_db()
    assert request_to_send.send_status == "sent" and request_to_send.send_error == ""
    assert f"/f/{services.link_token(request=request_to_send)}/" in mail.outbox[0].body


def test_an_answered_request_is_not_sent(request_to_send):
    services.response_submit(request=request_to_send, scores={g.pk: 0 for g in request_to_send.goals.all()})

    assert services.request_send(request_id=request_to_send.pk) == "skipped"
    assert mail.outbox == []


def test_open_due_rounds_task_reports_how_many_opened(db):
    assert tasks.open_due_feedback_rounds.delay().get() == 0


def test_an_unreachable_broker_leaves_the_round_open_and_the_requests_pending(
    cast, lee_roster, django_capture_on_commit_callbacks
):
    from stakeholders.models import FeedbackRound
    from tests.factories import FeedbackRoundFactory

    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    with mock.patch.object(tasks.send_feedback_request, "delay", side_effect=ConnectionRefusedError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            services.round_open(feedback_round=feedback_round)

    assert FeedbackRound.objects.get(pk=feedback_round.pk).status == "open"
    assert set(FeedbackRequest.objects.filter(round=feedback_round).values_list("send_status", flat=True)) == {
        "pending"
    }
    assert mail.outbox == []


def test_beat_opens_planned_rounds_with_a_registered_task():
    from django.conf import settings

    from coaching.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["stakeholders-open-due-rounds"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
