"""The coach signs in and sees, under "needs attention", the leader who missed a session."""

from __future__ import annotations

from engagements.models import Session
from tests.coaching.helpers import at
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot


def test_a_seeded_no_show_appears_under_needs_attention(cast, page, live_server):
    Session.objects.create(engagement=cast.lee_engagement, starts_at=at(-3), status=Session.Status.NO_SHOW)
    login(page, live_server, cast.ada.email, cast.password)

    attention = page.locator("section", has=page.locator("#attention-h"))
    assert "Lee Lindqvist" in attention.inner_text()
    assert "No-show: follow up with the leader" in attention.inner_text()
    check_accessibility(page)
    save_screenshot(page, "coach-home-desktop")

    with page.expect_navigation():
        attention.get_by_role("link", name="Lee Lindqvist").click()
    assert f"/engagements/{cast.lee_engagement.pk}/" in page.url


def test_the_coach_home_fits_a_phone_and_filters_by_status(cast, phone_page, live_server):
    Session.objects.create(engagement=cast.lee_engagement, starts_at=at(-3), status=Session.Status.NO_SHOW)
    login(phone_page, live_server, cast.ada.email, cast.password)
    assert "No-show" in phone_page.locator("body").inner_text()
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "coach-home-phone")

    phone_page.get_by_role("link", name="Completed").click()
    phone_page.wait_for_url("**/coach/?status=completed")
    assert "No engagements with this status." in phone_page.locator("body").inner_text()
    assert_no_horizontal_scroll(phone_page)


def test_the_leader_home_offers_the_check_in_after_the_third_session(cast, phone_page, live_server):
    for days in (30, 20):
        Session.objects.create(engagement=cast.lee_engagement, starts_at=at(-days), status=Session.Status.HELD)
    login(phone_page, live_server, cast.lee.email, cast.password)
    assert "Partnership check-in" in phone_page.locator("body").inner_text()
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "leader-home-phone")
    phone_page.get_by_label("4 · Working well").check()
    phone_page.get_by_label("Anything your coach should know?").fill("More challenge, please.")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Send to my coach").click()
    assert "Thank you" in phone_page.locator("body").inner_text()
    assert cast.lee_engagement.partnership_checkins.get().score == 4
