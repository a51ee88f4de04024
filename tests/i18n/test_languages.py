"""Languages per person: the choice beats the practice default, which beats the browser; stakeholders
read the language chosen for them; every e-mail and calendar text is in its recipient's language;
dates follow the reader's locale."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.utils import formats, timezone, translation

from accounts.languages import language_for_user
from accounts.models import Practice, User
from engagements import services as engagement_services
from engagements.models import Session
from stakeholders import services as stakeholder_services
from stakeholders.models import FeedbackRequest, Stakeholder
from tests.engagements.calendar_helpers import calendar_part, mails_to, parse_both
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

# The names templates and code use (coaching/formats/<language>/formats.py defines each of them).
NAMED_FORMATS = (
    "DATE_MEDIUM",
    "DATE_FORMAT",
    "DAY_MONTH",
    "DAY_MONTH_LONG",
    "WEEKDAY_DATE",
    "WEEKDAY_DATE_YEAR",
    "WEEKDAY_SHORT_DATE",
    "WEEKDAY_SHORT_DATE_YEAR",
    "TIME_FORMAT",
    "DATETIME_MEDIUM",
    "DATETIME_FORMAT",
    "DAY_MONTH_TIME",
    "WEEKDAY_DATE_TIME",
    "WEEKDAY_DATE_YEAR_TIME",
    "WEEKDAY_SHORT_DATE_TIME",
    "MONTH_YEAR",
    "WEEKDAY",
    "WEEKDAY_TIME",
)
FRIDAY = datetime(2026, 12, 4, 14, 30, tzinfo=ZoneInfo("UTC"))


def _lang(response) -> str:
    """The language a page says it is in: `<html lang>` and the Content-Language header agree."""
    body = response.content.decode()
    start = body.index('<html lang="') + len('<html lang="')
    lang = body[start : body.index('"', start)]
    assert response["Content-Language"] == lang
    return lang


def _signed_in(user, **headers) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


# --- Formats ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_named_format_is_defined_for_each_language(language):
    from importlib import import_module

    module = import_module(f"coaching.formats.{language}.formats")
    assert [name for name in NAMED_FORMATS if not hasattr(module, name)] == []


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "WEEKDAY_DATE", "Friday 4 December"),
        ("en-gb", "WEEKDAY_DATE", "Friday 4 December"),
        ("de", "WEEKDAY_DATE", "Freitag, 4. Dezember"),
        ("en", "DATE_MEDIUM", "4 Dec 2026"),
        ("de", "DATE_MEDIUM", "4. Dez. 2026"),
        ("en", "WEEKDAY_SHORT_DATE_TIME", "Fri 4 Dec, 14:30"),
        ("de", "WEEKDAY_SHORT_DATE_TIME", "Fr, 4. Dez., 14:30"),
        ("en", "TIME_FORMAT", "14:30"),
        ("de", "DATETIME_FORMAT", "4. Dezember 2026, 14:30"),
        ("en", "MONTH_YEAR", "Dec 2026"),
        ("de", "MONTH_YEAR", "Dez. 2026"),
        ("de", "WEEKDAY_TIME", "Freitag, 14:30"),
    ],
)
def test_named_formats_read_as_each_language_writes_dates(language, name, expected):
    with translation.override(language), timezone.override(ZoneInfo("UTC")):
        assert formats.date_format(FRIDAY, name) == expected
        rendered = Template('{{ d|date:"' + name + '" }}').render(Context({"d": FRIDAY}))
        assert rendered == expected


def test_numbers_follow_the_locale():
    with translation.override("de"):
        assert formats.localize(2.5, use_l10n=True) == "2,5"
    with translation.override("en"):
        assert formats.localize(2.5, use_l10n=True) == "2.5"


# --- Whose language a page is in -------------------------------------------------------------------


def test_a_persons_choice_beats_the_practice_default_which_beats_the_browser(cast):
    Practice.objects.filter(pk=cast.ada.practice_id).update(language="de")
    # No choice: the practice's default, whatever the browser says.
    assert _lang(_signed_in(cast.ada, accept_language="en-GB,en").get("/coach/")) == "de"
    # Her own choice wins over the practice's default and the browser.
    User.objects.filter(pk=cast.ada.pk).update(language="en")
    cast.ada.refresh_from_db()
    assert _lang(_signed_in(cast.ada, accept_language="de").get("/coach/")) == "en"


def test_without_choice_or_practice_default_the_browser_decides_and_english_is_the_last_resort(cast):
    assert _lang(_signed_in(cast.ada, accept_language="de-DE,de;q=0.9").get("/coach/")) == "de"
    assert _lang(_signed_in(cast.ada, accept_language="fr-FR,fr").get("/coach/")) == "en"
    assert _lang(_signed_in(cast.ada).get("/coach/")) == "en"


def test_a_leader_without_practice_follows_the_practice_of_their_coach(cast):
    Practice.objects.filter(pk=cast.ada.practice_id).update(language="de")
    assert _lang(_signed_in(cast.lee).get("/leader/")) == "de"
    assert language_for_user(cast.lee) == "de"
    # Liv's coach works for the same practice: her e-mails follow it too; a stranger gets English.
    assert language_for_user(User.objects.create_user(email="x@example.com", full_name="X", password=None)) == "en"


def test_people_who_are_not_signed_in_read_their_browsers_language(client):
    response = client.get("/accounts/login/", headers={"accept-language": "de-AT,de;q=0.8,en;q=0.5"})
    assert _lang(response) == "de"
    assert "Accept-Language" in response["Vary"]
    assert _lang(client.get("/accounts/login/", headers={"accept-language": "pt-BR"})) == "en"


def test_signing_in_stores_the_browsers_language_as_a_first_guess(cast):
    client = Client(headers={"accept-language": "de-DE,de;q=0.9,en;q=0.8"})
    response = client.post("/accounts/login/", {"login": cast.lee.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    cast.lee.refresh_from_db()
    assert cast.lee.language == "de"
    # A practice default is not overridden by the browser's guess.
    Practice.objects.filter(pk=cast.ada.practice_id).update(language="en")
    client = Client(headers={"accept-language": "de"})
    client.post("/accounts/login/", {"login": cast.ada.email, "password": TEST_PASSWORD})
    cast.ada.refresh_from_db()
    assert cast.ada.language == ""


def test_the_preferences_page_saves_the_language_and_the_next_page_is_in_it(cast):
    client = _signed_in(cast.lee)
    page = client.get("/account/preferences/").content.decode()
    assert 'name="language"' in page and "Deutsch" in page
    response = client.post(
        "/account/preferences/", {"full_name": cast.lee.full_name, "time_zone": cast.lee.time_zone, "language": "de"}
    )
    assert response.status_code == 302
    cast.lee.refresh_from_db()
    assert cast.lee.language == "de"
    after = client.get(response["Location"])
    assert _lang(after) == "de" and "Sprache" in after.content.decode()


def test_an_unknown_language_is_refused_and_what_was_typed_stays(cast):
    client = _signed_in(cast.lee)
    response = client.post(
        "/account/preferences/", {"full_name": "Lee Typed", "time_zone": cast.lee.time_zone, "language": "xx"}
    )
    assert response.status_code == 200 and 'value="Lee Typed"' in response.content.decode()
    cast.lee.refresh_from_db()
    assert cast.lee.language == "" and cast.lee.full_name == "Lee Lindqvist"


def test_the_practice_admin_sets_the_practice_default_and_nobody_else_can(cast):
    assert _signed_in(cast.ada).post("/account/practice/language/", {"language": "de"}).status_code == 403
    assert Practice.objects.get(pk=cast.ada.practice_id).language == ""
    client = _signed_in(cast.pam)
    assert 'id="practice-language"' in client.get("/practice/").content.decode()
    assert client.post("/account/practice/language/", {"language": "xx"}).status_code == 302
    assert Practice.objects.get(pk=cast.ada.practice_id).language == ""
    client.post("/account/practice/language/", {"language": "de"})
    assert Practice.objects.get(pk=cast.ada.practice_id).language == "de"
    assert _lang(client.get("/practice/")) == "de"  # her own pages follow at once
    assert language_for_user(cast.ben) == "de"


# --- Stakeholders ------------------------------------------------------------------------------------


def _add_stakeholder(client, cast, **data):
    return client.post(
        f"/engagements/{cast.lee_engagement.pk}/stakeholders/new/",
        {"name": "Pat Lee", "email": "pat@acme.example", "relationship": "peer", **data},
    )


def test_the_stakeholder_form_offers_the_leaders_language_and_saves_the_one_chosen(cast):
    User.objects.filter(pk=cast.lee.pk).update(language="de")
    client = _signed_in(cast.ada)
    form = client.get(f"/engagements/{cast.lee_engagement.pk}/stakeholders/new/").content.decode()
    assert '<option value="de" selected>' in form
    assert _add_stakeholder(client, cast, language="en").status_code == 302
    assert Stakeholder.objects.get(email="pat@acme.example").language == "en"


def test_a_stakeholder_reads_the_chosen_language_whatever_the_browser_and_the_coach_read(cast, committed):
    stakeholder = stakeholder_services.stakeholder_nominate(
        engagement=cast.lee_engagement,
        by=cast.ada,
        name="Pat Lee",
        email="pat@acme.example",
        relationship="peer",
        language="de",
    )
    assert stakeholder.reading_language == "de"
    feedback_round = stakeholder_services.round_create(
        engagement=cast.lee_engagement,
        created_by=cast.ada,
        kind="progress",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=14),
    )
    with translation.override("en"):
        committed(stakeholder_services.round_open, feedback_round=feedback_round)
    (message,) = [m for m in mail.outbox if m.to == ["pat@acme.example"]]
    html = message.alternatives[0][0]
    assert '<html lang="de">' in html
    sender = str(make_header(decode_header(message.message()["From"])))
    assert sender.startswith("Ada Achebe über Northbridge Coaching")
    link = next(word for word in message.body.split() if "/f/" in word)
    page = Client(headers={"accept-language": "en"}).get(link.replace("http://127.0.0.1:8000", ""))
    assert page.status_code == 200 and _lang(page) == "de"
    # Without a choice of their own, a stakeholder reads the leader's language.
    Stakeholder.objects.filter(pk=stakeholder.pk).update(language="")
    User.objects.filter(pk=cast.lee.pk).update(language="en")
    request = FeedbackRequest.objects.select_related("stakeholder", "round__engagement__leader").get(
        stakeholder=stakeholder
    )
    assert request.stakeholder.reading_language == "en"


# --- E-mails and calendar texts in the recipient's language ------------------------------------------


def test_one_booking_reaches_a_german_leader_in_german_and_an_english_sponsor_in_english(cast, committed):
    User.objects.filter(pk=cast.lee.pk).update(language="de")
    User.objects.filter(pk=cast.sam.pk).update(language="en")
    starts = (timezone.now() + timedelta(days=10)).replace(hour=14, minute=0, second=0, microsecond=0)
    # The coach books in German: neither the sender's language nor the worker's decides.
    with translation.override("de"):
        committed(
            engagement_services.session_schedule,
            engagement=cast.lee_engagement,
            starts_at=starts,
            kind=Session.Kind.THREE_WAY,
        )
    (to_lee,) = mails_to(cast.lee)
    (to_sam,) = mails_to(cast.sam)
    with translation.override("de"):
        lee_day = formats.date_format(starts.astimezone(cast.lee.tz), "D")
    assert to_lee.subject.startswith("Sitzung gebucht: ") and lee_day in to_lee.subject
    assert to_sam.subject.startswith("Session booked: ")
    assert '<html lang="de">' in to_lee.alternatives[0][0]
    assert '<html lang="en">' in to_sam.alternatives[0][0]
    lee_event = parse_both(calendar_part(to_lee).get_payload(decode=True)).events[0]
    sam_event = parse_both(calendar_part(to_sam).get_payload(decode=True)).events[0]
    assert str(lee_event["SUMMARY"]) == "Dreiergespräch: Lee Lindqvist mit Ada Achebe"
    assert str(sam_event["SUMMARY"]) == "Three-way coaching meeting: Lee Lindqvist with Ada Achebe"
    assert "Minuten" in str(lee_event["DESCRIPTION"]) and "minutes" in str(sam_event["DESCRIPTION"])


def test_the_private_calendar_feed_is_in_its_owners_language_not_the_fetchers(cast):
    User.objects.filter(pk=cast.lee.pk).update(language="de")
    _, token = engagement_services.calendar_feed_regenerate(user=cast.lee)
    response = Client(headers={"accept-language": "en"}).get(f"/calendar/feed/{token}.ics")
    parsed = parse_both(response.content)
    assert "Coaching-Sitzungen von Lee Lindqvist" in parsed.text
    assert all(str(e["SUMMARY"]).startswith(("Coaching-Sitzung", "Dreiergespräch")) for e in parsed.events)


def test_a_password_reset_asked_for_in_another_language_arrives_in_the_account_holders(cast):
    User.objects.filter(pk=cast.lee.pk).update(language="de")
    Client(headers={"accept-language": "en"}).post("/accounts/password/reset/", {"email": cast.lee.email})
    (message,) = mails_to(cast.lee)
    assert '<html lang="de">' in message.alternatives[0][0]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`committed(fn, **kwargs)`: runs a service and the sends it owes on commit (tasks run in-process)."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def test_an_export_is_built_in_its_owners_language_not_the_workers(cast):
    import io

    import pikepdf

    from exports import services as export_services
    from exports.models import Export

    User.objects.filter(pk=cast.lee.pk).update(language="de")
    cast.lee.refresh_from_db()
    with translation.override("en"):
        export = export_services.export_request(
            owner=cast.lee, kind=Export.Kind.LEADER_RECORD, export_format=Export.Format.PDF
        )
        assert export_services.export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    with pikepdf.open(io.BytesIO(bytes(export.content))) as pdf:
        assert str(pdf.Root.Lang) == "de"


# --- Text the system stores ----------------------------------------------------------------------------


@pytest.mark.parametrize("writer_language", ["de", "en"])
def test_a_webhook_error_is_stored_in_english_and_shown_in_the_readers_language(cast, settings, writer_language):
    from webhooks import services as webhook_services
    from webhooks.models import Delivery

    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    endpoint = webhook_services.endpoint_register(owner=cast.ada, url="http://127.0.0.1:9/hook")
    # A delivery still owed (as a booked session leaves it until the worker takes it).
    Delivery.objects.create(endpoint=endpoint, event="session.booked", event_id=uuid.uuid4(), payload={})
    # Whoever switches the address off, in whatever language, the owed delivery keeps the English source.
    with translation.override(writer_language):
        webhook_services.endpoint_deactivate(endpoint=endpoint)
    assert Delivery.objects.get(endpoint=endpoint).last_error == "The address was switched off."

    User.objects.filter(pk=cast.ada.pk).update(language="de")
    german = _signed_in(User.objects.get(pk=cast.ada.pk)).get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "Die Adresse wurde deaktiviert." in german and "The address was switched off." not in german
    User.objects.filter(pk=cast.ada.pk).update(language="en-gb")
    english = _signed_in(User.objects.get(pk=cast.ada.pk)).get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "The address was switched off." in english
