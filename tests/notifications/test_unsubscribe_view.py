"""The one-click unsubscribe link (RFC 8058): signed, per kind, usable without signing in."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications.models import OptOut
from notifications.services import unsubscribe_token, unsubscribe_url


def link(key: str, kind: str) -> str:
    return f"/notifications/unsubscribe/{unsubscribe_token(recipient_key=key, kind=kind)}/"


@pytest.mark.django_db
def test_opening_the_link_asks_first_and_changes_nothing():
    response = Client().get(link("user:1", "agenda_prompt"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "You will no longer receive the <strong>agenda prompt</strong>" in page
    assert not OptOut.objects.exists()
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_a_mail_clients_one_click_post_unsubscribes_without_a_session_or_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        link("email:pat@example.com", "stakeholder_nudge"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert OptOut.objects.filter(recipient_key="email:pat@example.com", kind="stakeholder_nudge", via="link").exists()
    assert "Ask the person who asked you for feedback" in response.content.decode()


@pytest.mark.django_db
def test_unsubscribing_twice_is_harmless_and_only_that_kind_is_turned_off(cast):
    url = link(f"user:{cast.lee.pk}", "reflection_prompt")
    Client().post(url)
    response = Client().post(url)
    assert response.status_code == 200
    assert list(OptOut.objects.values_list("recipient_key", "kind")) == [(f"user:{cast.lee.pk}", "reflection_prompt")]
    assert "/account/notifications/" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    ["forged", "eyJyIjoidXNlcjoxIiwiayI6ImFnZW5kYV9wcm9tcHQifQ:1xXAXY:AAAA", "x" * 600],
)
def test_a_forged_or_damaged_link_shows_a_friendly_page(token):
    response = Client().post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 404
    assert "We do not recognise this link" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert not OptOut.objects.exists()


@pytest.mark.django_db
def test_a_link_for_one_kind_cannot_be_edited_into_another():
    token = unsubscribe_token(recipient_key="user:1", kind="agenda_prompt")
    payload, rest = token.split(":", 1)
    import base64

    forged = base64.urlsafe_b64encode(b'{"r":"user:1","k":"session_reminder"}').decode().rstrip("=")
    assert Client().post(f"/notifications/unsubscribe/{forged}:{rest}/").status_code == 404
    assert payload != forged


@pytest.mark.django_db
def test_too_many_requests_from_one_address_are_slowed_down():
    url = link("user:1", "agenda_prompt")
    client = Client()
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_the_absolute_url_points_at_the_site():
    assert unsubscribe_url(recipient_key="user:1", kind="agenda_prompt").startswith(
        "http://127.0.0.1:8000/notifications/unsubscribe/"
    )


@pytest.mark.django_db
def test_other_methods_are_refused():
    assert Client().put(link("user:1", "agenda_prompt")).status_code == 405
