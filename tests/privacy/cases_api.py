"""The REST API (`api` app): its schema and docs are public; every endpoint refuses a session cookie
(401), so a page in a browser can never call it for someone. How each endpoint answers each person's
token is classified in `tests/privacy/api_cases.py` and checked by `tests/api/test_api_privacy.py`.
The token pages of the preferences page are classified here like any other page."""

from api.models import ApiToken
from api.services import api_token_create

from .api_cases import api_cases
from .base import ALLOWED, PEOPLE, SIGNED_IN, TOKEN_REQUIRED, UrlCase


def cases(cast) -> list[UrlCase]:
    everyone = dict.fromkeys(PEOPLE, ALLOWED)
    token = (
        ApiToken.objects.filter(user=cast.ada).first()
        or api_token_create(user=cast.ada, name="privacy matrix", scope="read", days=7).token
    )
    session_cookie_refused = [
        UrlCase(
            case.url_name, case.path, expect=dict.fromkeys(PEOPLE, TOKEN_REQUIRED), method=case.method, data=case.data
        )
        for case in api_cases(cast)
    ]
    return [
        UrlCase("api:schema", "/api/schema/", expect=everyone),
        UrlCase("api:docs", "/api/docs/", expect=everyone),
        *session_cookie_refused,
        UrlCase("api_tokens:create", "/account/tokens/new/", expect=dict.fromkeys(SIGNED_IN, ALLOWED)),
        UrlCase(
            "api_tokens:create",
            "/account/tokens/new/",
            expect=dict.fromkeys(SIGNED_IN, ALLOWED),
            method="POST",
            data={"name": "reporting script", "scope": "read", "days": "30"},
        ),
        UrlCase("api_tokens:revoke", f"/account/tokens/{token.pk}/revoke/", expect={"coach": ALLOWED}, method="POST"),
    ]
