"""Shared fixtures: the fixed cast of people, logged-in clients and a fresh cache for every test.

The cast (see `cast`):

    practice  Northbridge Coaching: coaches Ada and Ben, practice admin Pam
    ada       coach of Lee                         ada@example.com
    ben       coach of Liv                         ben@example.com
    lee       leader, coached by Ada, sponsors Sam and Sol  lee@example.com
    liv       leader, coached by Ben, sponsor Sue           liv@example.com
    sam       sponsor of Lee's engagement                   sam@example.com
    sol       second sponsor of Lee's engagement            sol@example.com
    sue       sponsor of Liv's engagement ("the other sponsor")
    vic       former sponsor of Lee's engagement, account deactivated (`is_active=False`) but still
              on the engagement's sponsor list: deactivation alone must shut every door
    pam       practice admin of Northbridge Coaching
    pia       program manager at Acme Logistics of the "Acme leaders 2026" program Lee's engagement is in
              (Lee released his row to it)
    rex       reviewer (a supervising coach) of Northbridge Coaching
    dex       former coach of Northbridge Coaching, account deactivated, no engagements

Everyone signs in with `TEST_PASSWORD` and has a verified e-mail address (Vic's password is still
set; the account is only deactivated). `cast.people` maps the roles of the URL privacy
classification (coach, other_coach, leader, ...) to these people and `cast.secrets` holds the
confidential texts of Lee's engagement.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone, translation

from engagements.models import Engagement, Session
from programs.models import RowRelease
from tests.factories import (
    TEST_PASSWORD,
    AgendaItemFactory,
    CoachFactory,
    EngagementFactory,
    GoalFactory,
    PracticeFactory,
    ProgramFactory,
    SessionFactory,
    UserFactory,
)

# Text that only the coach may ever see, and text the coach shares with the leader. Permission tests
# assert that the first never appears on another person's page.
PRIVATE_NOTES = "Private: Lee goes quiet whenever the VP joins; explore what he fears losing."
SHARED_SUMMARY = "We agreed Lee takes one breath before answering the VP, and notes what happens next."
AGENDA_ITEM = "How did the breath before answering work with the VP?"


# --- Under CI nothing may skip ------------------------------------------------------------------
# A skip on a workstation says "this machine lacks something" (pdftotext, Chromium, PostgreSQL, Redis,
# the integration stack). CI always has DATABASE_URL and REDIS_URL and installs every system package
# (.ci/run), so a skip there is a gap that would pass unnoticed: it fails instead, naming what is missing.
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
CI_SKIP_MESSAGE = (
    "Skipped under CI=true, where every test must run: {reason}\n"
    "CI sets DATABASE_URL and REDIS_URL and installs the system packages the README lists (.ci/run)."
)


def _fail_instead_of_skip(report: pytest.CollectReport | pytest.TestReport) -> None:
    if not (IN_CI and report.skipped) or hasattr(report, "wasxfail"):  # an expected failure is not a gap
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    report.outcome = "failed"
    report.longrepr = CI_SKIP_MESSAGE.format(reason=reason.removeprefix("Skipped: "))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Skips in a test, its fixtures or its `skipif` marker."""
    outcome = yield
    _fail_instead_of_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """Module-level skips (`pytest.skip(..., allow_module_level=True)`)."""
    outcome = yield
    _fail_instead_of_skip(outcome.get_result())


@pytest.fixture(autouse=True)
def _fresh_cache(settings) -> None:
    """Give every test its own cache namespace.

    Rate limits (sign-in, private links) count in the cache, so without this one test's failed
    sign-ins would lock out the next test. A new key prefix isolates tests on the in-memory cache and
    on a Redis shared by parallel workers alike, without flushing a database other processes use.
    """
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    for config in caches.values():
        config["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _broker_not_paused(monkeypatch) -> None:
    """A broker failure in one test pauses publishing in its process; the next test starts unpaused."""
    from notifications import services as outbox

    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)


@pytest.fixture
def cast(db) -> SimpleNamespace:
    """The fixed cast of people and their two engagements (see the module docstring and `build_cast`)."""
    return build_cast()


