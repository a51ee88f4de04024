"""Input in the browser: a double click stores once, and a refused form keeps its text without JavaScript."""

from __future__ import annotations

import re

from fieldwork.models import PracticeLog
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import check_accessibility, login, save_screenshot
from tests.factories import CommitmentFactory

LOG_POST = re.compile(r"/commitments/\d+/log/")


def test_a_double_click_on_log_it_sends_once_and_the_button_waits_for_the_answer(cast, strict_page, live_server):
    page = strict_page
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0], target_count=4)
    login(page, live_server, cast.lee.email, cast.password)
    page.goto(f"{live_server.url}/commitments/{commitment.pk}/log/")
    page.fill("#id_note", "Breathed before answering the CFO.")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    click_twice = """() => {
        const button = [...document.querySelectorAll("button")].find((b) => b.textContent.includes("Log it"));
        button.click();
        const held = button.disabled;
        button.click();
        return held;
    }"""
    with page.expect_navigation():
        held = page.evaluate(click_twice)

    assert held, "the button stayed enabled while the form was on its way"

    assert "1 of 4 attempts so far" in page.locator("body").inner_text()
    assert PracticeLog.objects.filter(commitment=commitment).count() == 1
    assert len([url for url in posts if LOG_POST.search(url)]) == 1

    # Back to the form: the button works again.
    page.go_back()
    page.wait_for_selector("button:has-text('Log it')")
    assert page.locator("button:has-text('Log it')").is_enabled()
    assert page.csp_violations == []


def test_without_javascript_a_refused_review_shows_its_reason_again(cast, browser, live_server):
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0], text="Breathe first")
    session = cast.lee_next_session
    reason = "The VP cancelled both one-on-ones this fortnight."
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(java_script_enabled=False, viewport=viewport, locale="en-GB")
        page = context.new_page()
        login(page, live_server, cast.ada.email, cast.password)
        page.goto(f"{live_server.url}/sessions/{session.pk}/")
        page.fill(f"#r{commitment.pk}-reason", reason)  # no outcome chosen
        with page.expect_navigation():
            page.click(f"#review-{commitment.pk} button:has-text('Save review')")

        assert page.locator(f"#r{commitment.pk}-reason").input_value() == reason
        assert "Choose done, partly or not done." in page.locator("body").inner_text()
        save_screenshot(page, f"input-review-refused-without-js-{name}")
        context.close()
    commitment.refresh_from_db()
    assert commitment.outcome == "open"


def test_the_refused_review_page_is_accessible(cast, page, live_server):
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0], text="Breathe first")
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/sessions/{cast.lee_next_session.pk}/")
    page.evaluate(f"document.querySelector('#review-{commitment.pk} form').removeAttribute('data-hx-post')")
    page.evaluate("htmx.process(document.body)")
    page.fill(f"#r{commitment.pk}-reason", "x")
    with page.expect_navigation():
        page.evaluate(f"document.querySelector('#review-{commitment.pk} form').submit()")
    assert "Review a commitment" in page.locator("h1").inner_text()
    check_accessibility(page)
