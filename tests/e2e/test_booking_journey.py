"""Booking in the browser: the leader follows the "book your next session" e-mail on a phone, books,
then moves the session; two people on the same slot get one session and one "just taken"; the coach
sets availability on a desktop."""

from __future__ import annotations

import re
from datetime import time, timedelta

from django.conf import settings
from django.core import mail
from django.utils import timezone

from booking import notifications as booking_sources
from booking.models import Availability, Booking, WeeklyHours
from engagements.models import Session
from notifications import services as outbox
from notifications.models import Notification
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.factories import EngagementFactory, UserFactory


def _check(page) -> None:
    check_accessibility(page)
    assert_no_horizontal_scroll(page)


def _open_all_week(coach) -> Availability:
    availability = Availability.objects.create(coach=coach, session_lengths="60", buffer_minutes=15)
    for weekday in range(7):
        WeeklyHours.objects.create(availability=availability, weekday=weekday, starts=time(8), ends=time(18))
    return availability


def _nudge_link(cast, live_server) -> str:
    """Sends the leader's nudge through the outbox, as the tick would, and returns its booking link."""
    now = timezone.now()
    outbox.notifications_record(specs=booking_sources.BOOKING_NUDGES.find_due(now), now=now)
    for pk in Notification.objects.filter(status="pending", recipient=cast.lee).values_list("pk", flat=True):
        outbox.notification_deliver(notification_id=pk, now=now)
    (message,) = [m for m in mail.outbox if m.to == [cast.lee.email]]
    link = re.search(r"https?://\S+/book/", message.body).group(0)
    return link.replace(settings.SITE_URL, live_server.url)


def test_leader_books_from_the_nudge_email_on_a_phone_then_moves_the_session(cast, phone_page, live_server):
    page = phone_page
    _open_all_week(cast.ada)
    Session.objects.filter(pk=cast.lee_next_session.pk).update(status=Session.Status.CANCELLED)
    Session.objects.filter(pk=cast.lee_past_session.pk).update(starts_at=timezone.now() - timedelta(days=7, hours=1))
    link = _nudge_link(cast, live_server)
    assert link.endswith(f"/engagements/{cast.lee_engagement.pk}/book/")

    login(page, live_server, cast.lee.email, cast.password)
    page.goto(link)
    body = page.locator("body").inner_text()
    assert "Book a session" in body and "America/New_York" in body
    _check(page)
    save_screenshot(page, "booking-slots-phone")

    first = page.locator("button.slot").first
    chosen = first.get_attribute("value")
    with page.expect_navigation():
        first.click()
    assert "Booked:" in page.locator("body").inner_text()
    session = Session.objects.get(engagement=cast.lee_engagement, status=Session.Status.SCHEDULED)
    assert session.starts_at.isoformat() == chosen and session.kind == Session.Kind.REGULAR
    _check(page)
    save_screenshot(page, "booking-booked-engagement-phone")

    page.click(f"a[href='/sessions/{session.pk}/move/']")
    assert "Move a session" in page.locator("h1").inner_text()
    _check(page)
    page.locator(".slot-day summary").nth(1).click()  # the next day, folded until tapped
    later = page.locator(".slot-day").nth(1).locator("button.slot").first
    new_start = later.get_attribute("value")
    with page.expect_navigation():
        later.click()
    assert "Moved to" in page.locator("body").inner_text()
    session.refresh_from_db()
    assert session.starts_at.isoformat() == new_start and session.status == Session.Status.SCHEDULED
    assert Booking.objects.get(session=session).starts_at == session.starts_at
    save_screenshot(page, "booking-moved-phone")


def test_two_people_on_the_same_slot_get_one_session_and_one_just_taken(cast, browser, phone_page, live_server):
    _open_all_week(cast.ada)
    nia = UserFactory(email="nia@example.com", full_name="Nia Njoroge", time_zone="Europe/London")
    other = EngagementFactory(coach=cast.ada, leader=nia, organisation="Harbour Freight")
    login(phone_page, live_server, cast.lee.email, cast.password)
    phone_page.goto(f"{live_server.url}/engagements/{cast.lee_engagement.pk}/book/")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        rival = context.new_page()
        login(rival, live_server, nia.email, cast.password)
        rival.goto(f"{live_server.url}/engagements/{other.pk}/book/")

        # A time of the first day, which is open on a phone (later days fold until tapped).
        slot = phone_page.locator(".slot-day").first.locator("button.slot").last.get_attribute("value")
        with phone_page.expect_navigation():
            phone_page.locator(f"button.slot[value='{slot}']").click()
        with rival.expect_navigation():
            rival.locator(f"button.slot[value='{slot}']").click()

        assert "just taken" in rival.locator(".messages").inner_text()
        assert_no_horizontal_scroll(rival)
        save_screenshot(rival, "booking-just-taken-phone")
        assert Session.objects.filter(engagement__coach=cast.ada, starts_at=slot).count() == 1
        assert not other.sessions.exists()
        assert rival.locator(f"button.slot[value='{slot}']").count() == 0
    finally:
        context.close()


def test_coach_sets_availability_on_a_desktop(cast, page, live_server):
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/availability/")
    _check(page)
    page.select_option("#id_weekday", "1")
    page.fill("#id_starts", "09:00")
    page.fill("#id_ends", "12:30")
    with page.expect_navigation():
        page.click("button:has-text('Add hours')")
    assert "Tuesday 09:00–12:30" in page.locator(".weekly-hours").inner_text()
    page.fill("#id_session_lengths", "45, sixty")
    with page.expect_navigation():
        page.click("button:has-text('Save rules')")
    assert "“sixty” is not a session length" in page.locator("body").inner_text()
    assert page.input_value("#id_session_lengths") == "45, sixty"  # what was typed is kept
    _check(page)
    save_screenshot(page, "booking-availability-desktop")


def test_the_assistant_books_through_their_link_on_a_phone_and_sees_times_only(cast, phone_page, live_server):
    from booking import services

    page = phone_page
    _open_all_week(cast.ada)
    assistant = services.assistant_add(
        engagement=cast.lee_engagement, name="Avery Assistant", email="avery@example.com"
    )
    link = f"{live_server.url}/book/a/{services.assistant_link_token(assistant=assistant)}/"

    page.goto(link)
    body = page.locator("body").inner_text()
    assert "Sessions of Lee Lindqvist with Ada Achebe" in body
    assert cast.secrets["agenda_item"] not in body and "Acme Logistics" not in body
    _check(page)
    save_screenshot(page, "booking-assistant-phone")

    page.click("a:has-text('Book a session')")
    _check(page)
    slot = page.locator("button.slot").first
    chosen = slot.get_attribute("value")
    with page.expect_navigation():
        slot.click()
    assert "Booked:" in page.locator("body").inner_text()
    assert Booking.objects.get(session__starts_at=chosen, assistant=assistant).session.engagement == cast.lee_engagement
