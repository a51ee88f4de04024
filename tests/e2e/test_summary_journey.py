"""The sponsor reads the three-way progress summary and downloads it as a PDF; the leader previews it first."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from engagements.models import AgendaItem, Session
from tests.coaching.helpers import at, held
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot

RELEASED = "Lee now pauses before answering in the operations review; Sam has noticed the change."
AGREED = "Sam gives Lee feedback after each operations review."
UNRELEASED = "Lee wants Sam to hear about the reorganisation plan first."


@pytest.fixture
def summary_story(cast):
    e = cast.lee_engagement
    held(e, 35, shared_summary=RELEASED, summary_shared_with_sponsor=True, summary_released_at=at(-34))
    meeting = held(
        e,
        21,
        kind=Session.Kind.THREE_WAY,
        mode=Session.Mode.IN_PERSON,
        location="Acme HQ, room 4",
        shared_summary=AGREED,
        summary_shared_with_sponsor=True,
        summary_released_at=at(-20),
    )
    AgendaItem.objects.create(
        session=meeting, author=cast.lee, text="What progress does Sam look for?", visible_to_sponsor=True
    )
    held(e, 14, shared_summary=UNRELEASED, summary_shared_with_sponsor=True)
    Session.objects.create(engagement=e, starts_at=at(-10), status=Session.Status.NO_SHOW)
    Session.objects.create(engagement=e, starts_at=at(20, 15), kind=Session.Kind.THREE_WAY)
    return e


def test_the_sponsor_opens_the_summary_and_downloads_the_pdf(cast, summary_story, page, live_server, tmp_path):
    login(page, live_server, cast.sam.email, cast.password)
    assert "Engagements you sponsor" in page.locator("h1").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Open progress summary for Lee Lindqvist").click()

    body = page.locator("body").inner_text()
    assert "Three-way progress summary" in body.title() or "THREE-WAY PROGRESS SUMMARY" in body.upper()
    assert RELEASED in body and AGREED in body
    assert UNRELEASED not in body
    assert cast.secrets["private_notes"] not in body and cast.secrets["agenda_item"] not in body
    check_accessibility(page)
    save_screenshot(page, "summary-sponsor-desktop")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("progress-summary-lee-lindqvist")
    pdf = tmp_path / "summary.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is missing: install poppler-utils to read the PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    for heading in (
        "THREE-WAY PROGRESS SUMMARY",
        "Sessions",
        "Goals and stakeholder feedback",
        "Three-way meetings",
        "Coach's summaries",
        "Attendance",
    ):
        assert heading in text
    assert AGREED in text and UNRELEASED not in text


def test_the_summary_fits_a_phone(cast, summary_story, phone_page, live_server):
    login(phone_page, live_server, cast.sam.email, cast.password)
    phone_page.goto(f"{live_server.url}/engagements/{summary_story.pk}/summary/")
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "summary-sponsor-phone")
    phone_page.goto(f"{live_server.url}/")
    assert_no_horizontal_scroll(phone_page)
    save_screenshot(phone_page, "sponsor-home-phone")


def test_the_leader_previews_the_sponsor_view_before_the_coach_releases(cast, summary_story, page, live_server):
    login(page, live_server, cast.lee.email, cast.password)
    page.goto(f"{live_server.url}/engagements/{summary_story.pk}/summary/")
    body = page.locator("body").inner_text()
    assert "Sponsor view." in body
    assert UNRELEASED in body and "NOT YET RELEASED" in body.upper()
    check_accessibility(page)
    save_screenshot(page, "summary-leader-sponsor-view-desktop")


def test_the_coach_releases_a_summary_and_the_sponsor_reads_it(cast, summary_story, page, live_server):
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/engagements/{summary_story.pk}/summary/")
    with page.expect_navigation():
        page.get_by_role("button", name="Release to the sponsor").click()
    assert "released: the sponsor can now read it" in page.locator("body").inner_text()
    assert Session.objects.get(shared_summary=UNRELEASED).summary_released_at is not None


def test_the_summary_breaks_no_content_security_policy(cast, summary_story, strict_page, live_server):
    login(strict_page, live_server, cast.sam.email, cast.password)
    strict_page.goto(f"{live_server.url}/engagements/{summary_story.pk}/summary/")
    strict_page.wait_for_load_state("networkidle")
    assert strict_page.csp_violations == [], "\n".join(strict_page.csp_violations)
