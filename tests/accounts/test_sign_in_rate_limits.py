"""Failed sign-ins throttle the address that makes them, never the person whose account is attacked."""

from __future__ import annotations

import time

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ADA_ADDRESS = "198.51.100.7"
ATTACKER_ADDRESS = "203.0.113.66"


def _sign_in(client: Client, address: str, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address)


def test_a_stranger_guessing_adas_password_does_not_stop_ada_signing_in(cast):
    attacker = Client()
    for _ in range(8):
        _sign_in(attacker, ATTACKER_ADDRESS, "ada@example.com", "a-wrong-guess")
    ada = Client()
    response = _sign_in(ada, ADA_ADDRESS, "ada@example.com", cast.password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert ada.session["_auth_user_id"] == str(cast.ada.pk)


def test_an_address_making_wrong_guesses_is_throttled_even_with_the_right_password(cast):
    attacker = Client()
    for _ in range(5):
        _sign_in(attacker, ATTACKER_ADDRESS, "ada@example.com", "a-wrong-guess")
    response = _sign_in(attacker, ATTACKER_ADDRESS, "ada@example.com", cast.password)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in attacker.session


def test_an_address_spraying_many_accounts_is_throttled(cast):
    attacker = Client()
    for n in range(10):
        _sign_in(attacker, ATTACKER_ADDRESS, f"person{n}@example.com", "a-wrong-guess")
    response = _sign_in(attacker, ATTACKER_ADDRESS, "ben@example.com", cast.password)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in attacker.session


def test_an_account_under_attack_from_many_addresses_is_slowed_but_still_lets_its_owner_in(cast, settings):
    settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER = 6
    settings.LOGIN_ACCOUNT_SLOWDOWN_SECONDS = 1
    for n in range(6):
        _sign_in(Client(), f"203.0.113.{n + 1}", "ada@example.com", "a-wrong-guess")
    ada = Client()
    started = time.monotonic()
    response = _sign_in(ada, ADA_ADDRESS, "ada@example.com", cast.password)
    assert time.monotonic() - started >= 1
    assert response["Location"] == "/" and ada.session["_auth_user_id"] == str(cast.ada.pk)
    unhurried = time.monotonic()
    _sign_in(Client(), ADA_ADDRESS, "ben@example.com", cast.password)
    assert time.monotonic() - unhurried < 1
