"""Encryption of calendar passwords with Fernet (`cryptography`) under `BOOKING_ENCRYPTION_KEY`.

The variable holds one or more Fernet keys, comma-separated, newest first: new secrets are encrypted
with the first, and every listed key still decrypts (rotate by putting a new key first).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext


class SecretUnreadable(Exception):  # noqa: N818 - a state, not a programming error
    """The stored secret cannot be decrypted with any configured key."""


def _fernet() -> MultiFernet:
    keys = settings.BOOKING_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("BOOKING_ENCRYPTION_KEY is not set: calendar connections need it.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encryption_available() -> bool:
    return bool(settings.BOOKING_ENCRYPTION_KEYS)


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            gettext("The stored calendar password cannot be decrypted with BOOKING_ENCRYPTION_KEY.")
        ) from None
