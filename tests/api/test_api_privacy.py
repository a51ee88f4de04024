"""Every API endpoint, called with each person's own token: the answer each one gets is the one
classified for them (`tests/privacy/api_cases.py`), and it carries none of the private texts that
person may not read (`tests/privacy/secrets.py`), whether they were let in or refused."""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction
from django.urls import URLPattern, get_resolver

from accounts.models import User
from api.models import ApiToken
from api.services import api_token_create
from tests.api.helpers import ApiClient
from tests.privacy.api_cases import api_cases
from tests.privacy.base import ALLOWED, FORBIDDEN, HIDDEN, PEOPLE, TOKEN_REQUIRED
from tests.privacy.secrets import NEVER_TOGETHER, unreadable_by
from tests.test_url_privacy import privacy_cast  # noqa: F401  (the cast with a secret in every private field)

PUBLIC = {"api:schema", "api:docs"}


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (key, *_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _readable(response) -> str:
    """Every string of a JSON answer (keys and values, decoded), squeezed; the raw text otherwise."""
    try:
        return _squeeze("\x00".join(_strings(json.loads(response.content))))
    except ValueError:
        return _squeeze(response.content.decode(errors="replace"))


def _client_for(person: str, cast) -> ApiClient:
    user = cast.people.get(person)
    if person == "stakeholder":
        return ApiClient(cast.private.texts["link_token"])  # a private link's token is no API token
    if user is None:
        return ApiClient(None)
    if not user.is_active:  # a token made while the account was active, then the account was deactivated
        User.objects.filter(pk=user.pk).update(is_active=True)
        secret = api_token_create(user=user, name="before deactivation", scope="write", days=30).secret
        User.objects.filter(pk=user.pk).update(is_active=False)
        return ApiClient(secret)
    return ApiClient(api_token_create(user=user, name="privacy", scope=ApiToken.Scope.WRITE, days=30).secret)


def _api_url_names() -> set[str]:
    names = set()
    for entry in get_resolver().url_patterns:
        if getattr(entry, "namespace", None) == "api":
            names |= {f"api:{p.name}" for p in entry.url_patterns if isinstance(p, URLPattern) and p.name}
    return names


@pytest.mark.django_db
def test_every_api_endpoint_is_classified(privacy_cast):  # noqa: F811
    cases = api_cases(privacy_cast)
    missing = sorted(_api_url_names() - PUBLIC - {case.url_name for case in cases})
    assert not missing, f"API endpoints without a classification in tests/privacy/api_cases.py: {missing}"
    unknown = sorted({f"{case.url_name}: {p}" for case in cases for p in case.expect if p not in PEOPLE})
    assert not unknown


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
def test_each_endpoint_answers_each_persons_token_as_classified_and_shows_only_what_they_may_read(
    privacy_cast,  # noqa: F811
    person,
):
    cast = privacy_cast
    texts = cast.private.texts
    secrets = unreadable_by(person, texts)
    client = _client_for(person, cast)
    expected_status = {ALLOWED: (200, 201), HIDDEN: (404,), FORBIDDEN: (403,), TOKEN_REQUIRED: (401,)}
    failures = []
    for case in api_cases(cast):
        sid = transaction.savepoint()
        try:
            if case.method == "POST":
                response = client.post(case.path, case.data)
            else:
                response = client.get(case.path)
            where = f"{case.method} {case.path} as {person}"
            outcome = case.outcome_for(person)
            if response.status_code not in expected_status[outcome]:
                failures.append(f"{where}: expected {outcome}, got {response.status_code} {response.content[:200]!r}")
            assert response["Content-Type"].startswith("application/json"), f"{where}: not JSON"
            body = _readable(response)
            shown = [name for name, text in secrets.items() if _squeeze(text) in body]
            shown += [
                f"{a} next to {b}"
                for a, b in NEVER_TOGETHER
                if _squeeze(texts[a]) in body and _squeeze(texts[b]) in body
            ]
            if shown:
                failures.append(f"{where}: shows private text this person may not read: {shown}")
        finally:
            transaction.savepoint_rollback(sid)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_seeded_secrets_reach_the_api_answers_of_people_who_may_read_them(privacy_cast):  # noqa: F811
    """Guards the matrix against checking for texts that were never stored: each is found where it belongs."""
    cast, private = privacy_cast, privacy_cast.private
    e = cast.lee_engagement.pk
    where = {
        "coach": {
            f"/api/v1/engagements/{e}/sessions/": ["private_notes", "shared_summary", "three_way_private_notes"],
            f"/api/v1/sessions/{cast.lee_next_session.pk}/agenda/": ["agenda_item"],
            f"/api/v1/engagements/{e}/commitments/": [
                "commitment_text",
                "commitment_where",
                "commitment_review_reason",
            ],
            f"/api/v1/engagements/{e}/practice-logs/": ["log_note", "log_what_tried", "log_will_adjust"],
            f"/api/v1/engagements/{e}/reflections/": ["reflection_wins", "reflection_struggles", "reflection_topics"],
            f"/api/v1/engagements/{e}/stakeholders/": ["rater0_name", "rater0_email", "lone_peer_name"],
            f"/api/v1/rounds/{private.closed_round.pk}/results/": ["rater0_suggestion", "rater_support"],
        },
        "leader": {f"/api/v1/engagements/{e}/sessions/": ["shared_summary"]},
        "sponsor": {
            f"/api/v1/engagements/{e}/summary/": ["sponsor_summary", "three_way_agreed_notes", "three_way_agenda"],
            f"/api/v1/engagements/{e}/goals/": ["goal_title", "goal_description", "goal_why"],
        },
    }
    missing = []
    for person, answers in where.items():
        client = _client_for(person, cast)
        for path, names in answers.items():
            body = _readable(client.get(path))
            missing += [f"{name} in {path} as {person}" for name in names if _squeeze(private.texts[name]) not in body]
    assert not missing, missing
