"""How the API knows who is calling: a personal access token, its scope, its rate limit.

The API takes `Authorization: Bearer <token>` only, never the site's session cookie, so a page in a
browser cannot be made to write through it (no cross-site request), and every write names its token.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken
from .services import api_token_authenticate


class PersonalTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].decode(errors="replace").lower() != self.keyword.lower() or len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send your personal access token as “Authorization: Bearer <token>”.")
            )
        secret = header[1].decode(errors="replace")
        token = api_token_authenticate(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This token is unknown, expired or revoked. Make a new one on your preferences page.")
            )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class TokenScope(permissions.BasePermission):
    """Signed in with a token; a write needs a read-and-write token."""

    message = _("This token may only read. Make a read and write token on your preferences page to change data.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return request.method in permissions.SAFE_METHODS or token.can_write


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (API_RATE_LIMIT, for example "600/hour"), counted in the shared cache."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return f"api-throttle:{request.auth.pk}"
