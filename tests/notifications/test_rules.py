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


@pytest.mark.django_db
def test_a_person_with_an_account_gets_a_preferences_link_and_a_stakeholder_does_not(nudge, run_tick):
    lee = UserFactory(email="lee@example.com")
    nudge.spec(user=lee, due_at=NOW, period="p")
    nudge.spec(email="pat@example.com", due_at=NOW, period="p")
    run_tick(NOW)
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert (
        "Choose which e-mails you get and when: http://127.0.0.1:8000/account/notifications/"
        in (bodies["lee@example.com"])
    )
    assert "Choose which e-mails you get" not in bodies["pat@example.com"]


@pytest.mark.django_db
def test_seeding_default_preferences_gives_each_person_a_row_once():
    from notifications.models import NotificationPreference

    people = [UserFactory(), UserFactory()]
    assert services.preferences_seed_defaults(users=people) == 2
    assert services.preferences_seed_defaults(users=people) == 0
    assert NotificationPreference.objects.filter(user__in=people).count() == 2


@pytest.mark.django_db
def test_the_weekly_filter_leaves_out_people_without_a_preference_outside_their_default_hour():
    from accounts.models import User
    from notifications.weekly import weekly_due_filter

    lee = UserFactory(time_zone="Europe/London")
    friday = datetime(2026, 3, 13, tzinfo=UTC)

    def matched(at) -> bool:
        due = weekly_due_filter(now=at, catch_up=timedelta(minutes=5), kind=Kind.REFLECTION_PROMPT, prefix="r")
        return User.objects.filter(due, pk=lee.pk).exists()

    assert matched(friday.replace(hour=16))  # London is on UTC in March before the clocks change
    assert not matched(friday.replace(hour=10))
