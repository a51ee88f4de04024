"""Create forms that store once, however often they are sent.

Every create form carries a hidden `idempotency_key` (`IdempotencyKeyField`), a random value
generated when the form is rendered; a form shown again after an error keeps it. The service that
creates the row runs its work through `create_once(key=..., ...)`: the first request with a key
records it next to the row it created, and any later request with the same key (a double click,
a reload of the POST, two tabs racing) gets that first row back instead of a second one. The
database's unique constraint on the key decides races; nothing here relies on timing.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .models import IdempotencyKey

M = TypeVar("M", bound=models.Model)

KEY_CHARS = 43  # 32 random bytes, URL-safe base64


def new_key() -> str:
    return secrets.token_urlsafe(32)


class IdempotencyKeyField(forms.CharField):
    """The hidden key of a create form: new on every render of an unbound form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("initial", new_key)
        super().__init__(**kwargs)


def create_once(*, key: str, model: type[M], user, create: Callable[[], M]) -> tuple[M, bool]:
    """`(row, True)` after running `create()`, or `(earlier row, False)` if `key` was used before.

    Without a key (an API call, a test, an old page) `create()` simply runs. `user` is the person
    sending the form (None for a stakeholder's private link); a key sent by someone else is refused.
    If `create()` raises, the key is not kept, so the corrected form can be sent again.
    """
    if not key:
        return create(), True
    scope = model._meta.label_lower
    user_id = getattr(user, "pk", None)
    with transaction.atomic():
        try:
            with transaction.atomic():
                marker = IdempotencyKey.objects.create(scope=scope, key=key[:64], user_id=user_id)
        except IntegrityError:
            return _earlier(scope=scope, key=key[:64], model=model, user_id=user_id), False
        row = create()
        IdempotencyKey.objects.filter(pk=marker.pk).update(object_id=row.pk)
        return row, True


def idempotent(
    model: type[models.Model],
    *,
    user: str | None,
    row: Callable[[Any], models.Model] = lambda result: result,
    replay: Callable[[models.Model], Any] = lambda row: row,
):
    """Service decorator: adds the keyword-only argument `idempotency_key` (default "": no key).

    `user` names the service's argument holding the person who sends the form (None: nobody signed
    in). `row` picks the created row out of the service's result and `replay` builds the result a
    repeated call returns from that earlier row (both default to the row itself).
    """

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*, idempotency_key: str = "", **kwargs):
            if not idempotency_key:
                return service(**kwargs)
            results = []

            def create():
                results.append(service(**kwargs))
                return row(results[0])

            sender = kwargs.get(user) if user else None
            earlier, created = create_once(key=idempotency_key, model=model, user=sender, create=create)
            return results[0] if created else replay(earlier)

        return wrapper

    return decorate


def created_with(*, key: str, row: models.Model) -> bool:
    """Whether `row` was created by a request that carried `key` (a repeated send of the same form)."""
    if not key:
        return False
    return IdempotencyKey.objects.filter(scope=row._meta.label_lower, key=key[:64], object_id=row.pk).exists()


def _earlier(*, scope: str, key: str, model: type[M], user_id: int | None) -> M:
    marker = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    row = None
    if marker is not None and marker.user_id == user_id and marker.object_id is not None:
        row = model._default_manager.filter(pk=marker.object_id).first()
    if row is None:
        raise ValidationError(_("This form was already sent. Reload the page to start again."), code="used_key")
    return row
