"""The time-zone picker in a browser: filter by typing, the device's zone offered, on a phone and a desktop."""

from __future__ import annotations

from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot


def test_a_leader_filters_the_zones_and_takes_the_devices_zone_on_a_phone(cast, phone_page, page, live_server):
    cast.lee.time_zone = "Asia/Tokyo"
    cast.lee.save(update_fields=["time_zone"])
    login(phone_page, live_server, cast.lee.email, cast.password)
    phone_page.goto(f"{live_server.url}/account/preferences/")

    # The browser runs in Europe/London: that zone is offered, not chosen for the leader.
    suggestion = phone_page.locator("[data-time-zone-suggestion]")
    assert suggestion.inner_text() == "Use this device's time zone: Europe/London"
    assert phone_page.input_value("#id_time_zone") == "Asia/Tokyo"
    check_accessibility(phone_page)
    assert_no_horizontal_scroll(phone_page)
    save_screenshot(phone_page, "preferences-time-zone-phone")

    phone_page.fill("#id_time_zone-filter", "new york")
    visible = phone_page.eval_on_selector_all("#id_time_zone option:not([hidden])", "els => els.map(e => e.value)")
    assert visible == ["America/New_York"]
    assert phone_page.input_value("#id_time_zone") == "America/New_York"
    phone_page.fill("#id_time_zone-filter", "")
    assert phone_page.locator("#id_time_zone option[hidden]").count() == 0

    suggestion.click()
    assert phone_page.input_value("#id_time_zone") == "Europe/London"
    with phone_page.expect_navigation():
        phone_page.click("button:has-text('Save')")
    cast.lee.refresh_from_db()
    assert cast.lee.time_zone == "Europe/London"

    # Once the saved zone is the device's, nothing is suggested.
    phone_page.goto(f"{live_server.url}/account/preferences/")
    assert phone_page.locator("[data-time-zone-suggestion]").count() == 0

    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/account/preferences/")
    check_accessibility(page)
    save_screenshot(page, "preferences-time-zone-desktop")
