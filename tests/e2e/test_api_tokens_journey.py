"""Personal access tokens in the browser: the leader makes one on a phone, copies it once, uses it, and
revokes it; the API documentation page loads from this site alone under the content security policy."""

from __future__ import annotations

from api.models import ApiToken
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot


def test_the_leader_makes_uses_and_revokes_a_token_on_a_phone(phone_page, live_server, cast):
    page = phone_page
    login(page, live_server, "lee@example.com", cast.password)
    page.goto(f"{live_server.url}/account/preferences/")
    page.get_by_role("link", name="Make a token").click()
    check_accessibility(page)
    assert_no_horizontal_scroll(page)

    page.get_by_label("What will use it").fill("")
    page.get_by_role("button", name="Make the token").click()
    assert page.get_by_text("Name the token after what will use it").first.is_visible()

    page.get_by_label("What will use it").fill("Habit tracker")
    page.get_by_label("Read and write").check()
    page.get_by_label("Works for").select_option("30")
    page.get_by_role("button", name="Make the token").click()
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("cpat_")
    check_accessibility(page)
    assert_no_horizontal_scroll(page)
    save_screenshot(page, "api-token-created-phone")

    answer = page.request.get(f"{live_server.url}/api/v1/engagements/", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["results"][0]["your_role"] == "leader"

    page.goto(f"{live_server.url}/account/preferences/")
    section = page.locator("section[aria-labelledby=tokens-h]")
    assert "Habit tracker" in section.inner_text() and secret not in page.content()
    check_accessibility(page)
    assert_no_horizontal_scroll(page)
    save_screenshot(page, "api-tokens-preferences-phone")
    section.get_by_role("button", name="Revoke token Habit tracker").click()
    assert "no longer opens the API" in page.locator(".alert").first.inner_text()
    assert ApiToken.objects.get().revoked_at is not None
    refused = page.request.get(f"{live_server.url}/api/v1/engagements/", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401


def test_the_api_documentation_loads_from_this_site_only(strict_page, live_server):
    page = strict_page
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)

    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("Coaching engagements API").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/engagements/").first.wait_for()

    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.title() == "Coaching API documentation"
    assert not outside, outside
    assert not page.csp_violations, page.csp_violations
    save_screenshot(page, "api-docs-desktop")
