"""Every URL, requested as every person: the answer each one gets is the one classified for them,
and it shows none of the private texts that person may not read.

Cases live in `tests/privacy/cases_<app>.py`. A named URL of the product that no case covers fails
`test_every_url_is_classified`, so a new page cannot ship without its privacy classification.
`tests/privacy/secrets.py` seeds a private text into every private field of the cast's engagements
and says who may read each one; every response (page, htmx fragment, PDF as extracted text) is
checked against that table, whether the person was let in or refused.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
import shutil
import subprocess

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from tests import privacy
from tests.conftest import build_cast
from tests.privacy.base import (
    ALLOWED,
    FORBIDDEN,
    GONE,
    HIDDEN,
    LOGIN,
    PEOPLE,
    REDIRECTED,
    TOKEN_REQUIRED,
    UrlCase,
)
from tests.privacy.secrets import NEVER_TOGETHER, SECRETS, TEXTS, seed_private_content, unreadable_by

# Every test of this module uses `privacy_cast`, built once per module: the function-scoped `cast`
# fixture would create the same people a second time.

# Namespaces that belong to libraries (sign-in, admin) rather than to the product's own pages.
LIBRARY_NAMESPACES = {"admin", "mfa"}
LIBRARY_PREFIXES = ("account_", "mfa_", "socialaccount_", "usersessions_")


def _case_modules():
    for info in pkgutil.iter_modules(privacy.__path__):
        if info.name.startswith("cases_"):
            yield importlib.import_module(f"tests.privacy.{info.name}")


def _all_cases(cast) -> list[UrlCase]:
    return [case for module in _case_modules() for case in module.cases(cast)]


def _named_urls(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in LIBRARY_NAMESPACES:
                continue
            names |= _named_urls(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name and not entry.name.startswith(LIBRARY_PREFIXES):
            names.add(namespace + entry.name)
    return names


@pytest.fixture(scope="module")
def privacy_cast(django_db_setup, django_db_blocker):
    """The cast, with a secret in every private field of its engagements (`cast.private`).

    Built once per module (and test worker) inside a transaction that is rolled back when the module
    ends; each test runs in a savepoint of it, and each request in a savepoint of that, so nothing a
    test or a POST writes reaches the next one.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cast = build_cast()
            cast.private = seed_private_content(cast)
            yield cast
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _client_for(person: str, cast) -> Client:
    client = Client()
    user = cast.people.get(person)
    if user is not None:
        if not user.is_active:
            # A session opened while the account was active, then the account was deactivated.
            User.objects.filter(pk=user.pk).update(is_active=True)
            user.refresh_from_db()
            client.force_login(user)
            User.objects.filter(pk=user.pk).update(is_active=False)
            user.refresh_from_db()
        else:
            client.force_login(user)
    return client


def _squeeze(text: str) -> str:
    """Text without any whitespace, so a secret wrapped over two lines of a PDF still matches."""
    return re.sub(r"\s+", "", text)


