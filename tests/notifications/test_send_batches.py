"""The tick hands due rows to the workers a batch per task message; each row is still claimed on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from coaching.celery import app
from notifications import services, tasks
from notifications.models import Notification
from tests.factories import UserFactory
from tests.notifications.backends import refuse
from tests.notifications.factories import NotificationFactory

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
Status = Notification.Status


@pytest.fixture
def batches(monkeypatch) -> list[list[int]]:
    published: list[list[int]] = []
    monkeypatch.setattr(tasks.send_notification_batch, "delay", published.append)
    monkeypatch.setattr(tasks.send_notification, "delay", lambda pk: pytest.fail("the tick sent a single-row task"))
    return published


@pytest.mark.django_db
def test_the_tick_enqueues_one_message_per_batch_of_due_rows(
    settings, nudge, batches, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SEND_BATCH = 2
    for number in range(5):
        nudge.spec(user=UserFactory(), due_at=NOW, period=f"p{number}")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.tick(now=NOW)

    pks = sorted(Notification.objects.values_list("pk", flat=True))
    assert batches == [pks[0:2], pks[2:4], pks[4:5]]
    assert result.enqueued == 5


@pytest.mark.django_db
def test_a_batch_the_broker_refuses_is_enqueued_again_after_the_sending_timeout(
    settings, nudge, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(pks):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.send_notification_batch, "delay", broker_down)
    nudge.spec(user=UserFactory(), due_at=NOW, period="p1")
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW)
    published: list[list[int]] = []
    monkeypatch.setattr(tasks.send_notification_batch, "delay", published.append)
    timeout = timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT)

    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW + timeout)
    assert published == []  # still counted as on its way
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW + timeout + timedelta(seconds=1))
    assert published == [[Notification.objects.get().pk]]


def test_the_batch_task_is_acknowledged_late_and_travels_on_the_mail_queue():
    task = tasks.send_notification_batch
    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
    assert app.amqp.router.route({}, task.name, (), {})["queue"].name == "mail"


@pytest.mark.django_db
def test_a_batch_sends_each_row_once_and_a_replayed_batch_sends_nothing_more(reminder):
    rows = NotificationFactory.create_batch(3)
    assert tasks.send_notification_batch.delay([r.pk for r in rows]).get() == {"sent": 3}
    assert tasks.send_notification_batch.delay([r.pk for r in rows]).get() == {"unclaimed": 3}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.recipient.email for r in rows)
    assert set(Notification.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


@pytest.mark.django_db
def test_a_refused_row_is_retried_on_its_own_and_the_rest_of_its_batch_goes_out(settings, reminder):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False  # eager retries run at once
    try:
        first, second, third = NotificationFactory.create_batch(3)
        refuse(1)  # the first row's first attempt only
        outcome = tasks.send_notification_batch.delay([first.pk, second.pk, third.pk]).get()
    finally:
        app.conf.task_eager_propagates = before
        refuse(0)
    assert outcome == {"retrying": 1, "sent": 2}
    first.refresh_from_db()
    assert (first.status, first.attempts) == (Status.SENT, 2)
    assert "451" in first.last_error
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.recipient.email for r in (first, second, third))


@pytest.mark.django_db
def test_an_unexpected_error_on_one_row_does_not_stop_the_others(reminder, monkeypatch):
    rows = NotificationFactory.create_batch(3)
    deliver = services.notification_deliver

    def broken_on_the_second(*, notification_id, **kwargs):
        if notification_id == rows[1].pk:
            raise RuntimeError("connection lost")
        return deliver(notification_id=notification_id, **kwargs)

    monkeypatch.setattr(services, "notification_deliver", broken_on_the_second)
    assert tasks.send_notification_batch.delay([r.pk for r in rows]).get() == {"sent": 2, "error": 1}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([rows[0].recipient.email, rows[2].recipient.email])
    assert Notification.objects.get(pk=rows[1].pk).status == Status.PENDING
