"""A coach registers a webhook address and reads its signing secret and delivery log, at desktop and phone width."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from webhooks import services
from webhooks.models import Delivery


@pytest.fixture(autouse=True)
def _local_addresses(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True


def test_the_coach_registers_an_address(cast, page, live_server):
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/webhooks/")
    page.get_by_label("Address that receives the events").fill("not an address")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert "Enter a full address starting with https://." in page.locator("body").inner_text()
    assert page.get_by_label("Address that receives the events").input_value() == "not an address"
    check_accessibility(page)
    save_screenshot(page, "webhooks-list-error-desktop")

    page.get_by_label("Address that receives the events").fill("https://hooks.example.com/coaching")
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    assert page.get_by_label("Signing secret").input_value()
    check_accessibility(page)
    save_screenshot(page, "webhooks-detail-desktop")


def test_the_address_page_fits_a_phone(cast, phone_page, live_server):
    endpoint = services.endpoint_register(owner=cast.ada, url="https://hooks.example.com/a-rather-long/path/for/events")
    for status, attempts in (("delivered", 1), ("failed", 5), ("pending", 2)):
        Delivery.objects.create(
            endpoint=endpoint,
            event="session.moved",
            event_id=uuid.uuid4(),
            payload={},
            status=status,
            attempts=attempts,
            last_status_code=500 if status != "delivered" else 200,
        )
    login(phone_page, live_server, cast.ada.email, cast.password)
    phone_page.goto(f"{live_server.url}/webhooks/{endpoint.pk}/")
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "webhooks-detail-phone")
