"""The one-click unsubscribe link (RFC 8058): signed, per kind, usable without signing in."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client

from notifications.models import OptOut
from notifications.services import UNSUBSCRIBE_SALT, unsubscribe_token, unsubscribe_url
from tests.notifications.factories import NotificationFactory


def link_for(**fields) -> str:
    notification = NotificationFactory(**fields)
    return f"/notifications/unsubscribe/{unsubscribe_token(notification_id=notification.pk)}/"


@pytest.fixture
def agenda_link(db) -> str:
    return link_for(kind="agenda_prompt")


@pytest.mark.django_db
def test_opening_the_link_asks_first_and_changes_nothing(agenda_link):
    response = Client().get(agenda_link)
    page = response.content.decode()
    assert response.status_code == 200
    assert "You will no longer receive <strong>agenda prompts</strong>" in page
    assert not OptOut.objects.exists()
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_a_mail_clients_one_click_post_unsubscribes_without_a_session_or_csrf_token():
    link = link_for(recipient=None, recipient_email="Pat@Example.com", kind="stakeholder_nudge")
    response = Client(enforce_csrf_checks=True).post(
        link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert OptOut.objects.filter(recipient_key="email:pat@example.com", kind="stakeholder_nudge", via="link").exists()
    assert "Ask the person who asked you for feedback" in response.content.decode()


@pytest.mark.django_db
def test_unsubscribing_twice_is_harmless_and_only_that_kind_is_turned_off(cast):
    url = link_for(recipient=cast.lee, kind="reflection_prompt")
    Client().post(url)
    response = Client().post(url)
    assert response.status_code == 200
    assert list(OptOut.objects.values_list("recipient_key", "kind")) == [(f"user:{cast.lee.pk}", "reflection_prompt")]
    assert "/account/notifications/" in response.content.decode()


@pytest.mark.django_db
def test_the_link_names_the_message_and_never_the_person():
    notification = NotificationFactory(recipient=None, recipient_email="pat@acme.example", kind="stakeholder_nudge")
    token = unsubscribe_token(notification_id=notification.pk)
    number, signature = token.split(":")
    assert number == str(notification.pk)
    # The rest is a signature of the number alone: the address never enters it.
    assert signature == signing.Signer(salt=UNSUBSCRIBE_SALT).signature(number)


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["forged", "1:AAAA", "1", "x" * 600])
def test_a_forged_or_damaged_link_shows_a_friendly_page(agenda_link, token):
    response = Client().post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 404
    assert "We do not recognise this link" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert not OptOut.objects.exists()


@pytest.mark.django_db
def test_a_link_cannot_be_edited_to_point_at_another_message(agenda_link):
    other = NotificationFactory(kind="session_reminder")
    signature = agenda_link.split(":")[-1]
    assert Client().post(f"/notifications/unsubscribe/{other.pk}:{signature}").status_code == 404
    assert not OptOut.objects.exists()


@pytest.mark.django_db
def test_a_link_whose_message_was_deleted_shows_the_friendly_page(agenda_link):
    from notifications.models import Notification

    Notification.objects.all().delete()
    assert Client().get(agenda_link).status_code == 404


@pytest.mark.django_db
def test_too_many_requests_from_one_address_are_slowed_down(agenda_link):
    client = Client()
    statuses = [client.get(agenda_link).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_the_absolute_url_points_at_the_site():
    assert unsubscribe_url(notification_id=7).startswith("http://127.0.0.1:8000/notifications/unsubscribe/7:")


@pytest.mark.django_db
def test_other_methods_are_refused(agenda_link):
    assert Client().put(agenda_link).status_code == 405
