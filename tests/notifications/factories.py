"""Factories of the outbox (kept beside its tests)."""

from __future__ import annotations

import factory
from django.utils import timezone

from notifications.models import Notification
from tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row due now: a session reminder to a new person (pass `recipient`, `kind`, `status`...)."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    recipient_email = factory.LazyAttribute(lambda o: o.recipient.email if o.recipient else "someone@example.com")
    recipient_key = factory.LazyAttribute(
        lambda o: f"user:{o.recipient.pk}" if o.recipient else f"email:{o.recipient_email.lower()}"
    )
    kind = "session_reminder"
    period_key = factory.Sequence(lambda n: f"test:{n}")
    time_zone = factory.LazyAttribute(lambda o: o.recipient.time_zone if o.recipient else "Europe/London")
    due_at = factory.LazyFunction(timezone.now)
    status = Notification.Status.PENDING
