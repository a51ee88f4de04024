"""Held messages go out together: a leader's next-morning digest, and a coach's morning alert digest.

Exactly once still holds: a message that joined a digest is never sent again on its own, and a
digest that could not be sent leaves its messages waiting, not lost and not doubled.
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from notifications import services
from notifications.delivery import TransientDeliveryError
from notifications.models import Notification, NotificationPreference
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

Status = Notification.Status
NOW = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)  # 10:00 in New York
MORNING = datetime(2026, 6, 11, 13, 0, tzinfo=UTC)  # 09:00 the next day in New York


def deliver(row, at=NOW) -> str:
    return services.notification_deliver(notification_id=row.pk, now=at)


@pytest.fixture
def lee(db):
    return UserFactory(time_zone="America/New_York")


@pytest.mark.django_db
def test_a_leaders_held_messages_go_out_together_the_next_morning_not_a_day_each(nudge, lee, run_tick):
    rows = [NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=NOW, context={"n": n}) for n in range(4)]
    assert [deliver(r) for r in rows] == [Status.SENT] + [Status.DEFERRED] * 3
    assert len(mail.outbox) == 1

    run_tick(MORNING)

    assert len(mail.outbox) == 2
    digest = mail.outbox[1]
    assert digest.to == [lee.email]
    for n in (1, 2, 3):
        assert f"note {n}:" in digest.body and f"/notes/{rows[n].pk}/" in digest.body
        assert f"note {n}:" in digest.alternatives[0][0]
    assert "3 messages for you, gathered in one e-mail" in digest.body
    assert "(and 2 more)" in digest.subject
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert all(statuses[r.pk] == Status.SENT for r in rows)
    run_tick(MORNING + timedelta(minutes=1))
    run_tick(MORNING + timedelta(days=1))
    assert len(mail.outbox) == 2  # nothing goes out twice


@pytest.mark.django_db
def test_a_message_that_joined_a_digest_has_nothing_left_to_claim(nudge, lee):
    first = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=MORNING, status=Status.PENDING)
    second = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=MORNING, status=Status.DEFERRED)
    assert deliver(first, MORNING) == Status.SENT
    assert deliver(second, MORNING) == ""  # its own send task finds it already sent
    second.refresh_from_db()
    assert (second.status, second.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_messages_held_for_tomorrow_and_urgent_ones_stay_out_of_the_digest(only_sources, test_templates, lee):
    only_sources("session_reminder")
    only_sources("agenda_prompt")
    main = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=MORNING)
    later = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=MORNING + timedelta(days=1))
    urgent = NotificationFactory(recipient=lee, kind="session_reminder", due_at=MORNING)
    other_person = NotificationFactory(kind="agenda_prompt", due_at=MORNING)
    assert deliver(main, MORNING) == Status.SENT
    assert "gathered in one e-mail" not in mail.outbox[0].body
    for row in (later, urgent, other_person):
        row.refresh_from_db()
        assert row.status == Status.PENDING


@pytest.mark.django_db
def test_a_digest_the_mail_server_refuses_for_now_leaves_its_messages_waiting_once(nudge, lee, monkeypatch, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    first = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=MORNING, status=Status.PENDING)
    second = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=MORNING, status=Status.PENDING)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPResponseException(451, b"Try again later")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    with pytest.raises(TransientDeliveryError):
        deliver(first, MORNING)
    second.refresh_from_db()
    assert (second.status, second.attempts, second.enqueued_at) == (Status.PENDING, 0, None)
    monkeypatch.undo()
    assert deliver(first, MORNING + timedelta(minutes=1)) == Status.SENT
    assert len(mail.outbox) == 1 and "note" in mail.outbox[0].body
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_an_unwanted_message_is_skipped_inside_the_digest_and_the_rest_go(nudge, only_sources, lee):
    from notifications.models import OptOut

    only_sources("fieldwork_nudge")
    main = NotificationFactory(recipient=lee, kind="agenda_prompt", due_at=MORNING)
    opted = NotificationFactory(recipient=lee, kind="fieldwork_nudge", due_at=MORNING, status=Status.DEFERRED)
    OptOut.objects.create(recipient_key=opted.recipient_key, kind="fieldwork_nudge")
    assert deliver(main, MORNING) == Status.SENT
    opted.refresh_from_db()
    assert opted.status == Status.SKIPPED
    assert len(mail.outbox) == 1 and "gathered in one e-mail" not in mail.outbox[0].body


@pytest.mark.django_db
def test_a_coach_who_chose_the_daily_digest_gets_alerts_together_each_morning(only_sources, test_templates, run_tick):
    only_sources("no_show_follow_up")
    ada = UserFactory(time_zone="America/New_York")
    NotificationPreference.objects.create(user=ada, coach_alerts=NotificationPreference.CoachAlerts.DIGEST)
    first = NotificationFactory(recipient=ada, kind="no_show_follow_up", due_at=NOW, engagement_id=1)
    second = NotificationFactory(recipient=ada, kind="no_show_follow_up", due_at=NOW, engagement_id=2)
    assert [deliver(first), deliver(second)] == [Status.DEFERRED, Status.DEFERRED]
    assert mail.outbox == []
    run_tick(MORNING - timedelta(minutes=1))
    assert mail.outbox == []
    run_tick(MORNING)
    (digest,) = mail.outbox
    assert f"/notes/{first.pk}/" in digest.body and f"/notes/{second.pk}/" in digest.body
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_a_coach_who_chose_alerts_as_they_happen_gets_each_at_once(only_sources, test_templates):
    only_sources("no_show_follow_up")
    ada = UserFactory(time_zone="America/New_York")
    NotificationPreference.objects.create(user=ada, coach_alerts=NotificationPreference.CoachAlerts.IMMEDIATE)
    rows = [NotificationFactory(recipient=ada, kind="no_show_follow_up", due_at=NOW, engagement_id=i) for i in (1, 2)]
    assert [deliver(r) for r in rows] == [Status.SENT, Status.SENT]
    assert len(mail.outbox) == 2 and all("gathered" not in m.body for m in mail.outbox)
