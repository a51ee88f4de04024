"""The coach sets up an engagement in the browser; the invited leader joins from the e-mail on a phone."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from engagements.models import AgendaItem, Engagement, Session
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def test_coach_creates_an_engagement_and_the_leader_joins_from_the_invitation(
    cast, page, phone_page, live_server, locmem_mail
):
    login(page, live_server, cast.ada.email, cast.password)
    page.click("text=New engagement")
    check_accessibility(page)
    page.fill("#id_leader_name", "Nia Nakamura")
    page.fill("#id_leader_email", "nia@example.com")
    page.fill("#id_organisation", "Globex")
    page.fill("#id_start_date", "2026-12-01")
    page.fill("#id_planned_end_date", "2027-05-01")
    page.fill("#id_planned_sessions", "8")
    with page.expect_navigation():
        page.click("button:has-text('Create engagement')")
    engagement = Engagement.objects.get(organisation="Globex")
    body = page.locator("body").inner_text()
    assert "Invitation on its way to nia@example.com" in body
    assert "Invitation sent, not accepted yet" in body

    page.click("text=Add goal")
    page.fill("#id_title", "Lead the merger integration calmly")
    page.fill("#id_why_it_matters", "The merger succeeds only if both teams trust the plan.")
    with page.expect_navigation():
        page.click("button:has-text('Save goal')")
    page.click("text=Schedule session")
    start = (timezone.now() + timedelta(days=5)).astimezone(cast.ada.tz).replace(hour=10, minute=0)
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_kind", "kickoff")
    with page.expect_navigation():
        page.click("button:has-text('Schedule')")
    session = Session.objects.get(engagement=engagement)
    assert session.kind == "kickoff"
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    check_accessibility(page)
    save_screenshot(page, "engagement-page-desktop")

    # The leader follows the link in the e-mail on a phone.
    link = next(line.strip() for line in locmem_mail[0].body.splitlines() if "/account/invitation/" in line)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    phone_page.goto(live_server.url + path)
    check_accessibility(phone_page)
    assert_no_horizontal_scroll(phone_page)
    phone_page.fill("#id_password1", "merger-calm-plan-2027")
    phone_page.fill("#id_password2", "merger-calm-plan-2027")
    with phone_page.expect_navigation():
        phone_page.click("button:has-text('Set password and continue')")
    body = phone_page.locator("body").inner_text()
    assert "Hello, Nia" in body and "Lead the merger integration calmly" in body

    # ... and brings a topic to the kick-off, without leaving the page (htmx).
    phone_page.fill(f"#agenda-text-{session.pk}", "What does the board expect by March?")
    phone_page.click(f"#agenda-{session.pk} button:has-text('Add')")
    phone_page.wait_for_selector("text=What does the board expect by March?")
    assert AgendaItem.objects.filter(session=session, author__email="nia@example.com").count() == 1
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "leader-home-phone")


def test_coach_records_a_no_show_inline(cast, page, live_server):
    session = Session.objects.create(
        engagement=cast.lee_engagement, starts_at=timezone.now() - timedelta(hours=3), duration_minutes=60
    )
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    check_accessibility(page)
    page.click("button:has-text('No-show')")
    page.wait_for_selector(f"#outcome-{session.pk} .badge-no_show")
    session.refresh_from_db()
    assert session.status == Session.Status.NO_SHOW
    save_screenshot(page, "session-no-show-desktop")


def test_an_existing_leader_signs_in_from_the_invitation_and_accepts_before_seeing_the_engagement(
    cast, page, phone_page, live_server, locmem_mail
):
    from engagements import services

    with_liv = services.engagement_create(
        coach=cast.ada,
        leader_email=cast.liv.email,
        leader_name="Liv Larsen",
        organisation="Globex",
        start_date=timezone.localdate(),
        planned_end_date=timezone.localdate() + timedelta(days=120),
        planned_sessions=6,
        cadence_days=14,
    ).engagement
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/engagements/{with_liv.pk}/")
    assert "Invitation sent, not accepted yet" in page.locator("body").inner_text()
    save_screenshot(page, "engagement-invitation-state-desktop")

    link = next(line.strip() for line in locmem_mail[-1].body.splitlines() if "/account/invitation/" in line)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    phone_page.goto(live_server.url + path)
    assert "Sign in to accept" in phone_page.locator("h1").inner_text()
    check_accessibility(phone_page)
    assert_no_horizontal_scroll(phone_page)
    save_screenshot(phone_page, "invitation-sign-in-phone")
    with phone_page.expect_navigation():
        phone_page.click("a:has-text('Sign in')")
    phone_page.fill("input[name=login]", cast.liv.email)
    phone_page.fill("input[name=password]", cast.password)
    with phone_page.expect_navigation():
        phone_page.click("form:has(input[name=login]) button[type=submit]")
    assert phone_page.url.endswith(path)
    with phone_page.expect_navigation():
        phone_page.click("button:has-text('Accept and continue')")
    assert "Globex" in phone_page.locator("body").inner_text()
    with_liv.refresh_from_db()
    assert not with_liv.awaiting_leader

    # Once accepted, the link is spent.
    page.goto(live_server.url + path)
    assert "This invitation was already used" in page.locator("h1").inner_text()
