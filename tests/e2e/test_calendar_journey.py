"""The coach moves and then cancels a three-way meeting in the browser; the leader's and the sponsor's
mail (invitation, update, cancellation) and their subscribed calendar feeds follow every change."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from engagements import services
from engagements.models import Session
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.engagements.calendar_helpers import calendar_part, parse_both


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def _mails_to(outbox, email: str) -> list:
    return [m for m in outbox if m.to == [email]]


def _feed_event(page, live_server, feed_url: str, uid: str):
    """The session's event in a feed, read the way a calendar application subscribes to it (the link
    names SITE_URL; the test server listens elsewhere, so its path is requested there)."""
    response = page.request.get(live_server.url + "/" + feed_url.split("://", 1)[1].split("/", 1)[1])
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = parse_both(response.body())
    return next(e for e in parsed.vevents if e.uid.value == uid)


def _subscribe(phone_page, live_server, person, password: str) -> str:
    """Signs in on a phone, makes a calendar link from the preferences page and returns it."""
    login(phone_page, live_server, person.email, password)
    phone_page.goto(f"{live_server.url}/account/preferences/")
    with phone_page.expect_navigation():
        phone_page.click("button:has-text('Make a new calendar link')")
    assert "Your new calendar link is ready." in phone_page.locator("body").inner_text()
    check_accessibility(phone_page)
    assert_no_horizontal_scroll(phone_page)
    return phone_page.input_value("#feed-url")


def test_coach_moves_and_cancels_a_three_way_meeting_and_mail_and_feeds_follow(
    cast, page, phone_page, live_server, locmem_mail
):
    first = (
        (timezone.now() + timedelta(days=10))
        .astimezone(cast.ada.tz)
        .replace(hour=10, minute=0, second=0, microsecond=0)
    )
    session = services.session_schedule(
        engagement=cast.lee_engagement, starts_at=first, kind=Session.Kind.THREE_WAY, video_url=""
    )
    uid = f"session-{session.pk}@127.0.0.1"  # the host of SITE_URL
    for person in (cast.lee, cast.sam):
        (booked,) = _mails_to(locmem_mail, person.email)
        assert booked.subject.startswith("Session booked: ")

    # The leader and the sponsor subscribe on their phones.
    lee_feed = _subscribe(phone_page, live_server, cast.lee, cast.password)
    save_screenshot(phone_page, "calendar-page-leader-phone")
    phone_page.context.clear_cookies()
    sam_feed = _subscribe(phone_page, live_server, cast.sam, cast.password)
    assert "three-way meetings you are invited to" in phone_page.locator("body").inner_text()
    save_screenshot(phone_page, "calendar-page-sponsor-phone")
    for feed in (lee_feed, sam_feed):
        event = _feed_event(page, live_server, feed, uid)
        assert event.dtstart.value == first and event.status.value == "CONFIRMED"

    # The coach moves the meeting by two days.
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    check_accessibility(page)
    assert "You can record what happened once the session has started." in page.locator("body").inner_text()
    save_screenshot(page, "session-page-coach-desktop")
    page.click("text=Move")
    check_accessibility(page)
    second = first + timedelta(days=2)
    page.fill("#id_starts_at", second.astimezone(cast.ada.tz).strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation():
        page.click("button:has-text('Save')")
    assert "Session moved." in page.locator("body").inner_text()
    for person in (cast.lee, cast.sam, cast.sol):
        moved = _mails_to(locmem_mail, person.email)[-1]
        assert moved.subject.startswith("Session moved from ")
        assert " moved from " in moved.body
        parsed = parse_both(calendar_part(moved).get_payload(decode=True))
        assert parsed.vcal.method.value == "REQUEST"
        assert int(parsed.vevents[0].sequence.value) == 1
    for feed in (lee_feed, sam_feed):
        event = _feed_event(page, live_server, feed, uid)
        assert event.dtstart.value == second and int(event.sequence.value) == 1

    # ... and then cancels it (the browser asks for confirmation first).
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("button:has-text('Cancel session')")
    assert "Session cancelled." in page.locator("body").inner_text()
    check_accessibility(page)
    save_screenshot(page, "engagement-page-after-cancel-desktop")
    for person in (cast.lee, cast.sam, cast.sol):
        cancelled = _mails_to(locmem_mail, person.email)[-1]
        assert cancelled.subject.startswith("Session cancelled: ")
        parsed = parse_both(calendar_part(cancelled).get_payload(decode=True))
        assert parsed.vcal.method.value == "CANCEL"
        assert parsed.vevents[0].status.value == "CANCELLED"
    for feed in (lee_feed, sam_feed):
        event = _feed_event(page, live_server, feed, uid)
        assert event.status.value == "CANCELLED" and int(event.sequence.value) == 2
    assert _mails_to(locmem_mail, cast.vic.email) == []

    # The sponsor's phone shows the calendar page with the link they subscribed to, still working.
    phone_page.goto(f"{live_server.url}/account/calendar/")
    assert phone_page.input_value("#feed-url") == sam_feed
    assert_no_horizontal_scroll(phone_page)
