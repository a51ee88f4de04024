"""Keeping working private links out of log files.

A private link is a secret: whoever reads it can answer as the stakeholder, accept the invitation or
turn someone's e-mails off. `redact` replaces the secret part of every such path with `[redacted]`,
in plain and percent-encoded form (a link can travel inside `?next=`), and `RedactSecretsFilter`
applies it to every record of the product's own loggers (`django.request`, `django.server`, ...).
`gunicorn.conf.py` uses the same function for the access log.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Paths that carry a secret, as (prefix, what follows the secret). Keep in step with the URLconfs:
# stakeholders `f/<token>/`, accounts `account/invitation/<token>/`, notifications
# `notifications/unsubscribe/<token>/`, engagements `calendar/feed/<token>.ics`, booking `book/a/<token>/`,
# and allauth's e-mail confirmation and password reset keys.
_SECRET_PATHS = (
    "/f/",
    "/book/a/",
    "/account/invitation/",
    "/notifications/unsubscribe/",
    "/calendar/feed/",
    "/exports/download/",
    "/accounts/confirm-email/",
    "/accounts/password/reset/key/",
)


_ANY = re.compile(
    "(" + "|".join(re.escape(p) + "|" + re.escape(p.replace("/", "%2F")) for p in _SECRET_PATHS) + ")"
    r"((?:(?!%2[Ff])[^/?#&\s\"'])+)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with the secret of every private-link path replaced by `[redacted]`."""
    if not text or ("/" not in text and "%2" not in text):
        return text
    return _ANY.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """Redacts private-link secrets from a record's message and arguments (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True
