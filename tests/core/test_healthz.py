"""`GET /healthz`: status only for everyone, details for staff, and a 503 within 3 seconds when the
database, the broker or the cache is refused or hangs (a local server that accepts and never answers)."""

from __future__ import annotations

import json
import time

import pytest
from django.db import connections

from coaching import health
from tests.outage import cache_at_port
from tests.silent_server import closed_port, silent_server

pytestmark = pytest.mark.django_db

BOUND_SECONDS = 3.0


def _get(client, path="/healthz"):
    started = time.monotonic()
    response = client.get(path)
    return response, json.loads(response.content), time.monotonic() - started


@pytest.fixture
def redis_at(settings):
    """Points the cache and the broker at `redis://127.0.0.1:<port>/0` with the production timeouts."""
    from coaching.celery import app

    original = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_timeout)

    def point(port: int) -> None:
        cache_at_port(settings, port)
        app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
        app.conf.broker_transport_options = {**settings.REDIS_CONNECTION_OPTIONS}
        app.conf.broker_connection_timeout = settings.REDIS_CONNECT_TIMEOUT

    yield point
    app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_timeout = original


@pytest.fixture
def database_at(monkeypatch, settings):
    """Points the health check's database connection at a PostgreSQL server on 127.0.0.1:<port>,
    with the production connection options; the test's own connection is left alone."""

    def point(port: int) -> None:
        monkeypatch.setitem(
            connections.settings,
            "default",
            {
                **connections.settings["default"],
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "coaching",
                "USER": "postgres",
                "PASSWORD": "",
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "OPTIONS": dict(settings.POSTGRES_CONNECTION_OPTIONS),
            },
        )

    return point


def test_an_anonymous_caller_learns_only_that_all_is_well(client):
    response, body, _ = _get(client)

    assert response.status_code == 200
    assert body == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["pam", "superuser"])
def test_staff_see_every_check_with_its_facts(cast, client, name):
    if name == "superuser":
        cast.ada.is_superuser = True
        cast.ada.save(update_fields=["is_superuser"])
        client.force_login(cast.ada)
    else:
        client.force_login(cast.pam)

    response, body, _ = _get(client)

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "cache"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["database"]["vendor"] == connections["default"].vendor
    assert "transport" in body["checks"]["broker"] and "backend" in body["checks"]["cache"]


def test_a_signed_in_coach_who_is_not_staff_sees_status_only(client_for):
    response, body, _ = _get(client_for("ada"))

    assert response.status_code == 200
    assert body == {"status": "ok"}


def test_details_registered_by_other_apps_reach_staff_only(cast, client, monkeypatch):
    monkeypatch.setitem(health.DETAILS, "outbox", lambda: {"failed_sources": 0})

    _, anonymous, _ = _get(client)
    client.force_login(cast.pam)
    _, staff, _ = _get(client)

    assert anonymous == {"status": "ok"}
    assert staff["outbox"] == {"failed_sources": 0}


def test_a_refused_broker_and_cache_answer_503_unavailable_at_once(client, redis_at):
    redis_at(closed_port())

    response, body, elapsed = _get(client)

    assert response.status_code == 503
    assert body == {"status": "unavailable"}
    assert elapsed < BOUND_SECONDS


def test_a_hung_redis_answers_503_within_three_seconds(cast, client, redis_at):
    with silent_server() as port:
        redis_at(port)
        response, body, elapsed = _get(client)
        client.force_login(cast.pam)
        staff_response, staff, staff_elapsed = _get(client)

    assert (response.status_code, body) == (503, {"status": "unavailable"})
    assert elapsed < BOUND_SECONDS
    assert staff_response.status_code == 503 and staff_elapsed < BOUND_SECONDS
    assert staff["checks"]["database"]["ok"]
    assert not staff["checks"]["broker"]["ok"] and not staff["checks"]["cache"]["ok"]


def test_a_hung_database_answers_503_within_three_seconds(cast, client, database_at):
    client.force_login(cast.pam)  # signed in before the database "hangs": the session is read normally
    with silent_server() as port:
        database_at(port)
        response, body, elapsed = _get(client)

    assert response.status_code == 503 and body["status"] == "unavailable"
    assert elapsed < BOUND_SECONDS
    assert not body["checks"]["database"]["ok"]
    assert body["checks"]["broker"]["ok"] and body["checks"]["cache"]["ok"]


def test_a_refused_database_answers_503(client, database_at):
    database_at(closed_port())

    response, body, elapsed = _get(client)

    assert (response.status_code, body) == (503, {"status": "unavailable"})
    assert elapsed < BOUND_SECONDS


def test_staff_see_the_rows_the_outbox_could_not_handle_and_anonymous_callers_do_not(cast, client):
    from django.utils import timezone

    from notifications.models import Kind, SourceFailure

    now = timezone.now()
    SourceFailure.objects.create(
        kind=Kind.FIELDWORK_NUDGE,
        row="commitment:41",
        stage=SourceFailure.Stage.SPEC,
        error="OverflowError: date value out of range",
        count=3,
        first_seen_at=now,
        last_seen_at=now,
    )

    _, anonymous, _ = _get(client)
    client.force_login(cast.pam)
    _, staff, _ = _get(client)

    assert anonymous == {"status": "ok"}
    assert staff["outbox_failures"]["rows"] == 1
    assert staff["outbox_failures"]["occurrences"] == 3
    assert staff["outbox_failures"]["by_kind"] == {Kind.FIELDWORK_NUDGE: 1}
