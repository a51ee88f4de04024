"""After erasure, nothing erased is readable anywhere, and every page still answers.

The cast of the URL privacy matrix, with a secret in every private field, has Lee's engagement
completed and erased. Every page of the matrix (HTML, htmx fragments, PDFs, the calendar feed, the
export download) and every endpoint of the REST API is then requested as each person: no answer is a
server error, and none holds any text that was written into Lee's engagement.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from engagements import services as engagement_services
from engagements.models import Engagement
from retention import services
from tests.api.test_api_privacy import _client_for as _api_client_for
from tests.api.test_api_privacy import _readable as _api_readable
from tests.conftest import build_cast
from tests.factories import AgendaItemFactory
from tests.privacy.api_cases import api_cases
from tests.privacy.base import PEOPLE
from tests.privacy.secrets import seed_private_content
from tests.test_url_privacy import _all_cases, _client_for, _readable_text, _squeeze

# Texts of Lee's engagement that are not personal content and stay: none. The organisation's name is
# no secret of the matrix, and the leader's own name is not erased (their account stays).


def _erased_texts(texts: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in texts.items() if not k.startswith("liv_") and not k.endswith("_token")}


@pytest.fixture(scope="module")
def erased_cast(django_db_setup, django_db_blocker):
    """The privacy matrix's cast with Lee's engagement completed and erased; rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cast = build_cast()
            cast.private = seed_private_content(cast)
            engagement_services.engagement_set_status(
                engagement=cast.lee_engagement, status=Engagement.Status.COMPLETED
            )
            assert services.engagement_erase(engagement=cast.lee_engagement, reason="policy")
            # The matrix's agenda cases act on a topic of the next session: one without a secret.
            AgendaItemFactory(session=cast.lee_next_session, author=cast.lee, text="A topic written after erasure")
            yield cast
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _request(client, case, path: str, headers: dict):
    sid = transaction.savepoint()
    try:
        if case.method == "POST":
            return client.post(path, case.data, headers=headers)
        return client.get(path, headers=headers)
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
def test_no_page_answers_with_an_error_or_an_erased_text(erased_cast, person):
    cast = erased_cast
    erased = _erased_texts(cast.private.texts)
    client = _client_for(person, cast)
    problems = []
    for case in _all_cases(cast):
        path = case.stakeholder_path if person == "stakeholder" and case.stakeholder_path else case.path
        if person == "assistant" and case.assistant_path:
            path = case.assistant_path
        for headers in ({}, {"HX-Request": "true"}) if case.htmx else ({},):
            response = _request(client, case, path, headers)
            where = f"{case.method} {path}{' (htmx)' if headers else ''}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
                continue
            body = _readable_text(response)
            shown = [name for name, text in erased.items() if _squeeze(text) in body]
            if shown:
                problems.append(f"{where}: shows erased {shown}")
    assert problems == []


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["coach", "leader", "sponsor", "reviewer"])
def test_no_api_answer_holds_an_erased_text(erased_cast, person):
    cast = erased_cast
    erased = _erased_texts(cast.private.texts)
    client = _api_client_for(person, cast)
    problems = []
    for case in api_cases(cast):
        sid = transaction.savepoint()
        try:
            if case.method == "POST":
                response = client.post(case.path, case.data)
            else:
                response = client.get(case.path)
        finally:
            transaction.savepoint_rollback(sid)
        if response.status_code >= 500:
            problems.append(f"{case.method} {case.path}: {response.status_code}")
            continue
        body = _api_readable(response)
        shown = [name for name, text in erased.items() if _squeeze(text) in body]
        if shown:
            problems.append(f"{case.method} {case.path}: shows erased {shown}")
    assert problems == []


@pytest.mark.django_db
def test_the_erased_engagement_answers_the_api_with_its_figures(erased_cast):
    cast = erased_cast
    client = _api_client_for("coach", cast)
    response = client.get(f"/api/v1/engagements/{cast.lee_engagement.pk}/")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["status"] == "completed" and data["sessions_held"] >= 1
    goals = json.loads(client.get(f"/api/v1/engagements/{cast.lee_engagement.pk}/goals/").content)["results"]
    assert [g["title"] for g in goals] == ["Goal 1: Composure under pressure", "Goal 2: Delegation"]
