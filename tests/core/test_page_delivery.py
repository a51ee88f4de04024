"""How pages are delivered: gzip for clients that accept it (never a private-link page), compiled templates."""

from __future__ import annotations

import gzip

import pytest

from tests.stakeholders.conftest import lee_roster, open_round  # noqa: F401 - fixtures used below

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.mark.django_db
def test_a_page_is_compressed_for_a_client_that_accepts_gzip_and_says_it_varies(client_for):
    response = client_for("ada").get("/coach/", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "Engagements" in gzip.decompress(response.content).decode()


@pytest.mark.django_db
def test_a_client_that_does_not_accept_gzip_gets_the_page_as_it_is(client_for):
    response = client_for("ada").get("/coach/")
    assert not response.has_header("Content-Encoding")
    assert "Engagements" in response.content.decode()


@pytest.mark.django_db
def test_two_compressed_copies_of_one_page_differ_in_size_of_their_filler(client_for):
    client = client_for("ada")
    sizes = {len(client.get("/coach/", **GZIP).content) for _ in range(6)}
    assert len(sizes) > 1  # a random-length filler in every compressed response (BREACH)


@pytest.mark.django_db
def test_a_private_link_page_is_never_compressed(client, cast, open_round):  # noqa: F811 - fixture
    feedback_round, tokens = open_round()
    token = next(iter(tokens.values()))
    response = client.get(f"/f/{token}/", **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Vary" not in response or "Accept-Encoding" not in response["Vary"]


def test_outside_debug_templates_are_compiled_once_per_process():
    from django.template import engines

    engine = engines["django"].engine
    (loader,) = engine.template_loaders
    assert type(loader).__module__ == "django.template.loaders.cached"
    assert [type(inner).__module__ for inner in loader.loaders] == [
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ]


@pytest.mark.django_db
def test_only_html_is_compressed_an_api_answer_goes_as_it_is(client, cast):
    from api.services import api_token_create

    secret = api_token_create(user=cast.ada, name="reporting script", scope="read", days=30).secret
    response = client.get("/api/v1/engagements/", HTTP_AUTHORIZATION=f"Bearer {secret}", **GZIP)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert not response.has_header("Content-Encoding")
