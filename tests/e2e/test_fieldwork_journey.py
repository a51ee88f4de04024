"""Fieldwork in the browser: the leader logs practice and reflects on a phone; the coach reviews at the next session."""

from __future__ import annotations

from engagements.models import AgendaItem
from fieldwork.models import Commitment, PracticeLog, WeeklyReflection
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.factories import CommitmentFactory, FieldworkTemplateFactory, PracticeLogFactory


def _check(page) -> None:
    check_accessibility(page)
    assert_no_horizontal_scroll(page)


def test_leader_logs_practice_quick_and_full_and_writes_a_reflection_on_a_phone(cast, phone_page, live_server):
    page = phone_page
    commitment = CommitmentFactory(
        session=cast.lee_past_session,
        goal=cast.lee_goals[0],
        text="Take one breath before answering the CFO",
        where_with_whom="Quarterly planning round",
        target_count=4,
    )

    login(page, live_server, cast.lee.email, cast.password)
    assert "My fieldwork" in page.locator("body").inner_text()
    _check(page)
    save_screenshot(page, "fieldwork-leader-home-phone")

    # Quick mode: one line, straight after it happened.
    page.click(f"a[href='/commitments/{commitment.pk}/log/']")
    _check(page)
    page.fill("#id_note", "Breathed before answering about the budget; calmer voice.")
    with page.expect_navigation():
        page.click("button:has-text('Log it')")
    assert "1 of 4 attempts so far" in page.locator("body").inner_text()

    # Full mode: the seven questions.
    page.click(f"a[href='/commitments/{commitment.pk}/log/']")
    page.click("a:has-text('Full form')")
    page.wait_for_selector("#id_what_tried")
    _check(page)
    page.fill("#id_what_tried", "Paused when the CFO challenged the forecast.")
    page.fill("#id_went_well", "Answered with numbers, not excuses.")
    page.fill("#id_went_badly", "Rushed the last sentence.")
    page.fill("#id_noticed_in_myself", "Tight shoulders, then they relaxed.")
    page.fill("#id_others_reacted", "The CFO nodded and moved on.")
    page.fill("#id_will_adjust", "Slow down at the end too.")
    save_screenshot(page, "fieldwork-log-full-phone")
    with page.expect_navigation():
        page.click("button:has-text('Log it')")
    assert "2 of 4 attempts so far" in page.locator("body").inner_text()
    logs = list(PracticeLog.objects.filter(commitment=commitment).order_by("pk"))
    assert [log.is_full for log in logs] == [False, True]

    # The weekly reflection, with a rating per goal and a topic for the next session.
    page.click("a:has-text('Write this week’s reflection')")
    _check(page)
    page.fill("#id_wins", "Two calm answers in the planning round.")
    page.fill("#id_struggles", "Still approving every purchase order myself.")
    page.click(f"label[for='id_goal_{cast.lee_goals[0].pk}_7']")
    page.click(f"label[for='id_goal_{cast.lee_goals[1].pk}_4']")
    page.fill("#id_topics", "How to hand purchase approvals to the team leads")
    save_screenshot(page, "fieldwork-reflection-phone")
    with page.expect_navigation():
        page.click("button:has-text('Save reflection')")
    body = page.locator("body").inner_text()
    assert "Reflection saved." in body and "added to the agenda" in body
    assert page.locator(".ratings-chart > svg polyline").count() == 0  # one week: points, no line yet
    assert page.locator(".ratings-chart > svg circle").count() == 1
    _check(page)
    save_screenshot(page, "fieldwork-reflection-history-phone")

    reflection = WeeklyReflection.objects.get()
    assert dict(reflection.ratings.values_list("goal_id", "score")) == {
        cast.lee_goals[0].pk: 7,
        cast.lee_goals[1].pk: 4,
    }
    assert AgendaItem.objects.filter(
        session=cast.lee_next_session, source=AgendaItem.Source.REFLECTION, text__startswith="How to hand"
    ).exists()


def test_coach_reviews_last_sessions_commitments_and_agrees_new_ones_at_the_next_session(cast, page, live_server):
    done = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0], text="Breathe before answering")
    PracticeLogFactory(commitment=done, note="Did it in the Monday review")
    PracticeLogFactory(commitment=done, note="And again with the CFO")
    forgotten = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[1], text="Hand over one decision")
    FieldworkTemplateFactory(coach=cast.ada, title="Thank someone for something specific", goal_theme="delegat")
    session = cast.lee_next_session

    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    body = page.locator("body").inner_text()
    assert "from last session’s fieldwork" in body.lower() and "2 of 3 attempts logged" in body
    page.click(f"#review-{done.pk} summary")
    assert page.locator(f"#review-{done.pk}").get_by_text("And again with the CFO").is_visible()
    _check(page)

    page.click(f"label[for='r{done.pk}-done']")
    page.fill(f"#r{done.pk}-reason", "Twice, and the CFO noticed.")
    page.click(f"#review-{done.pk} button:has-text('Save review')")
    page.wait_for_selector(f"#review-{done.pk} >> text=Reviewed: done.")
    page.click(f"label[for='r{forgotten.pk}-not_done']")
    page.click(f"#review-{forgotten.pk} button:has-text('Save review')")
    page.wait_for_selector(f"#review-{forgotten.pk} >> text=Counted as forgotten")

    # Co-design at the end of the session: a row from the library, added without leaving the page.
    page.select_option(f"#template-pick-{session.pk}", label="Thank someone for something specific")
    page.click(f"#codesign-{session.pk} button:has-text('Use')")
    page.wait_for_selector(f"#id_new{session.pk}-text[value='Thank someone for something specific']")
    page.fill(f"#id_new{session.pk}-target_count", "2")
    page.click(f"#codesign-{session.pk} button:has-text('Add commitment')")
    page.wait_for_selector(f"#codesign-{session.pk} >> text=Commitment added")
    _check(page)
    save_screenshot(page, "fieldwork-session-review-desktop")

    done.refresh_from_db()
    forgotten.refresh_from_db()
    assert (done.outcome, done.review_reason, done.forgotten) == ("done", "Twice, and the CFO noticed.", False)
    assert (forgotten.outcome, forgotten.forgotten) == ("not_done", True)
    new = Commitment.objects.get(session=session)
    assert (new.text, new.target_count, new.goal) == ("Thank someone for something specific", 2, cast.lee_goals[1])


def test_fieldwork_pages_break_no_content_security_policy(cast, strict_page, live_server):
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0])
    login(strict_page, live_server, cast.lee.email, cast.password)
    for path in (
        "/",
        f"/commitments/{commitment.pk}/log/",
        "/reflection/",
        f"/engagements/{cast.lee_engagement.pk}/reflections/",
        f"/sessions/{cast.lee_next_session.pk}/",
    ):
        strict_page.goto(live_server.url + path)
        strict_page.wait_for_load_state("networkidle")
    assert strict_page.csp_violations == [], "\n".join(strict_page.csp_violations)
