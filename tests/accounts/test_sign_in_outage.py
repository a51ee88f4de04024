"""Sign-in while Redis is down: allauth's rate limits fail open and people still get in, in seconds."""

from __future__ import annotations

import logging
import time

import pytest

from tests.outage import cache_at_port
from tests.silent_server import closed_port, silent_server

pytestmark = pytest.mark.django_db


def _sign_in(client, cast):
    started = time.monotonic()
    response = client.post("/accounts/login/", {"login": "ada@example.com", "password": cast.password})
    return response, time.monotonic() - started


def test_a_coach_signs_in_while_redis_refuses_connections(client, cast, settings, caplog):
    cache_at_port(settings, closed_port())

    with caplog.at_level(logging.WARNING, logger="coaching.cache"):
        response, _ = _sign_in(client, cast)

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(cast.ada.pk)
    assert len([r for r in caplog.records if r.name == "coaching.cache"]) == 1


def test_a_coach_signs_in_within_seconds_while_redis_hangs(client, cast, settings):
    with silent_server() as port:
        cache_at_port(settings, port)
        response, elapsed = _sign_in(client, cast)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.ada.pk)
    assert elapsed < settings.REDIS_SOCKET_TIMEOUT + 2


def test_a_wrong_password_is_still_refused_while_redis_is_down(client, cast, settings):
    cache_at_port(settings, closed_port())

    response = client.post("/accounts/login/", {"login": "ada@example.com", "password": "wrong"})

    assert response.status_code == 200 and "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session
