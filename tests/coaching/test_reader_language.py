"""The coaching core pages in the reader's language: German text, German dates, German nouns left
capitalised inside sentences, English plurals by count, and the page's own language attribute."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from accounts.limits import DATE_VALIDATORS, _day
from coaching import selectors
from coaching.summary import engagement_summary
from coaching.templatetags.inline_text import lower_inline, primary_language, role_label
from engagements.models import Session
from notifications.models import Notification
from tests.coaching.helpers import at
from tests.factories import PracticeLogFactory, SessionFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _attention_texts(coach) -> list[str]:
    return [item.text for item in selectors.coach_home(coach=coach)["attention"]]


def test_a_label_inside_an_english_sentence_is_lowercased_but_a_german_noun_keeps_its_capital():
    with translation.override("en-gb"):
        assert lower_inline("Three-way") == "three-way"
    with translation.override("de"):
        assert lower_inline("Dreiergespräch") == "Dreiergespräch"


def test_the_page_language_is_the_language_without_its_region():
    assert primary_language("en-gb") == "en"
    assert primary_language("de") == "de"
    assert primary_language("pt-br") == "pt"


def test_an_invitation_role_is_named_in_words_not_by_its_key():
    with translation.override("en-gb"):
        assert role_label("program_manager") == "Program manager"
        assert role_label("leader") == "Leader"


def test_validator_messages_name_the_day_in_british_english_whatever_english_is_active():
    """Management commands switch to Django's "en-us"; the messages stay the same, so no migration
    ever records a different wording."""
    with translation.override("en-us"):
        assert _day(date(2000, 1, 1)) == "1 January 2000"
        assert str(DATE_VALIDATORS[0].message) == "Choose a date from 1 January 2000 onwards."
    with translation.override("en-gb"):
        assert str(DATE_VALIDATORS[1].message) == "Choose a date before 31 December 2100."


def test_a_single_failed_e_mail_is_counted_in_the_singular(cast):
    NotificationFactory(
        recipient=cast.lee, engagement_id=cast.lee_engagement.pk, status=Notification.Status.FAILED, due_at=at(-1)
    )
    with translation.override("en-gb"):
        assert "1 e-mail could not be sent" in _attention_texts(cast.ada)


def test_the_coach_sees_what_needs_attention_in_german(cast, german):
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(-4), status=Session.Status.NO_SHOW)
    with translation.override("de"):
        texts = _attention_texts(cast.ada)
    assert "Nicht erschienen: Fragen Sie bei der Führungskraft nach" in texts


def test_validator_messages_name_the_day_in_german(german):
    with translation.override("de"):
        assert _day(date(2000, 1, 1)) == "1. Januar 2000"
        assert str(DATE_VALIDATORS[0].message) == "Wählen Sie ein Datum ab dem 1. Januar 2000."


def test_the_summary_report_speaks_german_with_german_dates_and_page_numbers(cast, german):
    PracticeLogFactory(commitment__session=cast.lee_past_session, occurred_at=at(-1))
    with translation.override("de"):
        facts = engagement_summary(viewer=cast.sam, pk=cast.lee_engagement.pk, preview=False)
        html = render_to_string("coaching/summary_print.html", {"summary": facts})
        toggle = facts.fieldwork.weekly_chart.table_toggle
    assert '<html lang="de">' in html
    assert "Fortschrittsbericht für das Dreiergespräch" in html
    assert '"Seite " counter(page) " von " counter(pages)' in html
    assert "Praxisprotokolle pro Woche" in html  # the chart's heading and title
    assert "Erstellt am" in html
    months = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober")
    assert any(f" {month} " in html for month in (*months, "November", "Dezember"))
    # German keeps the chart title's capital letters inside the sentence.
    assert toggle == "Praxisprotokolle pro Woche als Tabelle anzeigen"


def test_the_chart_toggle_lowercases_the_title_in_english(cast):
    with translation.override("en-gb"):
        facts = engagement_summary(viewer=cast.sam, pk=cast.lee_engagement.pk, preview=False)
        assert facts.fieldwork.weekly_chart.table_toggle == "Show practice logged per week as a table"
