"""The program manager signs in, opens the program dashboard and reads figures with small counts hidden;
the leader then sees on their engagement page that the program manager looked at their row."""

from __future__ import annotations

from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.factories import CoachFactory, ProgramFactory
from tests.programs.helpers import cohort


def _program(cast):
    program = ProgramFactory(organisation=cast.program.organisation, name="Acme cohort B", managers=[cast.pia])
    engagements = cohort(program, 4, coach=CoachFactory(practice=cast.practice), release=1)
    engagements[0].status = "paused"
    engagements[0].save(update_fields=["status"])
    return program, engagements


def test_the_program_manager_reads_the_dashboard_at_desktop_width(cast, page, live_server):
    program, engagements = _program(cast)
    login(page, live_server, cast.pia.email, cast.password)

    assert page.url.endswith("/programs/")
    with page.expect_navigation():
        page.get_by_role("link", name="Acme cohort B").click()
    body = page.locator("main").inner_text()
    assert "Leaders enrolled" in body and "Delegation" in body
    assert "Some figures are hidden because they would be about fewer than 3 leaders." in body
    assert "fewer than 3" in page.locator("#status-table").inner_text()
    assert str(engagements[0].leader) in page.locator("#rows-table").inner_text()
    assert str(engagements[1].leader) not in body
    check_accessibility(page)
    assert_no_horizontal_scroll(page)
    save_screenshot(page, "program-dashboard-desktop")


def test_the_dashboard_fits_a_phone_and_the_leader_sees_who_looked(cast, phone_page, live_server):
    program, engagements = _program(cast)
    login(phone_page, live_server, cast.pia.email, cast.password)
    phone_page.goto(f"{live_server.url}/programs/{program.pk}/")
    assert "Stakeholder feedback, change per round" in phone_page.locator("main").inner_text()
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "program-dashboard-phone")

    phone_page.context.clear_cookies()
    leader = engagements[0].leader
    login(phone_page, live_server, leader.email, cast.password)
    phone_page.goto(f"{live_server.url}/engagements/{engagements[0].pk}/")
    ledger = phone_page.locator("section", has=phone_page.locator("#ledger-h")).inner_text()
    assert "Pia Pereira" in ledger and "Viewed the program row" in ledger
    assert_no_horizontal_scroll(phone_page)
    check_accessibility(phone_page)
    save_screenshot(phone_page, "leader-ledger-phone")
