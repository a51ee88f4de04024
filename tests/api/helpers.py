"""Tokens and clients for API tests: a request carries a personal access token, never a session."""

from __future__ import annotations

from django.test import Client

from api.models import ApiToken
from api.services import api_token_create


def token_for(user, *, scope: str = ApiToken.Scope.WRITE, days: int = 30, name: str = "tests") -> str:
    return api_token_create(user=user, name=name, scope=scope, days=days).secret


class ApiClient:
    """Django's test client with `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **headers):
        return self.client.get(path, headers={**self.headers, **headers})

    def post(self, path: str, data=None, **headers):
        return self.client.post(
            path, data if data is not None else {}, content_type="application/json", headers={**self.headers, **headers}
        )


def api_client_for(user, *, scope: str = ApiToken.Scope.WRITE) -> ApiClient:
    return ApiClient(token_for(user, scope=scope))
