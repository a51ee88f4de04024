"""Reminders in the browser: the coach reads an engagement's outbox, the leader chooses their e-mails,
and a stakeholder unsubscribes from a reminder without an account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationPreference, OptOut
from notifications.services import unsubscribe_token
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.notifications.factories import NotificationFactory

Status = Notification.Status


@pytest.fixture
def outbox(cast) -> list[Notification]:
    e = cast.lee_engagement
    now = timezone.now().replace(second=0, microsecond=0)
    common = {"engagement_id": e.pk}
    return [
        NotificationFactory(
            recipient=cast.lee,
            kind="session_reminder",
            due_at=now - timedelta(days=1),
            status=Status.SENT,
            sent_at=now - timedelta(days=1),
            attempts=1,
            **common,
        ),
        NotificationFactory(
            recipient=cast.ada,
            kind="session_reminder",
            due_at=now - timedelta(days=1),
            status=Status.SENT,
            sent_at=now - timedelta(days=1),
            attempts=3,
            last_error="SMTPDataError: 451 4.3.0 Mailbox busy, try again later",
            **common,
        ),
        NotificationFactory(
            recipient=cast.lee,
            kind="fieldwork_nudge",
            due_at=now - timedelta(hours=5),
            status=Status.DEFERRED,
            **common,
        ),
        NotificationFactory(
            recipient=cast.lee,
            kind="reflection_prompt",
            due_at=now - timedelta(days=3),
            status=Status.SKIPPED,
            skip_reason="This week's reflection is already written.",
            **common,
        ),
        NotificationFactory(
            recipient=None,
            recipient_email="pat.quinn-longname@acme-logistics.example",
            kind="stakeholder_nudge",
            due_at=now - timedelta(hours=2),
            status=Status.FAILED,
            attempts=5,
            last_error="Recipient refused (pat.quinn-longname@acme-logistics.example: 550 5.1.1 No such user)",
            **common,
        ),
    ]


def test_the_coach_opens_the_outbox_from_the_engagement_page(cast, outbox, page, phone_page, live_server):
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/engagements/{cast.lee_engagement.pk}/")
    panel = page.locator(".outbox-panel")
    assert "1 failed" in panel.inner_text()
    with page.expect_navigation():
        panel.locator("text=Open the outbox").click()
    body = page.locator("main").inner_text()
    assert "Reminders and e-mails" in body
    assert "550 5.1.1 No such user" in body
    assert "Waiting (daily limit)" in body
    check_accessibility(page)
    save_screenshot(page, "notifications-outbox-desktop")

    login(phone_page, live_server, cast.ada.email, cast.password)
    phone_page.goto(f"{live_server.url}/engagements/{cast.lee_engagement.pk}/outbox/")
    check_accessibility(phone_page)
    assert_no_horizontal_scroll(phone_page)
    save_screenshot(phone_page, "notifications-outbox-phone")


def test_the_leader_chooses_monday_morning_and_turns_a_nudge_off_on_a_phone(cast, phone_page, live_server):
    login(phone_page, live_server, cast.lee.email, cast.password)
    phone_page.goto(f"{live_server.url}/account/preferences/")
    with phone_page.expect_navigation():
        phone_page.click("text=Choose e-mails")
    check_accessibility(phone_page)
    assert_no_horizontal_scroll(phone_page)
    save_screenshot(phone_page, "notifications-preferences-phone")
    phone_page.select_option("#id_reflection_weekday", "0")
    phone_page.fill("#id_reflection_time", "08:30")
    phone_page.uncheck("#kind-fieldwork_nudge")
    with phone_page.expect_navigation():
        phone_page.click("button:has-text('Save')")
    assert "E-mail preferences saved." in phone_page.locator("body").inner_text()
    assert "Your next prompt: Monday" in phone_page.locator("body").inner_text()
    preference = NotificationPreference.objects.get(user=cast.lee)
    assert (preference.reflection_weekday, preference.reflection_time.strftime("%H:%M")) == (0, "08:30")
    assert OptOut.objects.filter(recipient_key=f"user:{cast.lee.pk}", kind="fieldwork_nudge").exists()


def test_the_leaders_preferences_page_on_a_desktop(cast, page, live_server):
    login(page, live_server, cast.lee.email, cast.password)
    page.goto(f"{live_server.url}/account/notifications/")
    check_accessibility(page)
    save_screenshot(page, "notifications-preferences-desktop")


def test_a_stakeholder_unsubscribes_from_reminders_without_signing_in(outbox, page, strict_page, live_server):
    url = f"{live_server.url}/notifications/unsubscribe/{unsubscribe_token(notification_id=outbox[-1].pk)}/"
    page.goto(url)
    check_accessibility(page)
    save_screenshot(page, "notifications-unsubscribe")
    strict_page.goto(url)  # as a visitor's browser enforces the content security policy
    with strict_page.expect_navigation():
        strict_page.click("button:has-text('Stop reminders about feedback requests')")
    assert "You are unsubscribed" in strict_page.locator("h1").inner_text()
    assert OptOut.objects.filter(recipient_key=outbox[-1].recipient_key, kind="stakeholder_nudge").exists()
    assert strict_page.csp_violations == []
