"""How the tick records due rows: one statement per batch, each row exactly as its source described it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from notifications import services, tasks
from notifications.models import Kind, Notification, SourceFailure
from tests.factories import UserFactory

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
Status = Notification.Status


@pytest.fixture
def batches(monkeypatch) -> list[list[int]]:
    published: list[list[int]] = []
    monkeypatch.setattr(tasks.send_notification_batch, "delay", published.append)
    return published


@pytest.mark.django_db
def test_a_recorded_row_holds_what_its_source_said_and_the_model_defaults(nudge, batches):
    leader = UserFactory(email="lee@example.com", time_zone="Europe/Berlin")
    due = NOW - timedelta(minutes=3, microseconds=123_456)
    nudge.spec(user=leader, due_at=due, period="agenda:41", engagement_id=41, context={"session_id": 7, "n": [1, 2]})
    nudge.spec(email=" pat@example.com ", due_at=NOW, period="agenda:42", time_zone="Asia/Singapore")

    services.tick(now=NOW)

    first, second = Notification.objects.order_by("period_key")
    assert (first.recipient_id, first.recipient_email, first.recipient_key) == (leader.pk, "lee@example.com",
                                                                               f"user:{leader.pk}")  # fmt: skip
    assert (first.kind, first.period_key, first.time_zone) == (Kind.AGENDA_PROMPT, "agenda:41", "Europe/Berlin")
    assert (first.engagement_id, first.context, first.due_at) == (41, {"session_id": 7, "n": [1, 2]}, due)
    assert (first.created_at, first.enqueued_at, first.status) == (NOW, NOW, Status.PENDING)
    assert (first.attempts, first.last_error, first.skip_reason, first.cap_day) == (0, "", "", None)
    assert (first.claimed_at, first.sent_at) == (None, None)
    assert (second.recipient_id, second.recipient_email, second.recipient_key) == (None, "pat@example.com",
                                                                                  "email:pat@example.com")  # fmt: skip
    assert (second.time_zone, second.engagement_id, second.context) == ("Asia/Singapore", None, {})


@pytest.mark.django_db
def test_a_row_offered_again_or_twice_in_one_batch_is_recorded_once_and_left_as_it_was(nudge, batches):
    person = UserFactory()
    nudge.spec(user=person, due_at=NOW, period="same", context={"version": 1})
    nudge.spec(user=person, due_at=NOW, period="same", context={"version": 2})

    services.tick(now=NOW)
    nudge.specs[:] = []
    nudge.spec(user=person, due_at=NOW, period="same", context={"version": 3})
    services.tick(now=NOW + timedelta(minutes=1))

    row = Notification.objects.get()
    assert (row.context, row.created_at) == ({"version": 1}, NOW)


@pytest.mark.django_db
def test_a_value_too_long_for_its_column_is_refused_and_reported_never_cut(nudge, batches):
    nudge.spec(user=UserFactory(), due_at=NOW, period="p" * 121)
    nudge.spec(user=UserFactory(), due_at=NOW, period="p" * 120)

    services.tick(now=NOW)

    assert list(Notification.objects.values_list("period_key", flat=True)) == ["p" * 120]
    assert SourceFailure.objects.get().stage == SourceFailure.Stage.RECORD


@pytest.mark.django_db
def test_a_context_that_json_cannot_hold_is_refused_on_its_own_row(nudge, batches):
    nudge.spec(user=UserFactory(), due_at=NOW, period="bad", context={"when": object()})
    nudge.spec(user=UserFactory(), due_at=NOW, period="good")

    services.tick(now=NOW)

    assert list(Notification.objects.values_list("period_key", flat=True)) == ["good"]
    assert SourceFailure.objects.get().stage == SourceFailure.Stage.RECORD


@pytest.mark.django_db
def test_rows_are_marked_several_messages_at_a_time_and_still_sent_a_batch_per_message(
    settings, monkeypatch, nudge, batches, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SEND_BATCH = 2
    monkeypatch.setattr(services, "MARK_BATCH", 4)
    monkeypatch.setattr(services, "RECORD_BATCH", 3)
    for number in range(7):
        nudge.spec(user=UserFactory(), due_at=NOW, period=f"p{number}")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.tick(now=NOW)

    pks = sorted(Notification.objects.values_list("pk", flat=True))
    assert batches == [pks[0:2], pks[2:4], pks[4:6], pks[6:7]]
    assert result.enqueued == 7
    assert not Notification.objects.filter(enqueued_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_tick_leaves_the_connection_as_it_found_it(nudge, batches):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        before = cursor.fetchone()[0]
        nudge.spec(user=UserFactory(), due_at=NOW, period="p")
        services.tick(now=NOW)
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == before
