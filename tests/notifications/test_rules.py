"""Rules of the outbox that a one-word slip would break: per-kind opt-outs and lost claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from notifications import registry, services
from notifications.models import Kind, Notification
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
Status = Notification.Status


@pytest.mark.django_db
def test_a_per_kind_opt_out_silences_only_that_kind(only_sources, test_templates, run_tick):
    agenda, reminders = only_sources(Kind.AGENDA_PROMPT), only_sources(Kind.SESSION_REMINDER)
    lee, liv = UserFactory(email="lee@example.com"), UserFactory(email="liv@example.com")
    services.opt_out_add(recipient_key=f"user:{lee.pk}", kind=Kind.AGENDA_PROMPT)
    agenda.spec(user=lee, due_at=NOW, period="agenda")
    agenda.spec(user=liv, due_at=NOW, period="agenda")
    reminders.spec(user=lee, due_at=NOW, period="reminder")

    run_tick(NOW)

    statuses = {(n.recipient.email, n.kind): n.status for n in Notification.objects.select_related("recipient")}
    assert statuses == {
        ("lee@example.com", Kind.AGENDA_PROMPT): Status.SKIPPED,
        ("lee@example.com", Kind.SESSION_REMINDER): Status.SENT,
        ("liv@example.com", Kind.AGENDA_PROMPT): Status.SENT,
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["lee@example.com", "liv@example.com"]


def _taken_over_while_building(kind: str, settings) -> dict:
    """Makes the source's `build` stand for a slow first worker: meanwhile a second worker, past the
    sending timeout, claims the same row. Returns what the second worker's claim saw."""
    source = registry.source_for(kind)
    build = source.build
    seen: dict = {}

    def slow_build(notification):
        later = NOW + timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT + 1)
        seen["second"] = services.notification_claim(notification_id=notification.pk, now=later)
        return build(notification)

    source.build = slow_build
    return seen


@pytest.mark.django_db
def test_a_worker_that_lost_its_claim_to_another_leaves_a_non_urgent_row_untouched(nudge, settings):
    row = NotificationFactory(kind=Kind.AGENDA_PROMPT, due_at=NOW)
    seen = _taken_over_while_building(Kind.AGENDA_PROMPT, settings)

    assert services.notification_deliver(notification_id=row.pk, now=NOW) == ""

    row.refresh_from_db()
    assert seen["second"].attempts == 2
    assert (row.status, row.attempts, row.cap_day, row.sent_at) == (Status.SENDING, 2, None, None)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_worker_that_lost_its_claim_does_not_mark_an_urgent_row_sent_or_failed(reminder, settings):
    row = NotificationFactory(kind=Kind.SESSION_REMINDER, due_at=NOW)
    _taken_over_while_building(Kind.SESSION_REMINDER, settings)

    services.notification_deliver(notification_id=row.pk, now=NOW)

    row.refresh_from_db()
    # The second worker owns the row now: it stays in its hands, neither sent nor failed by the first.
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (Status.SENDING, 2, None, "")
