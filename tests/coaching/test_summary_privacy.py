"""No sponsor page or PDF shows any private text, whatever the engagement holds.

Distinctive text is seeded in every private field the product has; the sponsor's home, summary and
PDF are then searched for each of them. A new private field belongs in `private_texts` below.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from engagements.models import AgendaItem, Session
from engagements.services import agenda_item_add, session_reschedule, session_schedule
from stakeholders.models import Stakeholder
from tests.coaching.helpers import PartnershipCheckInFactory, at, feedback_round, held, reviewed
from tests.factories import CommitmentFactory, PracticeLogFactory, WeeklyReflectionFactory

pytestmark = pytest.mark.django_db


def _seed_engagement_secrets(cast) -> dict[str, str]:
    e = cast.lee_engagement
    texts = {
        "private notes": "SECRET-PRIVATE-NOTES Lee fears losing the regional role.",
        "regular agenda item": "SECRET-AGENDA Should I look for another job?",
        "topic of a regular session turned three-way": "SECRET-TURNED Whether Sam is part of the problem.",
        "reflection topic on a three-way agenda": "SECRET-REFLECTION-TOPIC My manager is the problem.",
        "unreleased summary": "SECRET-UNRELEASED Lee is considering a move to finance.",
        "summary not shared with the sponsor": "SECRET-NOT-SHARED We talked about the divorce.",
        "unreleased three-way notes": "SECRET-THREE-WAY-DRAFT Sam pushed too hard.",
        "check-in comment": "SECRET-CHECKIN The coach talks too much.",
    }
    held(
        e,
        30,
        private_notes=texts["private notes"],
        shared_summary="Released.",
        summary_shared_with_sponsor=True,
        summary_released_at=at(-29),
    )
    regular = Session.objects.create(engagement=e, starts_at=at(5))
    AgendaItem.objects.create(session=regular, author=cast.lee, text=texts["regular agenda item"])
    three_way = Session.objects.create(engagement=e, starts_at=at(15), kind=Session.Kind.THREE_WAY)
    AgendaItem.objects.create(
        session=three_way,
        author=cast.lee,
        text=texts["reflection topic on a three-way agenda"],
        source=AgendaItem.Source.REFLECTION,
    )
    turned = session_schedule(engagement=e, starts_at=at(25))
    agenda_item_add(session=turned, author=cast.lee, text=texts["topic of a regular session turned three-way"])
    session_reschedule(
        session=turned,
        starts_at=turned.starts_at,
        duration_minutes=60,
        mode=turned.mode,
        kind=Session.Kind.THREE_WAY,
        location="",
    )
    held(e, 20, shared_summary=texts["unreleased summary"], summary_shared_with_sponsor=True)
    held(e, 15, shared_summary=texts["summary not shared with the sponsor"])
    held(
        e,
        12,
        kind=Session.Kind.THREE_WAY,
        shared_summary=texts["unreleased three-way notes"],
        summary_shared_with_sponsor=True,
    )
    PartnershipCheckInFactory(engagement=e, held_sessions=3, comment=texts["check-in comment"])
    # The cast's own: private notes, an agenda item, and a summary shared with the leader only.
    return texts | {f"cast {name}": text for name, text in cast.secrets.items()}


def _seed_fieldwork_secrets(cast) -> dict[str, str]:
    texts = {
        "commitment text": "SECRET-COMMITMENT Stop checking e-mail in the VP meeting.",
        "commitment where": "SECRET-WHERE Thursday board prep with Dana.",
        "review reason": "SECRET-REVIEW-REASON I was too ashamed to try.",
        "log note": "SECRET-LOG-NOTE Froze again with the VP.",
        "log what I tried": "SECRET-TRIED Counted to three under the table.",
        "log what went well": "SECRET-WELL Dana smiled.",
        "log what did not go well": "SECRET-BADLY My voice shook.",
        "log noticed in myself": "SECRET-NOTICED Anger at being interrupted.",
        "log others reacted": "SECRET-OTHERS The VP looked surprised.",
        "log will adjust": "SECRET-ADJUST Breathe before the meeting too.",
        "reflection wins": "SECRET-WINS Held my ground on the budget.",
        "reflection struggles": "SECRET-STRUGGLES Sleeping badly before reviews.",
        "reflection topics": "SECRET-TOPICS Whether to tell Sam about the offer.",
    }
    open_commitment = CommitmentFactory(
        session=cast.lee_past_session, text=texts["commitment text"], where_with_whom=texts["commitment where"]
    )
    reviewed(cast.lee_past_session, "not_done", review_reason=texts["review reason"])
    PracticeLogFactory(
        commitment=open_commitment,
        occurred_at=at(-1),
        note=texts["log note"],
        what_tried=texts["log what I tried"],
        went_well=texts["log what went well"],
        went_badly=texts["log what did not go well"],
        noticed_in_myself=texts["log noticed in myself"],
        others_reacted=texts["log others reacted"],
        will_adjust=texts["log will adjust"],
    )
    WeeklyReflectionFactory(
        engagement=cast.lee_engagement,
        wins=texts["reflection wins"],
        struggles=texts["reflection struggles"],
        topics=texts["reflection topics"],
    )
    return texts


def _seed_stakeholder_secrets(cast) -> dict[str, str]:
    texts = {
        "stakeholder suggestion": "SECRET-SUGGESTION Stop rolling your eyes at the CFO.",
        "stakeholder name": "SECRET-NAME Priya Ramaswamy",
        "stakeholder e-mail": "secret-priya@acme.example",
    }
    feedback_round(
        cast.lee_engagement,
        {"peer": [[2, 1], [1, 1], [3, 2]]},
        opened_days_ago=20,
        suggestion=texts["stakeholder suggestion"],
    )
    one = Stakeholder.objects.filter(engagement=cast.lee_engagement).first()
    Stakeholder.objects.filter(pk=one.pk).update(name=texts["stakeholder name"], email=texts["stakeholder e-mail"])
    return texts


@pytest.fixture
def private_texts(cast) -> dict[str, str]:
    return _seed_engagement_secrets(cast) | _seed_fieldwork_secrets(cast) | _seed_stakeholder_secrets(cast)


def _pdf_text(content: bytes) -> str:
    """The PDF's text with whitespace collapsed, so a sentence wrapped over two lines is still found."""
    if shutil.which("pdftotext") is None:  # pragma: no cover - poppler-utils is part of the toolchain
        pytest.skip("pdftotext (poppler-utils) is missing")
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


