"""A coach signs in through the real login form, on a phone-sized screen and on a desktop."""

from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot


def test_login_page_is_accessible_and_fits_a_phone(cast, phone_page, live_server):
    phone_page.goto(f"{live_server.url}/accounts/login/")

    check_accessibility(phone_page)
    assert_no_horizontal_scroll(phone_page)
    save_screenshot(phone_page, "login-phone")


def test_login_page_breaks_no_content_security_policy(cast, strict_page, live_server):
    strict_page.goto(f"{live_server.url}/accounts/login/")
    strict_page.wait_for_load_state("networkidle")

    assert strict_page.csp_violations == [], "\n".join(strict_page.csp_violations)


def test_coach_signs_in_and_lands_on_engagements(cast, page, live_server):
    login(page, live_server, cast.ada.email, cast.password)

    assert "/accounts/login/" not in page.url
    assert "Engagements" in page.locator("body").inner_text()
    check_accessibility(page)
    save_screenshot(page, "coach-home-after-login")
