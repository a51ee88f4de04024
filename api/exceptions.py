"""Errors as JSON with a clear message, never a 500 for bad input."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    """DRF's JSON errors, plus the product's own: a refused service call is a 400 with its messages."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): messages
                for name, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not yours to see."))
    return exception_handler(exc, context)
