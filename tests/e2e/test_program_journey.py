"""The program manager signs in, opens the program dashboard and reads figures with small counts hidden,
takes the program report as a CSV file; the leader then sees on their engagement page that the program
manager looked at their row and exported it.

Every step waits for a condition the person would see (a heading, a link, a row), never for a fixed
time, and with room for a slow machine: the report is built by a worker and its page updates itself.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from programs.models import LedgerEntry
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.factories import CoachFactory, ProgramFactory
from tests.programs.helpers import cohort

# Generous limits for a loaded machine; a step that succeeds returns as soon as its condition holds.
STEP_TIMEOUT = 30_000


@pytest.fixture(autouse=True)
def _patient_assertions():
    """`expect(...)` retries up to STEP_TIMEOUT in this module (Playwright's default is 5 seconds)."""
    expect.set_options(timeout=STEP_TIMEOUT)
    yield
    expect.set_options(timeout=5_000)


def _patient(page):
    page.set_default_timeout(STEP_TIMEOUT)
    page.set_default_navigation_timeout(STEP_TIMEOUT)
    return page


def _program(cast):
    program = ProgramFactory(organisation=cast.program.organisation, name="Acme cohort B", managers=[cast.pia])
    engagements = cohort(program, 4, coach=CoachFactory(practice=cast.practice), release=1)
    engagements[0].status = "paused"
    engagements[0].save(update_fields=["status"])
    return program, engagements


def test_the_program_manager_reads_the_dashboard_and_exports_the_report_at_desktop_width(
    cast, page, live_server, tmp_path
):
    page = _patient(page)
    program, engagements = _program(cast)
    login(page, live_server, cast.pia.email, cast.password)

    expect(page).to_have_url(re.compile(r"/programs/$"))
    with page.expect_navigation():
        page.get_by_role("link", name="Acme cohort B").click()
    expect(page.get_by_role("heading", level=1, name="Acme cohort B")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("Leaders enrolled")
    expect(main).to_contain_text("Delegation")
    expect(page.locator("#suppressed-note")).to_have_text(
        "Some figures are hidden because they would be about fewer than 3 leaders."
    )
    expect(page.locator("#status-table")).to_contain_text("fewer than 3")
    expect(page.locator("#rows-table")).to_contain_text(str(engagements[0].leader))
    expect(main).not_to_contain_text(str(engagements[1].leader))
    check_accessibility(page)
    assert_no_horizontal_scroll(page)
    save_screenshot(page, "program-dashboard-desktop")

    # The report as CSV: the worker builds it, its page offers the file once ready.
    with page.expect_navigation():
        page.get_by_role("button", name="Export as CSV").click()
    expect(page).to_have_url(re.compile(r"/exports/\d+/$"))
    expect(page.get_by_role("heading", level=1, name="Program report")).to_be_visible()
    download_link = page.get_by_role("link", name=re.compile(r"^Download program-report-acme-cohort-b-"))
    expect(download_link).to_be_visible()
    check_accessibility(page)
    assert_no_horizontal_scroll(page)
    save_screenshot(page, "program-report-ready-desktop")

    with page.expect_download() as download_info:
        download_link.click()
    path = tmp_path / "report.csv"
    download_info.value.save_as(path)
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Program report", "Acme cohort B"]
    assert ["Engagements by status", "Paused", "suppressed", "suppressed: about fewer than 3 leaders"] in rows
    names = [row[0] for row in rows if row]
    assert str(engagements[0].leader) in names and str(engagements[1].leader) not in names
    exported = LedgerEntry.objects.filter(what=LedgerEntry.What.PROGRAM_EXPORT_CSV, program=program)
    assert list(exported.values_list("engagement_id", flat=True)) == [engagements[0].pk]


def test_the_dashboard_fits_a_phone_and_the_leader_sees_who_looked(cast, phone_page, live_server):
    phone_page = _patient(phone_page)
    program, engagements = _program(cast)
    login(phone_page, live_server, cast.pia.email, cast.password)
    phone_page.goto(f"{live_server.url}/programs/{program.pk}/")
    expect(phone_page.get_by_role("heading", name="Stakeholder feedback, change per round")).to_be_visible()
    expect(phone_page.get_by_role("button", name="Export as PDF")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "program-dashboard-phone")

    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="Export as PDF").click()
    expect(phone_page.get_by_role("link", name=re.compile(r"^Download program-report-acme-cohort-b-"))).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "program-report-ready-phone")

    phone_page.context.clear_cookies()
    leader = engagements[0].leader
    login(phone_page, live_server, leader.email, cast.password)
    phone_page.goto(f"{live_server.url}/engagements/{engagements[0].pk}/")
    ledger = phone_page.locator("section", has=phone_page.locator("#ledger-h"))
    expect(ledger).to_contain_text("Pia Pereira")
    expect(ledger).to_contain_text("Viewed the program row")
    expect(ledger).to_contain_text("Exported the program report as PDF")
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "leader-ledger-phone")
