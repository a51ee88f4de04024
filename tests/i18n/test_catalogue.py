"""Each catalogue (German today: every language of settings.LANGUAGES but English) is complete,
current and safe to format.

- every entry of locale/<language>/LC_MESSAGES/django.po is translated and none is fuzzy;
- its msgids are exactly those `makemessages` finds in the sources today (run into a copy of the
  sources in a temporary folder, so the repository's catalogue is never touched);
- each translation keeps the placeholders of its original (`%(name)s`, `%s`, `{name}`), so
  formatting a translated string can neither fail nor show the wrong value.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from .po import Entry, read_po

BASE = Path(settings.BASE_DIR)
# Every language the site offers besides English has its catalogue, and each is checked here.
LOCALES = [translation.to_locale(code) for code, _ in settings.LANGUAGES if not code.startswith("en")]
CATALOGUE = BASE / "locale" / "de" / "LC_MESSAGES" / "django.po"


def catalogue_of(locale: str) -> Path:
    return BASE / "locale" / locale / "LC_MESSAGES" / "django.po"


# What makemessages reads: the product's sources, never the tests, the benchmark or installed packages.
IGNORED = (".venv", "node_modules", "var", "locale", ".git", "tests", "bench", "staticfiles", "test-artifacts")

PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifr]|%[#0 +-]*\d*(?:\.\d+)?[sdifr]|\{\w*\}")


def _listing(entries: list, limit: int = 80) -> str:
    shown = "\n  ".join(str(e) for e in entries[:limit])
    more = f"\n  ... and {len(entries) - limit} more" if len(entries) > limit else ""
    return f"{len(entries)}:\n  {shown}{more}"


def placeholders(text: str) -> list[str]:
    """The placeholders of a text: each named one once (German may name the leader twice where English
    says "they"), each positional one as often as it occurs (their count is the count of arguments)."""
    found = [match.group(0) for match in PLACEHOLDER.finditer(text.replace("%%", ""))]
    named = {p for p in found if p.startswith("%(") or (p.startswith("{") and p != "{}")}
    return sorted([*named, *(p for p in found if p not in named)])


def placeholder_problems(entry: Entry) -> list[str]:
    """How the translation's placeholders differ from the original's (empty when they agree)."""
    problems = []
    if entry.msgid_plural is None:
        for text in entry.msgstr:
            if text and placeholders(text) != placeholders(entry.msgid):
                problems.append(f"{entry}: {placeholders(entry.msgid)} became {placeholders(text)} in {text!r}")
        return problems
    allowed = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
    for text in entry.msgstr:
        extra = set(placeholders(text)) - allowed
        if text and extra:
            problems.append(f"{entry}: {sorted(extra)} is not in the original, in {text!r}")
    if entry.msgstr and entry.msgstr[-1] and placeholders(entry.msgstr[-1]) != placeholders(entry.msgid_plural):
        problems.append(f"{entry}: the plural {entry.msgstr[-1]!r} lost a placeholder of {entry.msgid_plural!r}")
    return problems


@pytest.fixture(params=LOCALES)
def locale(request) -> str:
    return request.param


@pytest.fixture
def entries(locale) -> list[Entry]:
    return read_po(catalogue_of(locale))


def test_german_is_offered_and_has_its_catalogue():
    assert "de" in LOCALES and catalogue_of("de") == CATALOGUE and CATALOGUE.exists()


def test_every_entry_is_translated_and_none_is_fuzzy(locale, entries):
    where = catalogue_of(locale).relative_to(BASE)
    untranslated = [e for e in entries if not e.translated]
    fuzzy = [e for e in entries if "fuzzy" in e.flags]
    if untranslated:
        pytest.fail(f"Untranslated entries in {where}, {_listing(untranslated)}", pytrace=False)
    if fuzzy:
        pytest.fail(f"Fuzzy entries in {where} (check, then unflag), {_listing(fuzzy)}", pytrace=False)


def test_translations_keep_the_placeholders_of_their_originals(entries):
    problems = [problem for e in entries for problem in placeholder_problems(e)]
    if problems:
        pytest.fail("Placeholders differ between original and translation:\n  " + "\n  ".join(problems), pytrace=False)


def test_the_placeholder_check_notices_a_lost_or_renamed_placeholder():
    assert placeholder_problems(Entry(msgid="Hello %(name)s", msgstr=["Hallo %(nom)s"]))
    assert placeholder_problems(Entry(msgid="Hello %(name)s", msgstr=["Hallo"]))
    assert placeholder_problems(Entry(msgid="{n} days", msgstr=["Tage"]))
    assert not placeholder_problems(Entry(msgid="Hello %(name)s, 100%%", msgstr=["Hallo %(name)s, 100 %%"]))
    assert not placeholder_problems(Entry(msgid="Ask %(name)s what they do", msgstr=["%(name)s: was tut %(name)s"]))
    assert placeholder_problems(Entry(msgid="%s of %s", msgstr=["%s von"]))
    plural = Entry(msgid="%(count)d topic", msgid_plural="%(count)d topics", msgstr=["Ein Thema", "%(count)d Themen"])
    assert not placeholder_problems(plural)
    assert placeholder_problems(Entry(msgid="%(count)d topic", msgid_plural="%(count)d topics", msgstr=["x", "Themen"]))


def _copy_sources(target: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        if Path(folder) == BASE:
            return {name for name in names if name in IGNORED}
        return {name for name in names if name in ("__pycache__",) or name.endswith((".mo", ".pyc"))}

    shutil.copytree(BASE, target, ignore=ignore, symlinks=True)
    (target / "locale").mkdir()


def test_each_catalogue_holds_exactly_the_strings_of_the_sources(locale, entries, tmp_path):
    if not shutil.which("msguniq") or not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext, msguniq) is needed to extract the strings of the sources")
    copy = tmp_path / "src"
    _copy_sources(copy)
    # makemessages needs no database or broker: the copy runs on the embedded defaults.
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["DEBUG"] = "1"
    command = ["makemessages", f"--locale={locale}", "--no-location", "--no-obsolete", "-v", "0"]
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = {e.key: e for e in read_po(copy / "locale" / locale / "LC_MESSAGES" / "django.po")}
    current = {e.key: e for e in entries}
    missing = sorted((fresh[k] for k in fresh.keys() - current.keys()), key=str)
    stale = sorted((current[k] for k in current.keys() - fresh.keys()), key=str)
    message = []
    if missing:
        message.append(f"Strings marked in the sources but missing from the catalogue, {_listing(missing)}")
    if stale:
        message.append(f"Entries no source uses any more, {_listing(stale)}")
    if message:
        pytest.fail(
            f"The {locale} catalogue is out of date: run `manage.py makemessages -l {locale} --no-location`, "
            "translate, and run this test again.\n" + "\n".join(message),
            pytrace=False,
        )
