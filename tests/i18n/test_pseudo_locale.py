"""No English left behind: every page, e-mail and PDF in a pseudo-locale that wraps each translated string.

A catalogue built here for the pseudo language `en-xa` translates every msgid the German reader
would see translated (ours in locale/de, Django's and allauth's) to "⟦msgid⟧". With it active, the
test renders every page each person of the privacy cast may open (the URL classification of
tests/privacy), every e-mail the outbox has recorded for the cast (built and composed exactly as the
outbox sends it) and every e-mail template besides, and the PDFs among the pages. From what a reader
sees (text, `title`, `aria-label`, `placeholder`, `alt`, the `<title>`) it removes the wrapped
parts, the people's own data, numbers, dates, addresses and links. Whatever English is left was
never marked for translation; the failure lists it per page or e-mail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import available_timezones

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.template.loader import render_to_string
from django.test.utils import override_settings
from django.utils import timezone, translation

from api.services import TOKEN_PREFIX
from notifications import registry
from notifications import services as outbox
from notifications.models import Kind, Notification
from tests.privacy.base import ALLOWED, PEOPLE
from tests.test_url_privacy import _all_cases, _client_for

from .po import Entry, read_po, write_mo

PSEUDO = "en-xa"
OPEN, CLOSE = "⟦", "⟧"
BASE = Path(settings.BASE_DIR)
SITE_PACKAGES = Path(__import__("django").__file__).parent.parent

# Deliberately the same in every language: names of products, standards and the languages themselves.
ALLOWED_TEXTS = {
    "API",
    "CalDAV",
    "iCalendar",
    "ICS",
    "CSV",
    "JSON",
    "PDF",
    "ZIP",
    "HTML",
    "TOTP",
    "URL",
    "English",
    "Deutsch",
    "Pseudo",  # this test's own language, offered in the language choices while it runs
    "Apple Calendar",
    "Google Calendar",
    "Outlook",
    "Coaching",
    "Coaching engagements",
}

# Catalogues of the libraries whose own texts appear on our pages (form errors, sign-in pages).
LIBRARY_CATALOGUES = [
    SITE_PACKAGES / "django" / "conf" / "locale" / "de" / "LC_MESSAGES" / "django.po",
    *sorted((SITE_PACKAGES / "django" / "contrib").glob("*/locale/de/LC_MESSAGES/django.po")),
    SITE_PACKAGES / "allauth" / "locale" / "de" / "LC_MESSAGES" / "django.po",
]


def wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}" if text else text


def pseudo_entries() -> list[Entry]:
    sources = [BASE / "locale" / "de" / "LC_MESSAGES" / "django.po", *LIBRARY_CATALOGUES]
    entries = {}
    for path in sources:
        if path.exists():
            for entry in read_po(path):
                entries.setdefault(entry.key, entry)
    return [
        Entry(
            msgid=e.msgid,
            msgctxt=e.msgctxt,
            msgid_plural=e.msgid_plural,
            msgstr=[wrap(e.msgid)] if e.msgid_plural is None else [wrap(e.msgid), wrap(e.msgid_plural)],
        )
        for e in entries.values()
    ]


@pytest.fixture(scope="module")
def pseudo_locale(tmp_path_factory):
    """The pseudo language, active as the site's default for the module (people without a choice read it)."""
    folder = tmp_path_factory.mktemp("pseudo-locale")
    write_mo(folder / "en_XA" / "LC_MESSAGES" / "django.mo", pseudo_entries())
    override = override_settings(
        LANGUAGE_CODE=PSEUDO,
        LANGUAGES=[*settings.LANGUAGES, (PSEUDO, "Pseudo")],
        LOCALE_PATHS=[folder, *settings.LOCALE_PATHS],
    )
    override.enable()
    try:
        yield PSEUDO
    finally:
        override.disable()


# --- What a reader sees ------------------------------------------------------------------------------

READABLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-filter-label", "data-filter-placeholder")
# Code, keys and identifiers set as code (webhook event names, API scopes): the same in every language.
MACHINE_TEXT_TAGS = ("script", "style", "template", "code", "kbd", "samp")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attributes: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in MACHINE_TEXT_TAGS:
            self._skip += 1
        for name, value in attrs:
            if name in READABLE_ATTRIBUTES and value:
                self.attributes.append(value)
        # An input button shows its value; a <button>'s value is only sent with the form, never shown.
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            value = dict(attrs).get("value")
            if value:
                self.attributes.append(value)
        self.text.append("\n")

    def handle_endtag(self, tag):
        if tag in MACHINE_TEXT_TAGS:
            self._skip = max(0, self._skip - 1)
        self.text.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def readable_parts(content: str, content_type: str = "text/html") -> list[str]:
    """The texts a reader sees, one per text run or attribute, wrapped strings still in them."""
    if "html" in content_type:
        reader = _Reader()
        reader.feed(content)
        return ["".join(reader.text), *reader.attributes]
    if "calendar" in content_type:
        unfolded = re.sub(r"\r?\n[ \t]", "", content)
        return [
            line.split(":", 1)[1].replace("\\n", "\n").replace("\\,", ",")
            for line in unfolded.splitlines()
            if line.split(":", 1)[0].split(";")[0] in ("SUMMARY", "DESCRIPTION", "X-WR-CALNAME", "LOCATION")
        ]
    return [content]


