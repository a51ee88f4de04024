"""Message-IDs: the same for every retry of one message, never the same for two messages or two databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from notifications import services
from notifications.delivery import TransientDeliveryError
from notifications.models import Installation, Notification
from tests.notifications.backends import FlakyBackend, refuse
from tests.notifications.factories import NotificationFactory

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    refuse(0)


@pytest.mark.django_db
def test_the_database_has_its_installation_key_from_the_start():
    (installation,) = Installation.objects.all()
    assert services.installation_key() == installation.key


@pytest.mark.django_db
def test_two_messages_get_different_message_ids_on_the_sites_own_domain(settings):
    settings.SITE_URL = "https://coaching.example.org"
    first, second = NotificationFactory(), NotificationFactory()
    ids = services.message_id(first), services.message_id(second)
    assert ids[0] != ids[1]
    key = services.installation_key().hex
    assert ids == (
        f"<notification-{first.pk}.{key}@coaching.example.org>",
        f"<notification-{second.pk}.{key}@coaching.example.org>",
    )


@pytest.mark.django_db
def test_a_retry_of_one_message_carries_the_same_message_id(reminder):
    row = NotificationFactory(due_at=NOW)
    refuse(1)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(TransientDeliveryError):
            services.notification_deliver(notification_id=row.pk, now=NOW)
        assert services.notification_deliver(notification_id=row.pk, now=NOW) == Notification.Status.SENT
    first, retry = FlakyBackend.attempted
    assert first.extra_headers["Message-ID"] == retry.extra_headers["Message-ID"] == services.message_id(row)


@pytest.mark.django_db
def test_a_fresh_database_gives_the_first_message_a_message_id_never_used_before():
    row = NotificationFactory()
    before = services.message_id(row)
    # A reset database is migrated again: it gets a new installation key, and its ids start again.
    Installation.objects.all().delete()
    after = services.message_id(row)
    assert after != before
    assert after.startswith(f"<notification-{row.pk}.")
    assert Installation.objects.get().key.hex in after


@pytest.mark.django_db
def test_the_installation_key_is_kept_once_made():
    Installation.objects.all().delete()
    first = services.installation_key()
    assert services.installation_key() == first
    assert Installation.objects.count() == 1
