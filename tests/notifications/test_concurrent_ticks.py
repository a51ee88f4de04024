"""Two ticks at the same moment on PostgreSQL record each notification once and enqueue it once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from notifications import services, tasks
from notifications.models import Notification

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
RECIPIENTS = 400


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_the_same_moment_create_and_enqueue_each_notification_once(nudge, reminder, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite serialises every writer.")
    for i in range(RECIPIENTS):
        nudge.spec(email=f"person{i}@example.com", due_at=NOW, period="agenda:1")
        reminder.spec(email=f"person{i}@example.com", due_at=NOW, period="session:1")
    enqueued: list[int] = []
    lock = threading.Lock()

    def record(pks: list[int]) -> None:
        with lock:
            enqueued.extend(pks)

    monkeypatch.setattr(tasks.send_notification_batch, "delay", record)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            start.wait(timeout=10)
            services.tick(now=NOW)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Notification.objects.count() == 2 * RECIPIENTS
    assert sorted(enqueued) == sorted(Notification.objects.values_list("pk", flat=True))