def _strip_wrapped(text: str) -> str:
    while True:
        stripped = re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text, flags=re.S)
        if stripped == text:
            return stripped
        text = stripped


NOISE = [
    re.compile(rf"{TOKEN_PREFIX}\S*"),  # the start of an API token, which tells tokens apart
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"(https?|mailto|webcal)://\S+|/[\w./?=&%#-]+"),  # links and paths
    re.compile(r"\b[A-Z]{1,3}[+-]\d{1,2}(:\d{2})?\b|\bUTC\b|\bGMT\b"),  # zone offsets
    re.compile(r"[\d][\d.,:/%×x+−–-]*"),  # numbers, times, dates in digits
]


class Leftovers:
    """English text left after the wrapped parts and the people's data are taken away."""

    def __init__(self, data: list[str]):
        # Longest first, so "Lee Lindqvist" goes before "Lee".
        self.data = sorted(set(data), key=len, reverse=True)
        alternatives = "|".join(re.escape(d) for d in self.data)
        # Without regard to case: a PDF may set a name in capitals ("ACME LOGISTICS").
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if self.data else None

    def of(self, parts: list[str]) -> set[str]:
        found = set()
        for part in parts:
            text = _strip_wrapped(part)
            if self.pattern is not None:
                text = self.pattern.sub(" ", text)
            for noise in NOISE:
                text = noise.sub(" ", text)
            for chunk in re.split(r"\s*\n\s*", text):
                chunk = " ".join(chunk.split()).strip(" .,;:·|()[]{}—–-•…/\"'“”‘’!?*#◆")
                if re.search(r"[A-Za-z]{2,}", chunk) and chunk not in ALLOWED_TEXTS:
                    found.add(chunk)
        return found


PRODUCT_APPS = {
    "accounts",
    "engagements",
    "fieldwork",
    "stakeholders",
    "booking",
    "programs",
    "coaching",
    "webhooks",
    "api",
    "exports",
}
# Columns that hold codes, keys and bookkeeping rather than anything a person wrote.
MACHINE_FIELDS = ("password", "hash", "token", "nonce", "key", "kind", "status", "period", "scope", "error", "reason")


def _user_data() -> list[str]:
    """Every free text stored in the database (names, titles, notes, answers): the readers' own data,
    never the product's wording. Fields with choices hold codes, not data, and are left out."""
    values: list[str] = []
    for model in apps.get_models():
        if model._meta.app_label not in PRODUCT_APPS:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not any(word in f.name for word in MACHINE_FIELDS)
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            values += [v for v in row if isinstance(v, str) and len(v.strip()) >= 2]
    for user in apps.get_model("accounts", "User").objects.all():
        # A PDF may break a name across lines, so each part of a name is data on its own too.
        values += [str(user), *user.full_name.split()]
    # Time-zone names as the picker shows them ("America/New York").
    values += [zone.replace("_", " ") for zone in available_timezones()]
    pieces = []
    for value in values:
        pieces.append(value.strip())
        pieces += [line.strip() for line in value.splitlines() if len(line.strip()) >= 2]
    return pieces


SHARED = 8  # a text left on this many pages or more comes from a shared part (the layout, an include)


def _report(found: dict[str, set[str]]) -> str:
    """Each place with its texts; texts found in many places are listed once, first, with their count."""
    counts: dict[str, int] = defaultdict(int)
    places: dict[str, list[str]] = defaultdict(list)
    for where, texts in sorted(found.items()):
        for text in texts:
            counts[text] += 1
            places[text].append(where)
    shared = {text for text, count in counts.items() if count >= SHARED}
    lines = []
    if shared:
        lines.append(f"In {SHARED} or more places (a layout or shared template):")
        lines += [
            f"    {text!r} ({counts[text]} places, such as {', '.join(places[text][:3])})" for text in sorted(shared)
        ]
    for where in sorted(found):
        own = sorted(found[where] - shared)
        if own:
            lines.append(f"{where}:")
            lines += [f"    {text!r}" for text in own]
    return "\n".join(lines)


def _readable_response(response) -> tuple[str, str]:
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        pdftotext = shutil.which("pdftotext")
        assert pdftotext, "pdftotext (poppler-utils) is needed to read PDFs"
        text = subprocess.run([pdftotext, "-", "-"], input=content, capture_output=True, check=True).stdout
        return text.decode(errors="replace"), "text/plain"
    return content.decode(errors="replace"), content_type


