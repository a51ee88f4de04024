"""In German on a phone (390 px): a leader chooses German, logs practice and writes the weekly
reflection; a stakeholder whose language is German answers from the link in the e-mail the outbox
sent. Every page says it is German (`<html lang="de">`), reads as German, passes axe-core, scrolls
no page sideways and lets no text spill out of its box.

The browser asks for British English throughout: the language comes from the person's choice (and,
for the stakeholder, from the one chosen for them), never from the browser.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from fieldwork.models import PracticeLog, WeeklyReflection
from stakeholders import services as stakeholder_services
from stakeholders.models import FeedbackResponse
from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.factories import CommitmentFactory, StakeholderFactory

# Words any German page of the product uses and no English one does: formal address, articles, and the
# glossary's nouns (a page of headings and the leader's own entries may have few articles).
GERMAN_WORDS = set(
    "Sie Ihre Ihr Ihnen und der die das den dem mit für nicht oder "
    "Sitzung Sitzungen Ziel Ziele Woche Wochenreflexion Wochenreflexionen Reflexionen Praxisaufgaben "
    "Führungskraft Vorhaben Themen Verlauf".split()
)

# Elements whose text is wider than their box and spills over it (scrolling containers, form fields,
# text cut off with an ellipsis on purpose and text for screen readers only are fine).
_OVERFLOWING = """() => {
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['INPUT', 'TEXTAREA', 'SELECT', 'OPTION', 'SCRIPT', 'STYLE', 'svg'].includes(el.tagName)) continue;
    if (el.closest('svg')) continue;
    // Text for screen readers only (a 1-pixel clipped box) is meant to be outside its box.
    if (el.closest('.visually-hidden, .visually-hidden-focusable') || el.getBoundingClientRect().width <= 2) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    if (['auto', 'scroll'].includes(style.overflowX) || style.textOverflow === 'ellipsis') continue;
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      found.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}: "${el.textContent.trim().slice(0, 60)}"`);
    }
  }
  return found;
}"""


def _check_german_page(page) -> None:
    assert page.evaluate("() => document.documentElement.lang") == "de", f"{page.url} is not marked German"
    words = set(re.findall(r"\w+", page.locator("main").inner_text()))
    german = words & GERMAN_WORDS
    assert len(german) >= 3, f"{page.url} does not read as German (German words found: {sorted(german)})"
    check_accessibility(page)
    assert_no_horizontal_scroll(page)
    overflowing = page.evaluate(_OVERFLOWING)
    assert not overflowing, f"Text overflows its box on {page.url}: {overflowing}"


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def test_a_leader_chooses_german_logs_practice_and_reflects_on_a_phone(cast, phone_page, live_server):
    page = phone_page
    commitment = CommitmentFactory(
        session=cast.lee_past_session,
        goal=cast.lee_goals[0],
        text="Take one breath before answering the CFO",
        where_with_whom="Quarterly planning round",
        target_count=4,
    )
    login(page, live_server, cast.lee.email, cast.password)
    assert page.evaluate("() => document.documentElement.lang") == "en"

    # The preferences page: the language choice, saved, and the next page is German.
    page.goto(f"{live_server.url}/account/preferences/")
    check_accessibility(page)
    page.select_option("#id_language", "de")
    with page.expect_navigation():
        page.click("form:has(#id_language) button[type=submit]")
    assert User.objects.get(pk=cast.lee.pk).language == "de"
    assert page.evaluate("() => document.documentElement.lang") == "de"
    assert page.locator("label[for=id_language]").inner_text().startswith("Sprache")

    page.goto(f"{live_server.url}/")
    _check_german_page(page)
    save_screenshot(page, "german-leader-home-phone")

    # Practice, logged in the quick form.
    page.goto(f"{live_server.url}/commitments/{commitment.pk}/log/")
    _check_german_page(page)
    page.fill("#id_note", "Vor der Antwort an den CFO durchgeatmet.")
    with page.expect_navigation():
        page.click("form:has(#id_note) button[type=submit]")
    assert PracticeLog.objects.filter(commitment=commitment).count() == 1
    _check_german_page(page)

    # The weekly reflection, with a rating per goal.
    page.goto(f"{live_server.url}/reflection/")
    _check_german_page(page)
    page.fill("#id_wins", "Zwei ruhige Antworten in der Planungsrunde.")
    page.fill("#id_struggles", "Ich gebe noch jede Bestellung selbst frei.")
    page.click(f"label[for='id_goal_{cast.lee_goals[0].pk}_7']")
    page.click(f"label[for='id_goal_{cast.lee_goals[1].pk}_4']")
    save_screenshot(page, "german-reflection-phone")
    with page.expect_navigation():
        page.click("form:has(#id_wins) button[type=submit]")
    assert WeeklyReflection.objects.filter(engagement=cast.lee_engagement).exists()
    _check_german_page(page)


def test_a_german_stakeholder_answers_from_the_emailed_link_on_a_phone(cast, phone_page, live_server, locmem_mail):
    engagement = cast.lee_engagement
    StakeholderFactory(
        engagement=engagement,
        name="Petra Peer",
        email="petra@acme.example",
        relationship="peer",
        goals=cast.lee_goals,
        language="de",
    )
    feedback_round = stakeholder_services.round_create(
        engagement=engagement,
        created_by=cast.ada,
        kind="progress",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=14),
    )
    stakeholder_services.round_open(feedback_round=feedback_round)

    (message,) = [m for m in locmem_mail if m.to == ["petra@acme.example"]]
    assert '<html lang="de">' in message.alternatives[0][0]
    (path,) = set(re.findall(r"https?://[^/\s]+(/f/[A-Za-z0-9_-]{43}/)", message.body))

    page = phone_page
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert response.headers["content-language"] == "de"
    _check_german_page(page)
    save_screenshot(page, "german-stakeholder-answer-phone")
    calm, delegate = cast.lee_goals
    page.click(f"label[for=id_score_{calm.pk}_5]")
    page.fill(f"#id_suggestion_{calm.pk}", "Bitte weiter so ruhig bleiben.")
    page.click(f"label[for=id_score_{delegate.pk}_4]")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert FeedbackResponse.objects.filter(request__stakeholder__email="petra@acme.example").exists()
    _check_german_page(page)
