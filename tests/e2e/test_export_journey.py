"""The leader takes their record with them once the engagement is over: from the engagement page to the PDF."""

from __future__ import annotations

import shutil
import subprocess

from engagements.models import Engagement
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot


def test_the_leader_downloads_their_record_as_a_pdf(cast, page, live_server, tmp_path):
    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(status=Engagement.Status.COMPLETED)
    login(page, live_server, cast.lee.email, cast.password)
    page.goto(f"{live_server.url}/engagements/{cast.lee_engagement.pk}/")
    assert "Take your record with you" in page.locator("body").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Export my record").click()
    check_accessibility(page)
    save_screenshot(page, "exports-list-desktop")

    with page.expect_navigation():
        page.get_by_role("button", name="Prepare My coaching record as a PDF report").click()
    download_link = page.get_by_role("link", name="Download coaching-record-lee-lindqvist")
    download_link.wait_for()
    check_accessibility(page)
    save_screenshot(page, "exports-ready-desktop")

    with page.expect_download() as download_info:
        download_link.click()
    pdf = tmp_path / "record.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run([shutil.which("pdftotext"), str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert cast.secrets["shared_summary"].split(",")[0] in " ".join(text.split())
    assert "Private:" not in text  # the coach's private notes


def test_the_exports_pages_fit_a_phone(cast, phone_page, live_server):
    login(phone_page, live_server, cast.ada.email, cast.password)
    phone_page.goto(f"{live_server.url}/exports/")
    assert_no_horizontal_scroll(phone_page)
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Prepare My practice as JSON and CSV files in a ZIP").click()
    phone_page.get_by_role("link", name="Download coaching-practice-ada-achebe").wait_for()
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "exports-ready-phone")
