"""Every URL that carries a secret has its secret redacted from log lines, including URLs added later."""

from __future__ import annotations

import logging

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.logs import REDACTED, RedactSecretsFilter, redact

SECRET = "S3cr3tT0kenValue_abcdefghijklmnopqrstu"
SECRET_PARAMETERS = {"token", "key", "uidb36"}


def _patterns(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _secret_paths() -> dict[str, str]:
    """Each named URL whose parameters include a secret, reversed with SECRET in that parameter."""
    paths = {}
    for name, pattern in _patterns(get_resolver()):
        parameters = set(pattern.pattern.regex.groupindex)
        if not parameters & SECRET_PARAMETERS:
            continue
        values = {p: ("4" if p == "uidb36" else SECRET if p in SECRET_PARAMETERS else "1") for p in parameters}
        paths[name] = reverse(name, kwargs=values)
    return paths


def test_every_url_with_a_secret_is_known_to_the_redaction():
    paths = _secret_paths()
    assert {"stakeholders:answer", "account_reset_password_from_key"} <= set(paths), paths
    for name, path in paths.items():
        assert SECRET in path, name
        assert SECRET not in redact(f'127.0.0.1 "GET {path} HTTP/1.1" 200'), name
        assert REDACTED in redact(path), name


def test_a_secret_inside_an_encoded_next_parameter_is_redacted_too():
    line = f"GET /accounts/login/?next=%2Ff%2F{SECRET}%2F HTTP/1.1"
    assert SECRET not in redact(line)


def test_the_log_filter_redacts_the_message_and_its_arguments():
    path = f"/f/{SECRET}/"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None)
    assert RedactSecretsFilter().filter(record)
    assert SECRET not in record.getMessage()


def test_ordinary_paths_are_left_as_they_are():
    line = '127.0.0.1 "GET /engagements/12/sessions/?page=2 HTTP/1.1" 200'
    assert redact(line) == line