# --- The scans ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pseudo_locale_wraps_translated_strings(pseudo_locale):
    with translation.override(PSEUDO):
        assert translation.gettext("Save language") == "⟦Save language⟧"
        assert Leftovers([]).of(["⟦Save ⟦4 Dec⟧ language⟧ Deutsch"]) == set()
        assert Leftovers(["Lee Lindqvist"]).of(["⟦Hello⟧ Lee Lindqvist, Forgotten words 12:30"]) == {"Forgotten words"}


@pytest.mark.django_db
def test_every_page_each_person_may_open_is_fully_translated(pseudo_locale, privacy_cast):
    cast = privacy_cast
    cases = _all_cases(cast)  # some cases add rows of their own (an assistant, a token): data too
    leftovers = Leftovers(_user_data())
    found: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for person in PEOPLE:
        client = _client_for(person, cast)
        for case in cases:
            if case.method != "GET" or case.outcome_for(person) != ALLOWED:
                continue
            path = case.stakeholder_path if person == "stakeholder" and case.stakeholder_path else case.path
            if person == "assistant" and case.assistant_path:
                path = case.assistant_path
            if (person, path) in seen:
                continue
            seen.add((person, path))
            sid = transaction.savepoint()
            try:
                response = client.get(path)
                if response.status_code != 200:
                    continue
                content, content_type = _readable_response(response)
                if not any(kind in content_type for kind in ("html", "text/plain", "calendar")):
                    continue
                texts = leftovers.of(readable_parts(content, content_type))
                if texts:
                    found[f"{path} (as {person})"] |= texts
            finally:
                transaction.savepoint_rollback(sid)
                client.cookies.pop("messages", None)
    if found:
        pytest.fail(
            f"Text not marked for translation on {len(found)} pages (page → texts):\n{_report(found)}", pytrace=False
        )


def _email_parts(email) -> list[str]:
    parts = [email.subject, *readable_parts(email.body, "text/plain")]
    for content, mimetype in email.alternatives:
        parts += readable_parts(content, mimetype)
    for attachment in email.attachments:
        if hasattr(attachment, "get_content_type") and attachment.get_content_type() == "text/calendar":
            parts += readable_parts(attachment.get_payload(decode=True).decode(), "text/calendar")
    return parts


@pytest.mark.django_db
def test_every_email_is_fully_translated(pseudo_locale, privacy_cast):
    """Each kind as the outbox renders it (rows the cast's story records, and what a fortnight of
    ticks records), then every e-mail template for the wording of branches those rows did not take."""
    leftovers = Leftovers(_user_data())
    found: dict[str, set[str]] = defaultdict(set)
    now = timezone.now()
    for hours in range(0, 24 * 15, 6):
        outbox.tick(now=now + timedelta(hours=hours))
    rendered_kinds = set()
    for notification in Notification.objects.select_related("recipient").order_by("kind", "pk"):
        source = registry.source_for(notification.kind)
        if source is None:
            continue
        try:
            with translation.override(outbox.recipient_language(notification, source)):
                email = outbox.compose(notification, source.build(notification))
        except registry.Skip:
            continue
        rendered_kinds.add(notification.kind)
        texts = leftovers.of(_email_parts(email))
        if texts:
            found[f"e-mail {notification.kind} to {notification.recipient_email}"] |= texts
    templates = sorted((BASE / "templates" / "emails").glob("*-subject.txt"))
    context = {
        "recipient_name": "Lee",
        "leader": privacy_cast.lee,
        "coach": privacy_cast.ada,
        "engagement": privacy_cast.lee_engagement,
        "session": privacy_cast.lee_next_session,
        "site_url": settings.SITE_URL,
    }
    with translation.override(PSEUDO):
        for subject in templates:
            name = subject.name.removesuffix("-subject.txt")
            for part in ("subject.txt", "body.txt", "body.html"):
                try:
                    content = render_to_string(f"emails/{name}-{part}", context)
                except Exception:  # noqa: S112 - needs more than this context: the outbox rows above cover it
                    continue
                texts = leftovers.of(readable_parts(content, "text/html" if part.endswith("html") else "text/plain"))
                if texts:
                    found[f"templates/emails/{name}-{part}"] |= texts
    assert rendered_kinds, "the outbox recorded nothing for the cast to render"
    if found:
        templates_only = sorted(set(Kind.values) - rendered_kinds)
        pytest.fail(
            f"Text not marked for translation in {len(found)} e-mails (e-mail → texts):\n{_report(found)}\n"
            f"(Kinds the cast's outbox had no row of, checked through their templates only: {templates_only})",
            pytrace=False,
        )
