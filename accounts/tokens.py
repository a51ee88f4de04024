"""Tokens derived from the secret key, so that a key rotation keeps links alive while the old key is
listed in `SECRET_KEY_FALLBACKS`, and kills them once it is removed.

A private link's token is `HMAC-SHA256(key, salt, value)` (URL-safe base64, 43 characters, 256 bits),
where `value` holds a random nonce kept on the row. Only `sha256(token)` is stored and looked up, so
the database alone cannot produce a working link; the key that made the token is found again by
trying the current key first, then each fallback.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac


def signing_keys() -> Iterator[str]:
    """The current secret key, then every fallback still accepted (newest rotation first)."""
    yield settings.SECRET_KEY
    yield from settings.SECRET_KEY_FALLBACKS


def derive_token(*, salt: str, value: str, secret: str | None = None) -> str:
    """The token for `value` under `secret` (the current key when None)."""
    mac = salted_hmac(salt, value, secret=secret or settings.SECRET_KEY, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_is_valid(*, token: str, salt: str, value: str) -> bool:
    """Whether `token` was derived from `value` with the current key or an accepted fallback."""
    return any(constant_time_compare(token, derive_token(salt=salt, value=value, secret=key)) for key in signing_keys())


def token_for_hash(*, token_hash: str, salt: str, value: str) -> str | None:
    """The token (under the current key or a fallback) whose hash is `token_hash`; None if no key makes it."""
    for key in signing_keys():
        token = derive_token(salt=salt, value=value, secret=key)
        if constant_time_compare(hash_token(token), token_hash):
            return token
    return None
