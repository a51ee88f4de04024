"""Stakeholder feedback in the browser: the coach opens a round, a stakeholder answers from the e-mail
on a phone (once only), and the coach sees the results once enough answers are in."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from stakeholders import services
from stakeholders.models import FeedbackRequest, FeedbackResponse, FeedbackRound
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.factories import StakeholderFactory


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def roster(cast):
    engagement = cast.lee_engagement
    people = {
        "reports": [
            StakeholderFactory(
                engagement=engagement,
                name=f"Report {i}",
                email=f"report{i}@acme.example",
                relationship="direct_report",
                goals=cast.lee_goals,
            )
            for i in (1, 2, 3)
        ],
        "peer": StakeholderFactory(
            engagement=engagement, name="Pat Peer", email="pat@acme.example", relationship="peer"
        ),
        "manager": StakeholderFactory(
            engagement=engagement, name="Sam Sato", email="sam.sato@acme.example", relationship="manager"
        ),
    }
    return people


def _path_in(message) -> str:
    (path,) = set(re.findall(r"https?://[^/\s]+(/f/[A-Za-z0-9_-]{43}/)", message.body))
    return path


def test_coach_opens_a_round_a_stakeholder_answers_on_a_phone_and_the_coach_sees_results(
    cast, page, phone_page, live_server, locmem_mail, roster
):
    engagement = cast.lee_engagement
    login(page, live_server, cast.ada.email, cast.password)
    page.goto(f"{live_server.url}/engagements/{engagement.pk}/")
    page.click("text=Open stakeholder feedback")
    check_accessibility(page)
    page.click("text=Plan a feedback round")
    page.check("input[name=kind][value=progress]")
    page.check("#id_ask_support")
    check_accessibility(page)
    with page.expect_navigation():
        page.click("button:has-text('Save and open now')")
    assert "Round open. 5 private links are on the way by e-mail." in page.locator("body").inner_text()
    feedback_round = FeedbackRound.objects.get(engagement=engagement)
    assert feedback_round.status == "open"
    assert len(locmem_mail) == 5
    check_accessibility(page)

    # A direct report opens the link from their e-mail on a phone.
    message = next(m for m in locmem_mail if m.to == ["report1@acme.example"])
    assert "about 2 minutes" in message.body
    link = live_server.url + _path_in(message)
    response = phone_page.goto(link)
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "How is Lee Lindqvist doing?" in phone_page.locator("h1").inner_text()
    check_accessibility(phone_page)
    assert_no_horizontal_scroll(phone_page)
    save_screenshot(phone_page, "stakeholder-answer-phone")

    calm, delegate = cast.lee_goals
    phone_page.click(f"label[for=id_score_{calm.pk}_5]")  # +2
    phone_page.fill(f"#id_suggestion_{calm.pk}", "Keep taking that breath before you answer the VP.")
    phone_page.click(f"label[for=id_score_{delegate.pk}_4]")  # +1
    phone_page.fill("#id_support", "Share the quarterly priorities earlier.")
    with phone_page.expect_navigation():
        phone_page.click("button:has-text('Send my feedback')")
    assert "Thank you" in phone_page.locator("h1").inner_text()
    assert_no_horizontal_scroll(phone_page)
    stored = FeedbackResponse.objects.get()
    assert sorted(stored.scores.values_list("score", flat=True)) == [1, 2]

    # The same link cannot answer twice.
    again = phone_page.goto(link)
    assert again.status == 410
    assert "already answered" in phone_page.locator("h1").inner_text()
    assert phone_page.locator("form.answer-form").count() == 0
    check_accessibility(phone_page)
    assert FeedbackResponse.objects.count() == 1

    # While the round is open the coach sees how many answered, never figures.
    page.goto(f"{live_server.url}/feedback/rounds/{feedback_round.pk}/results/")
    assert "Results appear when the round closes" in page.locator("body").inner_text()

    # Two more direct reports answer, so their group reaches K = 3; the coach closes the round.
    for person, scores in zip(roster["reports"][1:], ((3, 1), (1, 2)), strict=True):
        request = FeedbackRequest.objects.get(round=feedback_round, stakeholder=person)
        services.response_submit(request=request, scores=dict(zip((calm.pk, delegate.pk), scores, strict=True)))
    page.goto(f"{live_server.url}/feedback/rounds/{feedback_round.pk}/")
    assert "3 of 5 answered." in page.locator("body").inner_text()
    page.fill("#id_next_in_weeks", "8")
    with page.expect_navigation():
        page.click("button:has-text('Close and see the results')")

    body = page.locator("body").inner_text()
    assert "Results: Progress round 1" in body
    assert "+2.0" in body  # (2 + 3 + 1) / 3 for the first goal
    assert "fewer than 3: left out" in body  # the lone peer and the lone manager
    assert "Keep taking that breath before you answer the VP." in body
    assert "Report 1" not in body
    assert FeedbackRound.objects.filter(engagement=engagement, status="draft").exists()
    check_accessibility(page)
    save_screenshot(page, "stakeholder-results-desktop")


def test_answer_page_breaks_no_content_security_policy(cast, strict_page, live_server, roster):
    feedback_round = FeedbackRound.objects.create(
        engagement=cast.lee_engagement,
        opens_on=services.FeedbackRound(engagement=cast.lee_engagement).today(),
        closes_on=services.FeedbackRound(engagement=cast.lee_engagement).today().replace(year=2100),
        created_by=cast.ada,
    )
    services.round_open(feedback_round=feedback_round, notify=False)
    request = FeedbackRequest.objects.get(round=feedback_round, stakeholder=roster["manager"])
    external = []
    strict_page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    strict_page.goto(f"{live_server.url}/f/{services.link_token(request=request)}/")
    strict_page.wait_for_load_state("networkidle")

    assert strict_page.csp_violations == [], "\n".join(strict_page.csp_violations)
    assert external == []
    assert "your answers form their own group" in strict_page.locator("body").inner_text()


def test_stakeholder_pages_fit_a_phone_and_pass_accessibility_checks(cast, phone_page, live_server, roster):
    feedback_round = FeedbackRound.objects.create(
        engagement=cast.lee_engagement,
        opens_on=services.FeedbackRound(engagement=cast.lee_engagement).today(),
        closes_on=services.FeedbackRound(engagement=cast.lee_engagement).today().replace(year=2100),
        created_by=cast.ada,
    )
    services.round_open(feedback_round=feedback_round, notify=False)
    login(phone_page, live_server, cast.lee.email, cast.password)

    for path in (
        f"/engagements/{cast.lee_engagement.pk}/feedback/",
        f"/engagements/{cast.lee_engagement.pk}/stakeholders/new/",
        f"/feedback/rounds/{feedback_round.pk}/results/",
    ):
        phone_page.goto(live_server.url + path)
        check_accessibility(phone_page)
        assert_no_horizontal_scroll(phone_page)
    save_screenshot(phone_page, "stakeholder-results-open-phone")
