"""Personal access tokens: made on the preferences page, shown once, stored as a hash, scoped,
expiring, revocable, rate limited, with their last-used time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.tokens import hash_token
from api.models import ApiToken
from api.services import api_token_create
from engagements.models import Session
from tests.api.helpers import ApiClient, token_for

pytestmark = pytest.mark.django_db


def _made_on_the_page(client, **data) -> tuple[ApiToken, str, object]:
    response = client.post("/account/tokens/new/", {"name": "Reporting script", "scope": "read", "days": "30", **data})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    return token, secret, response


def test_a_new_token_is_shown_once_and_stored_only_as_its_hash(cast, client_for):
    client = client_for("ada")
    token, secret, response = _made_on_the_page(client)

    assert secret.startswith("cpat_") and len(secret) >= 45
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    assert token.token_hash == hash_token(secret)
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(secret in value for value in stored)
    assert token.user == cast.ada and token.scope == "read"
    assert token.expires_at - token.created_at == timedelta(days=30)

    preferences = client.get("/account/preferences/").content.decode()
    assert "Reporting script" in preferences and token.prefix in preferences
    assert secret not in preferences


def test_a_refused_token_form_keeps_what_was_typed_and_says_why(client_for):
    response = client_for("ada").post("/account/tokens/new/", {"name": "Nightly export", "scope": "admin", "days": "5"})

    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="Nightly export"' in page
    assert "Choose read only, or read and write." in page
    assert "Choose how long the token works: 7, 30, 90 or 365 days." in page
    assert not ApiToken.objects.exists()


def test_the_token_opens_the_api_as_its_owner(cast):
    response = ApiClient(token_for(cast.lee)).get("/api/v1/engagements/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [cast.lee_engagement.pk]
    assert response.json()["results"][0]["your_role"] == "leader"


def test_a_read_only_token_cannot_write(cast):
    client = ApiClient(token_for(cast.ada, scope="read"))
    before = Session.objects.count()

    response = client.post(
        f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/",
        {"starts_at": (timezone.now() + timedelta(days=3)).isoformat()},
    )

    assert response.status_code == 403
    assert "may only read" in response.json()["detail"]
    assert Session.objects.count() == before
    assert client.get(f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/").status_code == 200


def test_an_expired_token_is_refused(cast):
    secret = token_for(cast.ada, days=7)
    client = ApiClient(secret)
    assert client.get("/api/v1/engagements/").status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        response = client.get("/api/v1/engagements/")

    assert response.status_code == 401
    assert "expired or revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working_at_once(cast, client_for):
    new = api_token_create(user=cast.ada, name="script", scope="write", days=30)
    client = ApiClient(new.secret)
    assert client.get("/api/v1/engagements/").status_code == 200

    response = client_for("ada").post(f"/account/tokens/{new.token.pk}/revoke/")

    assert response.status_code == 302 and response["Location"] == "/account/preferences/"
    assert client.get("/api/v1/engagements/").status_code == 401
    page = client_for("ada").get("/account/preferences/").content.decode()
    assert "Revoked on" in page


def test_nobody_else_can_revoke_a_token(cast, client_for):
    new = api_token_create(user=cast.ada, name="script", scope="write", days=30)

    response = client_for("ben").post(f"/account/tokens/{new.token.pk}/revoke/")

    assert response.status_code == 404
    new.token.refresh_from_db()
    assert new.token.revoked_at is None
    assert ApiClient(new.secret).get("/api/v1/engagements/").status_code == 200


def test_a_deactivated_accounts_tokens_stop_working(cast):
    client = ApiClient(token_for(cast.sam))
    assert client.get("/api/v1/engagements/").status_code == 200

    User.objects.filter(pk=cast.sam.pk).update(is_active=False)

    assert client.get("/api/v1/engagements/").status_code == 401


def test_a_session_cookie_does_not_open_the_api(client_for):
    response = client_for("ada").get("/api/v1/engagements/")

    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token cpat_abc", "Bearer", "Bearer a b", "Bearer not-a-token", "Bearer cpat_" + "x" * 200, "Basic YWRhOnB3"],
)
def test_a_malformed_or_unknown_authorization_header_gets_a_clear_401(cast, header):
    response = ApiClient(None).get("/api/v1/engagements/", Authorization=header)

    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_last_used_time_is_kept_at_most_once_a_minute(cast, django_assert_num_queries):
    new = api_token_create(user=cast.ada, name="script", scope="read", days=30)
    client = ApiClient(new.secret)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/engagements/")
    new.token.refresh_from_db()
    assert new.token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("/api/v1/engagements/")
    new.token.refresh_from_db()
    assert new.token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("/api/v1/engagements/")
    new.token.refresh_from_db()
    assert new.token.last_used_at == start + timedelta(seconds=61)


@override_settings(API_RATE_LIMIT="3/minute")
def test_each_token_is_rate_limited_on_its_own(cast):
    first = ApiClient(token_for(cast.ada, name="first"))
    second = ApiClient(token_for(cast.ada, name="second"))

    answers = [first.get("/api/v1/engagements/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = first.get("/api/v1/engagements/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "detail" in refused.json()
    assert second.get("/api/v1/engagements/").status_code == 200


def test_tokens_are_refused_beyond_their_plausible_settings(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        api_token_create(user=cast.ada, name="  ", scope="read", days=3650)
    assert set(refused.value.message_dict) == {"name", "days"}
