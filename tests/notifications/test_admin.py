"""The outbox in the admin site: readable by operators, never edited by hand."""

from __future__ import annotations

import pytest

from tests.factories import TEST_PASSWORD, UserFactory
from tests.notifications.factories import NotificationFactory


@pytest.fixture
def admin_client(client):
    """A superuser signed in through the site's sign-in page (the only way into the admin)."""
    operator = UserFactory(email="otto@example.com", is_staff=True, is_superuser=True)
    client.post("/accounts/login/", {"login": operator.email, "password": TEST_PASSWORD})
    return client


@pytest.mark.django_db
def test_operators_can_read_the_outbox_in_the_admin_but_not_edit_it(admin_client, reminder):
    row = NotificationFactory(last_error="SMTPServerDisconnected: gone")
    listing = admin_client.get("/admin/notifications/notification/?status=pending")
    assert listing.status_code == 200
    assert row.recipient_email in listing.content.decode()
    detail = admin_client.get(f"/admin/notifications/notification/{row.pk}/change/")
    assert "SMTPServerDisconnected: gone" in detail.content.decode()
    assert admin_client.post(f"/admin/notifications/notification/{row.pk}/change/", {}).status_code == 403