def _leaks(body: str, private_texts: dict[str, str]) -> list[str]:
    """Private fields whose text, or whose distinctive first word, appears in `body`."""
    return [
        field
        for field, text in private_texts.items()
        if text in body or (text.startswith("SECRET-") and text.split()[0] in body)
    ]


def test_no_sponsor_page_or_pdf_contains_private_text(cast, client_for, private_texts):
    sam = client_for("sam")
    e = cast.lee_engagement
    pages = {
        "home": sam.get("/").content.decode(),
        "sponsor home": sam.get("/sponsor/").content.decode(),
        "summary": sam.get(f"/engagements/{e.pk}/summary/").content.decode(),
        "summary PDF": _pdf_text(sam.get(f"/engagements/{e.pk}/summary.pdf").content),
    }
    leaks = [
        f"{field} on {page}" for page, body in pages.items() for field, text in private_texts.items() if text in body
    ]
    assert not leaks, leaks
    assert "Released." in pages["summary"] and "Released." in pages["summary PDF"]
    assert "Stakeholder net score" in pages["summary"]  # the round's aggregate is there, its texts are not
    # The seeding worked: the leader, who may read them, does see private texts on their own pages.
    leader_home = client_for("lee").get("/leader/").content.decode()
    assert private_texts["commitment text"] in leader_home and private_texts["regular agenda item"] in leader_home


def test_the_leaders_pdf_holds_no_private_text_either(cast, client_for, private_texts):
    text = _pdf_text(client_for("lee").get(f"/engagements/{cast.lee_engagement.pk}/summary.pdf").content)
    assert not _leaks(text, private_texts)


def test_the_summary_never_reads_the_coachs_private_notes(cast, private_texts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coaching.summary import engagement_summary

    with CaptureQueriesContext(connection) as ctx:
        engagement_summary(viewer=cast.sam, pk=cast.lee_engagement.pk)
    assert not any("private_notes" in q["sql"] for q in ctx.captured_queries)


def test_a_topic_written_for_a_regular_session_stays_hidden_after_the_session_becomes_three_way(cast, client_for):
    from engagements import services

    session = Session.objects.create(engagement=cast.lee_engagement, starts_at=at(10))
    services.agenda_item_add(session=session, author=cast.lee, text="Written in confidence: the VP scares me.")
    services.session_reschedule(
        session=session,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        mode=session.mode,
        kind=Session.Kind.THREE_WAY,
        location="",
    )
    services.agenda_item_add(session=session, author=cast.ada, text="For all three: the delegation plan.")

    page = client_for("sam").get(f"/engagements/{cast.lee_engagement.pk}/summary/").content.decode()

    assert "For all three: the delegation plan." in page
    assert "the VP scares me" not in page