def _readable_text(response) -> str:
    """What a person reads in a response: HTML with entities decoded, a PDF's extracted text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        pdftotext = shutil.which("pdftotext")
        assert pdftotext, "pdftotext (poppler-utils) is needed to read PDFs for private texts"
        content = subprocess.run([pdftotext, "-", "-"], input=content, capture_output=True, check=True).stdout
    return _squeeze(html.unescape(content.decode(errors="replace")))


def _private_texts_shown(person: str, texts: dict[str, str], response) -> list[str]:
    """The secrets in `response` that `person` may not read, and any answer attributed to a rater."""
    body = _readable_text(response)
    shown = [name for name, text in unreadable_by(person, texts).items() if _squeeze(text) in body]
    shown += [
        f"{a} next to {b}" for a, b in NEVER_TOGETHER if _squeeze(texts[a]) in body and _squeeze(texts[b]) in body
    ]
    return shown


def _check(case: UrlCase, person: str, response, texts: dict[str, str]) -> None:
    expected = case.outcome_for(person)
    status = response.status_code
    where = f"{case.method} {case.path}{' (htmx)' if response.wsgi_request.htmx else ''} as {person}"
    if expected == ALLOWED:
        ok = status == 200 if case.method == "GET" else status in (200, 201, 204, 302, 303)
        if case.method == "POST" and status == 302:
            ok = "/accounts/login/" not in response["Location"]
        assert ok, f"{where}: expected access, got {status}"
    elif expected == HIDDEN:
        assert status == 404, f"{where}: expected 404, got {status}"
    elif expected == FORBIDDEN:
        assert status in (403, 404), f"{where}: expected 403, got {status}"
    elif expected == LOGIN:
        assert status == 302 and "/accounts/login/" in response["Location"], (
            f"{where}: expected sign-in redirect, got {status}"
        )
    elif expected == GONE:
        assert status in (404, 410), f"{where}: expected 404/410, got {status}"
    elif expected == REDIRECTED:
        assert status == 302 and "/accounts/login/" not in response["Location"], (
            f"{where}: expected a redirect to another page, got {status}"
        )
    elif expected == TOKEN_REQUIRED:
        assert status == 401, f"{where}: expected 401 (token required), got {status}"
    else:  # pragma: no cover - a typo in a case file
        raise AssertionError(f"unknown outcome {expected!r}")
    shown = _private_texts_shown(person, texts, response)
    assert not shown, f"{where}: response shows private text this person may not read: {shown}"
    if expected != ALLOWED and case.must_not_contain:
        body = _readable_text(response)
        for secret in case.must_not_contain:
            assert _squeeze(secret) not in body, f"{where}: response shows private text {secret!r}"


@pytest.mark.django_db
def test_every_url_is_classified(privacy_cast):
    cases = _all_cases(privacy_cast)
    missing = sorted(_named_urls() - {case.url_name for case in cases})
    assert not missing, f"URLs without a privacy classification in tests/privacy/cases_*.py: {missing}"
    unknown = sorted({f"{case.url_name}: {person}" for case in cases for person in case.expect if person not in PEOPLE})
    assert not unknown, f"cases name people the matrix does not know: {unknown}"


def test_every_secret_has_a_seeded_text_and_known_readers():
    assert set(SECRETS) == {*TEXTS, "link_token", "invitation_token"}
    for name, secret in SECRETS.items():
        assert secret.readers <= set(PEOPLE), f"{name}: unknown readers {secret.readers - set(PEOPLE)}"


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
def test_each_url_answers_each_person_as_classified_and_shows_only_what_they_may_read(privacy_cast, person):
    """One test per person; each URL is requested in its own savepoint so POSTs do not leak state."""
    cast = privacy_cast
    texts = cast.private.texts
    client = _client_for(person, cast)
    failures = []
    for case in _all_cases(cast):
        path = case.stakeholder_path if person == "stakeholder" and case.stakeholder_path else case.path
        if person == "assistant" and case.assistant_path:
            path = case.assistant_path
        for headers in ({}, {"HX-Request": "true"}) if case.htmx else ({},):
            sid = transaction.savepoint()
            try:
                if case.method == "POST":
                    response = client.post(path, case.data, headers=headers)
                else:
                    response = client.get(path, headers=headers)
                _check(case, person, response, texts)
            except AssertionError as exc:
                failures.append(str(exc))
            finally:
                transaction.savepoint_rollback(sid)
                client.cookies.pop("messages", None)  # a flash message of one case must not reach the next
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_a_session_opened_before_deactivation_stops_working_at_once(privacy_cast):
    cast = privacy_cast
    client = Client()
    client.force_login(cast.sol)
    summary = f"/engagements/{cast.lee_engagement.pk}/summary/"
    assert client.get(summary).status_code == 200

    User.objects.filter(pk=cast.sol.pk).update(is_active=False)
    response = client.get(summary)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_deactivated_account_cannot_sign_in_with_its_password(privacy_cast):
    cast = privacy_cast
    client = Client()

    response = client.post("/accounts/login/", {"login": cast.vic.email, "password": cast.password})

    assert response.status_code == 302 and response["Location"] == "/accounts/inactive/"
    assert "_auth_user_id" not in client.session
    assert client.get("/sponsor/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_seeded_secrets_reach_the_pages_of_people_who_may_read_them(privacy_cast):
    """Guards the matrix against checking for texts that were never stored: each is found where it belongs."""
    cast, private = privacy_cast, privacy_cast.private
    e = cast.lee_engagement
    raters = [f"rater{i}_{field}" for i in range(3) for field in ("name", "email")]
    where = {
        "coach": {
            f"/sessions/{cast.lee_past_session.pk}/": ["private_notes", "shared_summary"],
            f"/sessions/{private.three_way_held.pk}/": ["three_way_private_notes", "three_way_agreed_notes"],
            f"/sessions/{cast.lee_next_session.pk}/": ["agenda_item"],
            f"/sessions/{private.three_way_meeting.pk}/": ["agenda_before_three_way", "reflection_agenda"],
            f"/commitments/{private.commitment.pk}/": ["commitment_text", "commitment_where", "log_note"],
            f"/commitments/{private.reviewed_commitment.pk}/": [
                "commitment_review_reason",
                *(name for name in SECRETS if name.startswith("log_") and name != "log_note"),
            ],
            f"/engagements/{e.pk}/reflections/": ["reflection_wins", "reflection_struggles", "reflection_topics"],
            f"/engagements/{e.pk}/": ["checkin_comment", "goal_title", "goal_description", "goal_why"],
            f"/engagements/{e.pk}/feedback/": [*raters, "lone_peer_name"],
            f"/feedback/rounds/{private.closed_round.pk}/results/": [
                *(f"rater{i}_suggestion" for i in range(3)),
                "rater_support",
            ],
        },
        "sponsor": {
            f"/engagements/{e.pk}/summary/": [
                "sponsor_summary",
                "three_way_agreed_notes",
                "three_way_agenda",
                "goal_title",
                "goal_why",
            ],
        },
        "stakeholder": {f"/f/{private.texts['link_token']}/": ["goal_title", "goal_description"]},
        "other_coach": {f"/engagements/{cast.liv_engagement.pk}/": ["liv_goal_title", "liv_goal_why"]},
    }
    missing = []
    for person, pages in where.items():
        client = _client_for(person, cast)
        for path, names in pages.items():
            body = _readable_text(client.get(path))
            missing += [f"{name} on {path} as {person}" for name in names if _squeeze(private.texts[name]) not in body]
    assert not missing, missing
