"""How this session's person signed in, as recorded by allauth."""

from __future__ import annotations

from django.http import HttpRequest

SIGN_IN_METHODS = {"password", "code", "socialaccount", "passkey"}


def _methods(request: HttpRequest) -> set:
    from allauth.account.authentication import get_authentication_records

    return {record.get("method") for record in get_authentication_records(request, request.user)}


def second_factor_done(request: HttpRequest) -> bool:
    """The signed-in person passed their second factor in this session, or has none turned on."""
    from allauth.mfa.utils import is_mfa_enabled

    return not is_mfa_enabled(request.user) or "mfa" in _methods(request)


def signed_in_through_allauth(request: HttpRequest) -> bool:
    """This session was signed in on allauth's pages, with the second factor where it is turned on."""
    return bool(_methods(request) & SIGN_IN_METHODS) and second_factor_done(request)
