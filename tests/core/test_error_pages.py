"""Error pages are friendly, in the site's layout, and never show debug details."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_friendly_404(client_for):
    response = client_for("lee").get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We cannot find that page" in html and 'lang="en"' in html and "Traceback" not in html


def test_a_role_mismatch_is_a_friendly_403(client_for):
    response = client_for("lee").get("/engagements/new/")
    assert response.status_code == 403 and "not for your role" in response.content.decode()


def test_a_server_error_is_a_friendly_500(settings):
    from django.urls import path

    from coaching import urls

    def boom(request):
        raise RuntimeError("database exploded")

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [path("boom/", boom), *urls.urlpatterns]})
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and "database exploded" not in html
