"""Retention in the browser: the practice admin sets the period, and a leader whose engagement has
ended takes the export offer, then erases their data now; the pages stay accessible on a phone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from engagements.models import Engagement, Session
from retention.models import RetentionPolicy
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot


def _ended(cast) -> Engagement:
    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(
        status=Engagement.Status.COMPLETED, ended_at=timezone.now() - timedelta(days=3)
    )
    Session.objects.filter(pk=cast.lee_past_session.pk).update(private_notes="Quetzal-notes about the VP")
    return cast.lee_engagement


def test_the_practice_admin_sets_the_retention_period(cast, page, live_server):
    _ended(cast)
    login(page, live_server, cast.pam.email, cast.password)
    page.goto(f"{live_server.url}/practice/")
    with page.expect_navigation():
        page.get_by_role("link", name="Retention settings").click()
    check_accessibility(page)
    field = page.get_by_label("Keep a leader's data for this many months after the engagement ends")
    field.fill("0")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "Enter a number of months from 1 to 120." in page.locator("body").inner_text()
    assert field.input_value() == "0"  # what was typed stays
    field.fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert RetentionPolicy.objects.get(practice=cast.practice).months == 12
    assert "Lee Lindqvist" in page.get_by_role("region", name="Table of upcoming erasures").inner_text()
    check_accessibility(page)
    save_screenshot(page, "retention-practice-desktop")


def test_the_leader_exports_then_erases_now_on_a_phone(cast, phone_page, live_server):
    engagement = _ended(cast)
    page = phone_page
    login(page, live_server, cast.lee.email, cast.password)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    assert "Erasure planned on" in page.locator("body").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Erase now").click()
    assert page.get_by_role("link", name="Export my record").is_visible()
    assert_no_horizontal_scroll(page)
    check_accessibility(page)
    save_screenshot(page, "retention-erase-phone")

    with page.expect_navigation():
        page.get_by_role("button", name="Erase now").click()  # not confirmed: the page says so
    assert "Tick the box to confirm the erasure." in page.locator("body").inner_text()
    page.get_by_label("I have the record I want to keep, and I understand that erasure cannot be undone.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Erase now").click()
    body = page.locator("body").inner_text()
    assert "Erased on" in body and "at the leader's request" in body
    check_accessibility(page)
    assert not Session.objects.filter(private_notes="Quetzal-notes about the VP").exists()
