"""The outbox in the admin site: readable by operators, never edited by hand."""

from __future__ import annotations

import pytest

from tests.notifications.factories import NotificationFactory


@pytest.mark.django_db
def test_operators_can_read_the_outbox_in_the_admin_but_not_edit_it(admin_client, reminder):
    row = NotificationFactory(last_error="SMTPServerDisconnected: gone")
    listing = admin_client.get("/admin/notifications/notification/?status=pending")
    assert listing.status_code == 200
    assert row.recipient_email in listing.content.decode()
    detail = admin_client.get(f"/admin/notifications/notification/{row.pk}/change/")
    assert "SMTPServerDisconnected: gone" in detail.content.decode()
    assert admin_client.post(f"/admin/notifications/notification/{row.pk}/change/", {}).status_code == 403
