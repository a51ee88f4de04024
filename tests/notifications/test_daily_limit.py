"""At most one non-urgent e-mail a day per person; what waits goes out the next morning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import services
from notifications.models import Notification
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

Status = Notification.Status
# 10:00 in New York (UTC-4 in June 2026).
NOW = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)


def deliver(row, at=NOW) -> str:
    return services.notification_deliver(notification_id=row.pk, now=at)


@pytest.fixture
def lee(db):
    return UserFactory(time_zone="America/New_York")


@pytest.mark.django_db
def test_a_second_nudge_on_the_same_day_waits_until_the_next_morning(nudge, lee):
    first = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)
    second = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)
    assert deliver(first) == Status.SENT
    assert deliver(second) == Status.DEFERRED
    second.refresh_from_db()
    # The next morning at 09:00 in New York, and waiting is not an attempt.
    assert (second.due_at, second.attempts, second.cap_day) == (datetime(2026, 6, 11, 13, 0, tzinfo=UTC), 0, None)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_waiting_nudge_goes_out_the_next_morning_after_the_tick_releases_it(
    nudge, lee, django_capture_on_commit_callbacks
):
    NotificationFactory(
        recipient=lee, kind="agenda_prompt", due_at=NOW, status=Status.SENT, sent_at=NOW, cap_day=NOW.date()
    )
    waiting = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)
    assert deliver(waiting) == Status.DEFERRED
    morning = datetime(2026, 6, 11, 13, 0, tzinfo=UTC)
    with time_machine.travel(morning - timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):  # tasks run eagerly in tests
            services.tick()
        waiting.refresh_from_db()
        assert waiting.status == Status.DEFERRED
    with time_machine.travel(morning, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.tick()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts, waiting.cap_day.isoformat()) == (Status.SENT, 1, "2026-06-11")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_session_reminders_ignore_the_limit_and_leave_the_slot_free(reminder, nudge, lee):
    urgent = NotificationFactory(recipient=lee, kind="session_reminder", due_at=NOW)
    other_urgent = NotificationFactory(recipient=lee, kind="session_reminder", due_at=NOW)
    nudge_row = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)
    assert [deliver(urgent), deliver(other_urgent), deliver(nudge_row)] == [Status.SENT] * 3
    urgent.refresh_from_db()
    assert urgent.cap_day is None


@pytest.mark.django_db
def test_the_day_is_the_recipients_own_calendar_day(nudge, lee):
    late_evening = datetime(2026, 6, 11, 3, 30, tzinfo=UTC)  # 23:30 on 10 June in New York
    after_midnight = datetime(2026, 6, 11, 4, 30, tzinfo=UTC)  # 00:30 on 11 June in New York
    first = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=late_evening)
    second = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=late_evening)
    assert deliver(first, late_evening) == Status.SENT
    assert deliver(second, after_midnight) == Status.SENT


@pytest.mark.django_db
def test_the_limit_is_per_person(nudge, lee):
    liv = UserFactory(time_zone="America/New_York")
    assert deliver(NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)) == Status.SENT
    assert deliver(NotificationFactory(recipient=liv, kind="agenda_prompt", due_at=NOW)) == Status.SENT


@pytest.mark.django_db
def test_a_failed_message_gives_the_days_slot_back(nudge, lee, settings):
    import smtplib

    from tests.notifications.backends import refuse

    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    refuse(1, smtplib.SMTPRecipientsRefused({lee.email: (550, b"No such user")}))
    failed = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)
    assert deliver(failed) == Status.FAILED
    assert deliver(NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)) == Status.SENT


@pytest.mark.django_db
def test_a_skipped_message_does_not_use_the_slot(nudge, lee):
    nudge.skip_reason = "Already done."
    assert deliver(NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)) == Status.SKIPPED
    nudge.skip_reason = ""
    assert deliver(NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)) == Status.SENT


@pytest.mark.django_db
def test_the_database_refuses_two_non_urgent_slots_for_one_person_and_day(lee):
    from django.db import IntegrityError, transaction

    NotificationFactory(recipient=lee, cap_day=NOW.date())
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(recipient=lee, cap_day=NOW.date())
    NotificationFactory(recipient=lee, cap_day=NOW.date() + timedelta(days=1))


@pytest.mark.django_db
@pytest.mark.parametrize("alert_kind", ["no_show_follow_up", "no_next_session"])
def test_a_coachs_alerts_go_out_as_they_happen_whatever_else_went_out_that_day(
    only_sources, test_templates, lee, alert_kind
):
    """One client's alert must not wait a day because another client's used the coach's e-mail."""
    only_sources("agenda_prompt")
    only_sources(alert_kind)
    daily = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)
    first = NotificationFactory(recipient=lee, kind=alert_kind, due_at=NOW, engagement_id=1)
    second = NotificationFactory(recipient=lee, kind=alert_kind, due_at=NOW, engagement_id=2)
    assert [deliver(daily), deliver(first), deliver(second)] == [Status.SENT] * 3
    first.refresh_from_db()
    assert first.cap_day is None  # the alert took no slot
    later_nudge = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW)
    assert deliver(later_nudge) == Status.DEFERRED  # the leader-facing limit still holds
    assert len(mail.outbox) == 3
