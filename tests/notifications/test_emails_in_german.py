"""E-mails read in German from subject to footer: whole sentences with their names, German dates and
plurals, and labels that keep their capital letters (German nouns do) where English lowercases them."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from notifications.email import render_email

WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def german_day(moment, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{WEEKDAYS[local.weekday()]}, {local.day}. {MONTHS[local.month - 1]}"


def footer(kind_label: str) -> dict:
    return {
        "recipient_tz": "Europe/Berlin",
        "kind_label": kind_label,
        "unsubscribe_url": "https://coaching.example/u/1/",
        "preferences_url": "https://coaching.example/preferences/",
        "link": "https://coaching.example/l/",
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("german")
def test_a_stakeholders_feedback_request_is_german_and_keeps_the_anonymity_promise(cast):
    engagement = cast.lee_next_session.engagement
    round_ = SimpleNamespace(is_progress=True, closes_on=cast.lee_next_session.starts_at.date())
    subject, text, html = render_email(
        "feedback-request",
        {
            "stakeholder_name": "Pat",
            "leader": cast.lee,
            "coach": cast.ada,
            "round": round_,
            "goals": list(engagement.goals.all()),
            "minutes": 2,
            "threshold": 3,
            "is_manager": False,
            "url": "https://coaching.example/f/secret/",
        },
    )
    closes = round_.closes_on
    assert subject == "Lee Lindqvist bittet Sie um zwei Minuten Feedback"
    assert text.startswith("Guten Tag Pat,")
    assert "Lee Lindqvist arbeitet mit Ada Achebe als Leadership-Coach zusammen" in text
    assert f"bis zum {closes.day}. {MONTHS[closes.month - 1]} {closes.year}" in text
    assert "erst angezeigt, wenn mindestens 3 Personen der Gruppe geantwortet haben" in text
    assert "Stay calm under pressure from senior leaders" in html  # the goal stays as the leader wrote it
    assert ">Feedback geben</a>" in html
    assert "Bitte leiten Sie diese E-Mail nicht weiter." in html
    for english in ("Hello", "Give your feedback", "What stays anonymous", "minutes"):
        assert english not in text + html


@pytest.mark.django_db
@pytest.mark.usefixtures("german")
def test_a_session_reminder_names_the_day_in_german_and_in_the_readers_zone(cast):
    session = cast.lee_next_session
    subject, text, html = render_email(
        "session-reminder",
        {
            **footer("Sitzungserinnerung"),
            "engagement": session.engagement,
            "session": session,
            "role": "leader",
            "recipient_name": "Lee",
            "to_sponsor": False,
            "meeting_url": "",
        },
    )
    local = session.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert subject.startswith("Erinnerung: Coaching-Sitzung mit Ada Achebe, ")
    assert subject.endswith(f"um {local:%H:%M} Uhr")
    assert f"ist am {german_day(session.starts_at, 'Europe/Berlin')} um {local:%H:%M} Uhr" in text
    assert "(Zeitzone Europe/Berlin), Dauer 60 Minuten." in text
    assert "Die angehängte Kalenderdatei trägt die Sitzung in Ihren Kalender ein." in html


@pytest.mark.django_db
@pytest.mark.usefixtures("german")
def test_the_footer_keeps_the_kinds_capital_letter_in_german_and_lowercases_it_in_english(cast):
    context = {
        **footer("Sitzungserinnerung"),
        "recipient_name": "Lee",
        "week_start": cast.lee_next_session.starts_at - timedelta(days=6),
        "week_end": cast.lee_next_session.starts_at,
        "coach": cast.ada,
        "next_session": None,
    }
    _, text, html = render_email("reflection-prompt", context)
    assert "Sie erhalten diese Nachricht (Sitzungserinnerung) von Ihrem Coaching-Arbeitsbereich." in text
    assert "Sie erhalten diese Nachricht (Sitzungserinnerung)" in html
    assert "Diese E-Mails abbestellen: https://coaching.example/u/1/" in text
    with translation.override("en-gb"):
        _, text, _ = render_email("reflection-prompt", {**context, "kind_label": "Weekly reflection prompt"})
    assert "You receive this weekly reflection prompt from your coaching workspace." in text


@pytest.mark.django_db
@pytest.mark.usefixtures("german")
def test_the_fieldwork_nudge_counts_attempts_and_practices_in_german(cast):
    def item(text: str, target: int) -> SimpleNamespace:
        commitment = SimpleNamespace(text=text, where_with_whom="", target_count=target)
        return SimpleNamespace(commitment=commitment, url="/commitments/1/log/")

    context = {**footer("Praxis-Erinnerung"), "recipient_name": "Lee", "coach": cast.ada, "next_session": None}
    subject, text, _ = render_email("fieldwork-nudge", {**context, "items": [item("Breathe first", 1)]})
    assert subject == "Halbzeit bis zur nächsten Sitzung: ein Vorhaben zum Ausprobieren"
    assert "- Breathe first, 1-mal" in text
    subject, text, _ = render_email("fieldwork-nudge", {**context, "items": [item("Breathe first", 3), item("Ask", 2)]})
    assert subject == "Halbzeit bis zur nächsten Sitzung: 2 Vorhaben zum Ausprobieren"
    assert "- Breathe first, 3-mal" in text
    assert "Versuch protokollieren: " in text
