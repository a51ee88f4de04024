"""Headers every response carries, and no caching of anything a signed-in person sees."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_is_never_cached(client_for):
    response = client_for("ada").get("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_view_that_already_forbids_storing_keeps_its_stricter_header(cast, client_for):
    response = client_for("lee").get("/account/invitation/not-a-real-token/")
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/accounts/login/", "/static/css/app.css", "/no-such-page/"])
def test_every_response_turns_off_browser_features_and_cross_origin_reads(db, path):
    response = Client().get(path)
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
