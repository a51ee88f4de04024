"""The Django admin signs people in through the site's own sign-in: second factor and rate limits included."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    """A staff member (superuser) with a verified address and TOTP turned on; returns (user, secret)."""
    user = UserFactory(email="otto@example.com", full_name="Otto Operator", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_the_admin_login_page_sends_people_to_the_site_sign_in_with_next(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_a_password_posted_to_the_admin_login_does_not_sign_a_totp_account_in(client, operator):
    user, _ = operator
    client.post("/admin/login/?next=/admin/", {"username": user.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_a_staff_member_reaches_the_admin_only_after_the_second_factor(client, operator):
    user, secret = operator
    first = client.post("/accounts/login/?next=/admin/", {"login": user.email, "password": TEST_PASSWORD})
    assert first["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session
    second = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert second["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200 and "Site administration" in page.content.decode()


def test_a_session_not_made_by_the_site_sign_in_cannot_open_the_admin(operator):
    user, _ = operator
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    refused = client.get("/admin/login/?next=/admin/")
    assert refused.status_code == 403 and "Sign out, then sign in again" in refused.content.decode()


def test_wrong_admin_passwords_are_throttled_by_the_site_sign_in(client, operator):
    user, _ = operator
    for _ in range(5):
        client.post("/accounts/login/?next=/admin/", {"login": user.email, "password": "wrong-password"})
    throttled = client.post("/accounts/login/?next=/admin/", {"login": user.email, "password": TEST_PASSWORD})
    assert "Too many failed login attempts" in throttled.content.decode()
    assert not throttled.has_header("Location")
