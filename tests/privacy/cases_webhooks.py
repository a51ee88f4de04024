"""Webhooks: the registration page (coaches and practice admins), one address's page with its secret and
delivery log (its owner only), and switching an address off."""

from webhooks.models import Endpoint

from .base import ALLOWED, FORBIDDEN, SIGNED_IN, UrlCase


def _ada_endpoint(cast) -> Endpoint:
    endpoint = Endpoint.objects.filter(owner=cast.ada).first()
    if endpoint is None:  # each test's rows are rolled back: make it again when it is gone
        endpoint = Endpoint.objects.create(owner=cast.ada, url="https://hooks.example.com/ada", secret_nonce="n" * 43)
    return endpoint


def cases(cast) -> list[UrlCase]:
    endpoint = _ada_endpoint(cast)
    registrants = {person: FORBIDDEN for person in SIGNED_IN} | {
        "coach": ALLOWED,
        "other_coach": ALLOWED,
        "practice_admin": ALLOWED,
    }
    secrets = tuple(cast.secrets.values())
    return [
        UrlCase("webhooks:list", "/webhooks/", expect=registrants),
        UrlCase("webhooks:detail", f"/webhooks/{endpoint.pk}/", expect={"coach": ALLOWED}, must_not_contain=secrets),
        UrlCase(
            "webhooks:switch_off", f"/webhooks/{endpoint.pk}/switch-off/", method="POST", expect={"coach": ALLOWED}
        ),
    ]
