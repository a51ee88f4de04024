"""The Celery entry points: JSON-only ids, late acknowledgement, and retries of temporary refusals."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from coaching.celery import app
from notifications import tasks
from notifications.delivery import TransientDeliveryError
from notifications.models import Notification
from tests.notifications.backends import refuse
from tests.notifications.factories import NotificationFactory


def test_the_send_task_is_acknowledged_late_and_given_back_if_its_worker_dies():
    task = tasks.send_notification
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.autoretry_for == (TransientDeliveryError,)
    assert task.retry_backoff == settings.NOTIFICATIONS_RETRY_BACKOFF
    assert task.retry_backoff_max == settings.NOTIFICATIONS_RETRY_BACKOFF_MAX <= 300  # minutes, never hours


def test_messages_are_json_only_and_beat_runs_one_static_tick_every_minute():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    (entry,) = [e for e in app.conf.beat_schedule.values() if e["task"].startswith("notifications.")]
    assert entry["task"] == "notifications.tick"
    assert entry["schedule"] == 60.0
    assert entry["options"]["expires"] < 60


@pytest.fixture
def eager_retries():
    """Eager tasks run their retries at once, unless the first exception propagates to the caller."""
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.mark.django_db
def test_a_server_that_refuses_twice_then_accepts_gets_the_message_once_and_the_row_shows_three_attempts(
    settings, reminder, eager_retries
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    row = NotificationFactory()
    refuse(2)
    assert tasks.send_notification.delay(row.pk).get() == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == (Notification.Status.SENT, 3, 1)
    assert "451" in row.last_error
    refuse(0)


@pytest.mark.django_db
def test_a_replayed_task_message_sends_nothing_more(reminder):
    row = NotificationFactory()
    assert tasks.send_notification.delay(row.pk).get() == "sent"
    assert tasks.send_notification.delay(row.pk).get() == ""
    assert len(mail.outbox) == 1
