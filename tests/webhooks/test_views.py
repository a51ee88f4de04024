"""The webhook pages: registering an address, its secret and delivery log, switching it off."""

from __future__ import annotations

import pytest

from webhooks import services
from webhooks.models import Delivery, Endpoint


@pytest.fixture(autouse=True)
def _local_addresses(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True


def test_a_coach_registers_an_address_and_sees_its_secret(cast, client_for):
    ada = client_for("ada")
    response = ada.post("/webhooks/", {"url": "https://hooks.example.com/coaching", "description": "CRM"})
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{endpoint.pk}/"
    assert (endpoint.owner, endpoint.practice, endpoint.is_active) == (cast.ada, None, True)
    page = ada.get(response["Location"]).content.decode()
    assert services.endpoint_secret(endpoint=endpoint) in page
    assert endpoint.secret_nonce not in page


def test_a_bad_address_is_refused_with_a_message_and_the_typed_text_kept(cast, client_for):
    response = client_for("ada").post("/webhooks/", {"url": "ftp://files.example.com/x", "description": "Nightly"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a full address starting with https://." in page
    assert 'value="ftp://files.example.com/x"' in page and 'value="Nightly"' in page
    assert not Endpoint.objects.exists()


def test_an_address_on_the_installations_own_network_is_refused(cast, client_for, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    response = client_for("ada").post("/webhooks/", {"url": "http://127.0.0.1:6379/"})
    assert response.status_code == 400
    assert "does not lead to a public server" in response.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("person", ["lee", "sam"])
def test_leaders_and_sponsors_cannot_register_addresses(cast, client_for, person):
    assert client_for(person).post("/webhooks/", {"url": "https://hooks.example.com/x"}).status_code == 403
    assert not Endpoint.objects.exists()


def test_a_practice_admin_registers_for_the_whole_practice(cast, client_for):
    client_for("pam").post("/webhooks/", {"url": "https://hooks.example.com/practice"})
    assert Endpoint.objects.get().practice == cast.practice


def test_another_coach_cannot_open_or_switch_off_an_address(cast, client_for):
    endpoint = services.endpoint_register(owner=cast.ada, url="https://hooks.example.com/ada")
    ben = client_for("ben")
    assert ben.get(f"/webhooks/{endpoint.pk}/").status_code == 404
    assert ben.post(f"/webhooks/{endpoint.pk}/switch-off/").status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_switching_off_fails_what_was_still_owed(cast, client_for):
    endpoint = services.endpoint_register(owner=cast.ada, url="https://hooks.example.com/ada")
    services.webhook_event_owe(event="session.booked", coach_id=cast.ada.pk, facts={})
    response = client_for("ada").post(f"/webhooks/{endpoint.pk}/switch-off/")
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert Delivery.objects.get().status == "failed"


@pytest.mark.parametrize("size", [1, 30])
def test_the_address_page_runs_the_same_queries_however_long_its_log(cast, client_for, django_assert_num_queries, size):
    endpoint = services.endpoint_register(owner=cast.ada, url="https://hooks.example.com/ada")
    for _ in range(size):
        services.webhook_event_owe(event="session.booked", coach_id=cast.ada.pk, facts={})
    ada = client_for("ada")
    # session, user, the address, its log, the menu's "leads anything?" and "sponsors anything?"
    with django_assert_num_queries(6):
        page = ada.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert page.count("<code>session.booked</code>") == size


@pytest.mark.parametrize("size", [1, 10])
def test_the_webhooks_page_runs_the_same_queries_however_many_addresses(
    cast, client_for, django_assert_num_queries, size
):
    for i in range(size):
        services.endpoint_register(owner=cast.ada, url=f"https://hooks.example.com/{i}")
    ada = client_for("ada")
    # session, user, the addresses, the menu's "leads anything?" and "sponsors anything?"
    with django_assert_num_queries(5):
        page = ada.get("/webhooks/").content.decode()
    assert page.count("https://hooks.example.com/") == size