def build_cast() -> SimpleNamespace:
    """The fixed cast of people and their two engagements (see the module docstring).

    Lee's engagement (coach Ada; sponsors Sam, Sol and the deactivated Vic) has two goals, one held
    session a week ago with a shared summary and private notes, and one scheduled session a week from
    now with an agenda item.
    Liv's engagement (coach Ben, sponsor Sue) has one goal and nothing else.
    """
    practice = PracticeFactory(name="Northbridge Coaching")
    ada = CoachFactory(email="ada@example.com", full_name="Ada Achebe", time_zone="Europe/London", practice=practice)
    ben = CoachFactory(email="ben@example.com", full_name="Ben Brandt", time_zone="Europe/Berlin", practice=practice)
    lee = UserFactory(email="lee@example.com", full_name="Lee Lindqvist", time_zone="America/New_York")
    liv = UserFactory(email="liv@example.com", full_name="Liv Larsen", time_zone="Europe/Oslo")
    sam = UserFactory(email="sam@example.com", full_name="Sam Sato", time_zone="America/New_York")
    sue = UserFactory(email="sue@example.com", full_name="Sue Suzuki", time_zone="Asia/Tokyo")
    sol = UserFactory(email="sol@example.com", full_name="Sol Serrano", time_zone="Europe/Madrid")
    vic = UserFactory(email="vic@example.com", full_name="Vic Varga", time_zone="Europe/Budapest", is_active=False)
    pam = UserFactory(
        email="pam@example.com",
        full_name="Pam Patel",
        time_zone="Europe/London",
        is_practice_admin=True,
        practice=practice,
    )

    pia = UserFactory(email="pia@example.com", full_name="Pia Pereira", time_zone="Europe/London")
    rex = UserFactory(
        email="rex@example.com", full_name="Rex Rahman", time_zone="Europe/London", is_reviewer=True, practice=practice
    )
    dex = CoachFactory(
        email="dex@example.com", full_name="Dex Dimitrov", time_zone="Europe/London", practice=practice, is_active=False
    )

    lee_engagement = EngagementFactory(coach=ada, leader=lee, sponsors=[sam, sol, vic], organisation="Acme Logistics")
    program = ProgramFactory(organisation=lee_engagement.client, name="Acme leaders 2026", managers=[pia])
    Engagement.objects.filter(pk=lee_engagement.pk).update(program=program)
    lee_engagement.program = program
    RowRelease.objects.create(engagement=lee_engagement, released_by=lee)  # Lee shows his row to the program
    lee_goals = [
        GoalFactory(
            engagement=lee_engagement,
            position=1,
            title="Stay calm under pressure from senior leaders",
            why_it_matters="Acme needs Lee's team heard in the quarterly planning round.",
        ),
        GoalFactory(
            engagement=lee_engagement,
            position=2,
            title="Delegate decisions to team leads",
            why_it_matters="The team doubles next year; Lee cannot approve everything.",
        ),
    ]
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    lee_past_session = SessionFactory(
        engagement=lee_engagement,
        kind=Session.Kind.KICKOFF,
        starts_at=hour - timedelta(days=7),
        status=Session.Status.HELD,
        outcome_recorded_at=hour - timedelta(days=7) + timedelta(hours=1),
        shared_summary=SHARED_SUMMARY,
        private_notes=PRIVATE_NOTES,
    )
    lee_next_session = SessionFactory(
        engagement=lee_engagement, starts_at=hour + timedelta(days=7), status=Session.Status.SCHEDULED
    )
    lee_agenda_item = AgendaItemFactory(session=lee_next_session, author=lee, text=AGENDA_ITEM)

    liv_engagement = EngagementFactory(coach=ben, leader=liv, sponsors=[sue], organisation="Borealis Energy")
    liv_goals = [GoalFactory(engagement=liv_engagement, position=1, title="Give direct feedback early")]

    return SimpleNamespace(
        password=TEST_PASSWORD,
        # Each role of the privacy classification (tests/privacy/base.py PEOPLE) played by one person;
        # None: no account (an anonymous visitor, a stakeholder holding a private link).
        people={
            "anonymous": None,
            "coach": ada,
            "other_coach": ben,
            "leader": lee,
            "other_leader": liv,
            "sponsor": sam,
            "second_sponsor": sol,
            "other_sponsor": sue,
            "practice_admin": pam,
            "former_sponsor": vic,
            "stakeholder": None,
            "assistant": None,  # a scheduling assistant: no account, a private booking link
            "program_manager": pia,
            "reviewer": rex,
            "former_coach": dex,
        },
        # Confidential texts of Lee's engagement: none may appear on a page its reader may not see.
        secrets={
            "private_notes": PRIVATE_NOTES,
            "shared_summary": SHARED_SUMMARY,
            "agenda_item": AGENDA_ITEM,
        },
        practice=practice,
        ada=ada,
        ben=ben,
        lee=lee,
        liv=liv,
        sam=sam,
        sol=sol,
        sue=sue,
        vic=vic,
        pam=pam,
        pia=pia,
        rex=rex,
        dex=dex,
        program=program,
        lee_engagement=lee_engagement,
        lee_goals=lee_goals,
        lee_past_session=lee_past_session,
        lee_next_session=lee_next_session,
        lee_agenda_item=lee_agenda_item,
        liv_engagement=liv_engagement,
        liv_goals=liv_goals,
    )


@pytest.fixture
def client_for(cast) -> Callable[[str], Client]:
    """`client_for("ada")`: a fresh test client signed in as that member of the cast."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(getattr(cast, name))
        return client

    return make


GERMAN_CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "de" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def german(settings, tmp_path):
    """German active, read from the catalogue as it stands in the repository: compiled into a folder of
    the test's own (the .mo is not committed, and parallel workers must not write the same file)."""
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt (Debian package gettext) is needed to compile the German catalogue.", pytrace=False)
    target = tmp_path / "locale" / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(["msgfmt", "--check", "-o", str(target / "django.mo"), str(GERMAN_CATALOGUE)], check=True)  # noqa: S603, S607
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    with translation.override("de"):
        yield
