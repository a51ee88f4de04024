"""Every URL, requested as every person: the answer each one gets is the one classified for them.

Cases live in `tests/privacy/cases_<app>.py`. A named URL of the product that no case covers fails
`test_every_url_is_classified`, so a new page cannot ship without its privacy classification.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests import privacy
from tests.privacy.base import ALLOWED, FORBIDDEN, GONE, HIDDEN, LOGIN, PEOPLE, UrlCase

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


def _client_for(person: str, cast) -> Client:
    client = Client()
    user = cast.people.get(person)
    if user is not None:
        client.force_login(user)
    return client


def _check(case: UrlCase, person: str, response) -> None:
    expected = case.outcome_for(person)
    status = response.status_code
    where = f"{case.method} {case.path} as {person}"
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
    else:  # pragma: no cover - a typo in a case file
        raise AssertionError(f"unknown outcome {expected!r}")
    if expected != ALLOWED and case.must_not_contain:
        body = response.content.decode(errors="replace")
        for secret in case.must_not_contain:
            assert secret not in body, f"{where}: response shows private text {secret!r}"


@pytest.mark.django_db
def test_every_url_is_classified(cast):
    covered = {case.url_name for case in _all_cases(cast)}
    missing = sorted(_named_urls() - covered)
    assert not missing, f"URLs without a privacy classification in tests/privacy/cases_*.py: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
def test_each_url_answers_each_person_as_classified(cast, person):
    """One test per person; each URL is requested in its own savepoint so POSTs do not leak state."""
    from django.db import transaction

    failures = []
    for case in _all_cases(cast):
        path = case.stakeholder_path if person == "stakeholder" and case.stakeholder_path else case.path
        client = _client_for(person, cast)
        sid = transaction.savepoint()
        try:
            response = client.post(path, case.data) if case.method == "POST" else client.get(path)
            _check(case, person, response)
        except AssertionError as exc:
            failures.append(str(exc))
        finally:
            transaction.savepoint_rollback(sid)
    assert not failures, "\n".join(failures)
