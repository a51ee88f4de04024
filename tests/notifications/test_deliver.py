"""Claiming and sending one notification: exactly once, retried when the server asks, failed with the error."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import registry, services
from notifications.delivery import TransientDeliveryError
from notifications.models import Notification, OptOut
from tests.factories import UserFactory
from tests.notifications.backends import refuse
from tests.notifications.factories import NotificationFactory

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
Status = Notification.Status


@pytest.fixture(autouse=True)
def _flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 300
    refuse(0)


def deliver(row, at=NOW) -> str:
    return services.notification_deliver(notification_id=row.pk, now=at)


@pytest.mark.django_db
def test_a_due_row_is_claimed_sent_and_marked_sent(reminder):
    lee = UserFactory(full_name="Lee Lindqvist")
    row = NotificationFactory(recipient=lee, kind="session_reminder", due_at=NOW, context={"n": 4})
    with time_machine.travel(NOW, tick=False):
        assert deliver(row) == Status.SENT
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (Status.SENT, 1, NOW, "")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [lee.email]
    assert message.subject == "Test note 4"
    assert f"/notes/{row.pk}/" in message.body


@pytest.mark.django_db
def test_a_replayed_send_adds_no_copy(reminder):
    row = NotificationFactory(due_at=NOW)
    assert deliver(row) == Status.SENT
    assert deliver(row) == ""
    assert deliver(row, NOW + timedelta(days=2)) == ""
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


@pytest.mark.django_db
def test_a_row_another_worker_is_sending_is_left_alone(reminder):
    row = NotificationFactory(due_at=NOW, status=Status.SENDING, claimed_at=NOW, attempts=1)
    assert deliver(row, NOW + timedelta(seconds=299)) == ""
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_row_stuck_in_sending_past_the_timeout_is_sent_once(reminder):
    row = NotificationFactory(due_at=NOW, status=Status.SENDING, claimed_at=NOW, attempts=1)
    assert deliver(row, NOW + timedelta(seconds=301)) == Status.SENT
    assert deliver(row, NOW + timedelta(seconds=302)) == ""
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == (Status.SENT, 2, 1)


@pytest.mark.django_db
def test_a_row_not_yet_due_is_not_claimed(reminder):
    row = NotificationFactory(due_at=NOW + timedelta(minutes=1))
    assert deliver(row) == ""
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 0)


@pytest.mark.django_db
def test_a_temporary_refusal_puts_the_row_back_with_the_error_and_asks_for_a_retry(reminder):
    row = NotificationFactory(due_at=NOW)
    refuse(1)
    with time_machine.travel(NOW, tick=False), pytest.raises(TransientDeliveryError):
        deliver(row)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.enqueued_at) == (Status.PENDING, 1, NOW)
    assert "451" in row.last_error
    assert deliver(row) == Status.SENT
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == (Status.SENT, 2, 1)


@pytest.mark.django_db
def test_after_the_last_attempt_the_row_is_failed_with_the_error_kept(reminder):
    row = NotificationFactory(due_at=NOW)
    refuse(5, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    for _ in range(2):
        with pytest.raises(TransientDeliveryError):
            deliver(row)
    assert deliver(row) == Status.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_permanent_refusal_fails_at_once(reminder):
    row = NotificationFactory(due_at=NOW)
    refuse(1, smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"5.1.1 No such user")}))
    assert deliver(row) == Status.FAILED
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (1, "Recipient refused (x@example.com: 550 5.1.1 No such user)")


@pytest.mark.django_db
def test_an_unreachable_server_is_worth_another_try(reminder):
    row = NotificationFactory(due_at=NOW)
    refuse(1, ConnectionRefusedError(111, "Connection refused"))
    with pytest.raises(TransientDeliveryError):
        deliver(row)
    row.refresh_from_db()
    assert row.status == Status.PENDING


@pytest.mark.django_db
def test_a_worker_interrupted_too_often_gives_up(reminder):
    row = NotificationFactory(due_at=NOW, status=Status.SENDING, claimed_at=NOW, attempts=3)
    assert deliver(row, NOW + timedelta(hours=1)) == Status.FAILED
    row.refresh_from_db()
    assert row.last_error == "Interrupted 3 times while sending."


@pytest.mark.django_db
def test_an_opted_out_recipient_is_skipped(reminder):
    row = NotificationFactory(due_at=NOW)
    OptOut.objects.create(recipient_key=row.recipient_key, kind=row.kind)
    assert deliver(row) == Status.SKIPPED
    row.refresh_from_db()
    assert row.skip_reason == "The recipient has turned these e-mails off."
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_inactive_account_is_skipped(reminder):
    row = NotificationFactory(due_at=NOW, recipient=UserFactory(is_active=False))
    assert deliver(row) == Status.SKIPPED


@pytest.mark.django_db
def test_a_message_whose_reason_has_gone_is_skipped_with_the_reason(reminder):
    reminder.skip_reason = "The session was cancelled."
    row = NotificationFactory(due_at=NOW)
    assert deliver(row) == Status.SKIPPED
    row.refresh_from_db()
    assert row.skip_reason == "The session was cancelled."


@pytest.mark.django_db
def test_a_message_that_cannot_be_rendered_fails_with_the_error(reminder):
    registry.source_for("session_reminder").build = lambda n: (_ for _ in ()).throw(LookupError("row vanished"))
    row = NotificationFactory(due_at=NOW)
    assert deliver(row) == Status.FAILED
    row.refresh_from_db()
    assert row.last_error == "LookupError: row vanished"


@pytest.mark.django_db
def test_a_kind_nothing_sends_any_more_fails_rather_than_waiting_forever(reminder):
    row = NotificationFactory(due_at=NOW, kind="no_next_session")
    assert deliver(row) == Status.FAILED


@pytest.mark.django_db
def test_every_message_carries_one_click_unsubscribe_headers_and_a_stable_message_id(reminder):
    row = NotificationFactory(due_at=NOW)
    deliver(row)
    headers = mail.outbox[0].extra_headers
    assert headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Message-ID"] == f"<notification-{row.pk}.{services.installation_key().hex}@127.0.0.1>"
    assert headers["Auto-Submitted"] == "auto-generated"
    html = mail.outbox[0].alternatives[0][0]
    assert headers["List-Unsubscribe"][1:-1] in html


@pytest.mark.django_db
def test_a_person_whose_address_changed_gets_it_at_the_new_address(reminder):
    lee = UserFactory(email="lee@old.example.com")
    row = NotificationFactory(recipient=lee, due_at=NOW)
    lee.email = "lee@new.example.com"
    lee.save()
    deliver(row)
    assert mail.outbox[0].to == ["lee@new.example.com"]


@pytest.mark.django_db
def test_the_owning_app_hears_once_that_its_message_went_out_and_never_for_a_refused_one(reminder):
    source = registry.source_for("session_reminder")
    heard: list[int] = []
    registry.register(
        registry.Source(
            kind=source.kind, find_due=source.find_due, build=source.build, after_send=lambda n: heard.append(n.pk)
        )
    )
    sent = NotificationFactory(recipient=UserFactory(), kind="session_reminder", due_at=NOW)
    refused = NotificationFactory(recipient=UserFactory(), kind="session_reminder", due_at=NOW)
    with time_machine.travel(NOW, tick=False):
        assert deliver(sent) == Status.SENT
        deliver(sent)  # a replayed task finds nothing to claim
        refuse(1)
        with pytest.raises(TransientDeliveryError):
            deliver(refused)
    assert heard == [sent.pk]
