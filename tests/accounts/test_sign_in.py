"""Sign-in through django-allauth: e-mail login, rate limits, argon2, TOTP, preferences."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher

pytestmark = pytest.mark.django_db


def test_a_coach_signs_in_with_email_and_password_and_lands_on_engagements(client, cast):
    response = client.post("/accounts/login/", {"login": "ADA@example.com", "password": cast.password}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Engagements" in response.content.decode()


def test_a_wrong_password_says_so_and_keeps_the_email(client, cast):
    response = client.post("/accounts/login/", {"login": "ada@example.com", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "not correct" in html and 'value="ada@example.com"' in html


def test_repeated_failed_sign_ins_are_rate_limited(client, cast):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "ada@example.com", "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "ada@example.com", "password": cast.password})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_nobody_can_sign_up_on_their_own(client):
    response = client.get("/accounts/signup/")
    assert "closed" in response.content.decode().lower()


def test_production_hashes_passwords_with_argon2():
    production_hashers = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert production_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert get_hasher("argon2").algorithm == "argon2"


def test_a_coach_can_turn_on_totp_after_confirming_the_password(cast, client_for):
    client = client_for("ada")
    overview = client.get("/accounts/2fa/")
    assert overview.status_code == 200 and "Authenticator App" in overview.content.decode()
    response = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/reauthenticate/")
    client.post(response.redirect_chain[0][0], {"password": cast.password})
    activate = client.get("/accounts/2fa/totp/activate/")
    assert activate.status_code == 200 and "Authenticator code" in activate.content.decode()


def test_preferences_change_the_time_zone_and_refuse_an_unknown_one(cast, client_for):
    client = client_for("lee")
    bad = client.post("/account/preferences/", {"full_name": "Lee L", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    assert 'value="Lee L"' in bad.content.decode()
    client.post("/account/preferences/", {"full_name": "Lee L", "time_zone": "Australia/Sydney"})
    cast.lee.refresh_from_db()
    assert cast.lee.time_zone == "Australia/Sydney" and cast.lee.full_name == "Lee L"


def test_pages_show_times_in_the_readers_time_zone(cast, client_for):
    session = cast.lee_next_session
    ada_local = session.starts_at.astimezone(cast.ada.tz).strftime("%H:%M")
    lee_local = session.starts_at.astimezone(cast.lee.tz).strftime("%H:%M")
    assert ada_local in client_for("ada").get(f"/sessions/{session.pk}/").content.decode()
    assert lee_local in client_for("lee").get(f"/sessions/{session.pk}/").content.decode()


def test_the_sign_in_page_says_accounts_come_by_invitation_and_offers_no_sign_up(client):
    html = client.get("/accounts/login/").content.decode()
    assert "Accounts are made by invitation" in html and "your coach invites you" in html
    assert "/accounts/signup/" not in html
    assert "sign up" not in html.lower() and "Sign Up Closed" not in html


def test_the_closed_sign_up_page_explains_the_invitation_and_links_back_to_sign_in(client):
    html = client.get("/accounts/signup/").content.decode()
    assert "Sign Up Closed" not in html
    assert "Your coach invites you" in html and 'href="/accounts/login/"' in html


def test_pages_carry_a_meta_description_and_a_favicon_that_is_served(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<meta name="description" content="Sign in to your coaching workspace' in html
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert match, html
    from django.contrib.staticfiles import finders

    assert finders.find("favicon.svg") and match.group(1).endswith(".svg")
