"""Rows recorded outside the tick are handed to a worker at once, and a hung broker costs one timeout,
not one per row: the rows stay pending for the next tick."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from notifications import services
from notifications.models import Kind, Notification
from tests.factories import UserFactory
from tests.silent_server import silent_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_at(settings):
    """Points Celery's broker at redis://127.0.0.1:<port>/0 with the production timeouts."""
    from coaching.celery import app

    original = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_timeout)
    eager = app.conf.task_always_eager

    def point(port: int) -> None:
        app.conf.task_always_eager = False  # the test suite runs tasks in-process unless told otherwise
        app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
        app.conf.broker_transport_options = {**settings.REDIS_CONNECTION_OPTIONS}
        app.conf.broker_connection_timeout = settings.REDIS_CONNECT_TIMEOUT
        app._after_fork()  # new connection and producer pools for the new address

    yield point
    app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_timeout = original
    app.conf.task_always_eager = eager
    app._after_fork()


def _owe(count: int) -> list[Notification]:
    people = [UserFactory() for _ in range(count)]
    with transaction.atomic():
        return [
            services.notification_owe_now(
                kind=Kind.INVITATION, period_key=f"invitation:{n}", recipient_id=p.pk, recipient_email=p.email
            )
            for n, p in enumerate(people)
        ]


def test_a_hung_broker_costs_one_timeout_for_many_rows_and_leaves_them_for_the_tick(broker_at, settings):
    with silent_server() as port:
        broker_at(port)
        started = time.monotonic()
        rows = _owe(6)
        elapsed = time.monotonic() - started

    # One attempt (about one socket timeout) instead of six (over 12 s).
    one_attempt = settings.REDIS_CONNECT_TIMEOUT + settings.REDIS_SOCKET_TIMEOUT
    assert elapsed < 2 * one_attempt, elapsed
    stored = Notification.objects.filter(pk__in=[r.pk for r in rows])
    assert sorted(stored.values_list("status", flat=True)) == [Notification.Status.PENDING] * 6
    assert list(stored.values_list("enqueued_at", flat=True)) == [None] * 6


def test_a_row_already_on_its_way_is_not_handed_over_twice(monkeypatch):
    from notifications.tasks import send_notification

    published: list[int] = []
    monkeypatch.setattr(send_notification, "delay", published.append)
    (row,) = _owe(1)

    assert published == [row.pk]
    assert services.notifications_hand_to_worker(notification_ids=[row.pk]) == 0
    assert published == [row.pk]


def test_after_the_pause_the_rows_left_behind_are_handed_over(monkeypatch):
    from notifications.tasks import send_notification

    def refuse(pk):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(send_notification, "delay", refuse)
    rows = _owe(3)
    assert list(Notification.objects.filter(enqueued_at__isnull=False)) == []

    published: list[int] = []
    monkeypatch.setattr(send_notification, "delay", published.append)
    assert services.notifications_hand_to_worker(notification_ids=[r.pk for r in rows]) == 0  # still paused
    monkeypatch.setattr(services, "_broker_paused_until", 0.0)
    assert services.notifications_hand_to_worker(notification_ids=[r.pk for r in rows]) == 3
    assert published == [r.pk for r in rows]
