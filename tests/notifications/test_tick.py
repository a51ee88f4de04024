"""The tick: records what sources say is due, once per (recipient, kind, period), and enqueues on commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifications import registry, services, tasks
from notifications.models import Notification, SourceFailure
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
Status = Notification.Status


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.send_notification_batch, "delay", sent.extend)
    return sent


@pytest.mark.django_db
def test_tick_records_one_row_per_due_message(nudge, enqueued, django_capture_on_commit_callbacks):
    lee, liv = UserFactory(), UserFactory(time_zone="Asia/Tokyo")
    nudge.spec(user=lee, due_at=NOW - timedelta(minutes=1), period="p1", engagement_id=7, context={"n": 1})
    nudge.spec(user=liv, due_at=NOW, period="p1")
    nudge.spec(email="pat@example.com", due_at=NOW, period="p1", time_zone="America/Sao_Paulo")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.tick(now=NOW)

    rows = {n.recipient_key: n for n in Notification.objects.all()}
    assert set(rows) == {f"user:{lee.pk}", f"user:{liv.pk}", "email:pat@example.com"}
    assert rows[f"user:{lee.pk}"].engagement_id == 7
    assert rows[f"user:{lee.pk}"].context == {"n": 1}
    assert rows[f"user:{liv.pk}"].time_zone == "Asia/Tokyo"
    assert rows["email:pat@example.com"].recipient is None
    assert all(n.status == Status.PENDING and n.enqueued_at == NOW for n in rows.values())
    assert sorted(enqueued) == sorted(n.pk for n in rows.values())
    assert (result.offered, result.enqueued) == (3, 3)


@pytest.mark.django_db
def test_a_second_tick_records_and_enqueues_nothing_new(nudge, enqueued, django_capture_on_commit_callbacks):
    nudge.spec(user=UserFactory(), due_at=NOW, period="p1")
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW + timedelta(minutes=1))
    assert Notification.objects.count() == 1
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_messages_not_yet_due_are_not_recorded(nudge, enqueued, django_capture_on_commit_callbacks):
    nudge.spec(user=UserFactory(), due_at=NOW + timedelta(seconds=1), period="p1")
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW)
    assert not Notification.objects.exists()
    assert enqueued == []


@pytest.mark.django_db
def test_sends_are_enqueued_only_when_the_transaction_commits(nudge, enqueued, django_capture_on_commit_callbacks):
    nudge.spec(user=UserFactory(), due_at=NOW, period="p1")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.tick(now=NOW)
    assert enqueued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [Notification.objects.get().pk]


@pytest.mark.django_db
def test_a_row_whose_task_was_lost_is_enqueued_again_only_after_the_sending_timeout(
    settings, nudge, enqueued, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 300
    row = NotificationFactory(due_at=NOW, enqueued_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW + timedelta(seconds=299))
    assert enqueued == []
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW + timedelta(seconds=301))
    assert enqueued == [row.pk]


@pytest.mark.django_db
def test_a_row_stuck_in_sending_is_enqueued_again_only_after_the_sending_timeout(
    settings, nudge, enqueued, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 300
    row = NotificationFactory(due_at=NOW, enqueued_at=NOW, claimed_at=NOW, status=Status.SENDING, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW + timedelta(seconds=200))
    assert enqueued == []
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW + timedelta(seconds=301))
    assert enqueued == [row.pk]
    row.refresh_from_db()
    assert row.status == Status.SENDING  # the outbox shows it in flight until a worker takes it over


@pytest.mark.django_db
def test_rows_waiting_for_the_daily_limit_are_released_on_their_morning(
    nudge, enqueued, django_capture_on_commit_callbacks
):
    row = NotificationFactory(kind="agenda_prompt", due_at=NOW + timedelta(hours=1), status=Status.DEFERRED)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tick(now=NOW).released == 0
    with django_capture_on_commit_callbacks(execute=True):
        result = services.tick(now=NOW + timedelta(hours=1))
    row.refresh_from_db()
    assert (result.released, row.status, enqueued) == (1, Status.PENDING, [row.pk])


@pytest.mark.django_db
def test_a_broken_source_does_not_stop_the_others(only_sources, enqueued, django_capture_on_commit_callbacks, caplog):
    only_sources("agenda_prompt")
    healthy = only_sources("session_reminder")
    registry.source_for("agenda_prompt").find_due = lambda now: (_ for _ in ()).throw(RuntimeError("boom"))
    healthy.spec(user=UserFactory(), due_at=NOW, period="p1")
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=NOW)
    assert Notification.objects.get().kind == "session_reminder"
    assert "Notification source agenda_prompt skipped the whole source" in caplog.text
    failure = SourceFailure.objects.get()
    assert (failure.kind, failure.row, failure.stage, failure.error) == (
        "agenda_prompt",
        "",
        "source",
        "RuntimeError: boom",
    )


@pytest.mark.django_db
def test_the_tick_task_ticks_at_the_current_time(nudge, enqueued, django_capture_on_commit_callbacks):
    nudge.spec(user=UserFactory(), due_at=NOW, period="p1")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.tick.delay().get() == {"offered": 1, "released": 0, "enqueued": 1, "failures": 0}
    assert Notification.objects.count() == 1
