"""Which agenda topics a sponsor reads: decided when a topic is written or shared, never by the session's kind later.

A topic written for a regular session stays between coach and leader even when the coach turns the
session into a three-way meeting; a topic written for a three-way meeting, or shared by the leader,
is on the sponsor's summary and its PDF. The leader sees next to each topic whether the sponsor will.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from coaching.summary import engagement_summary
from engagements.models import AgendaItem, Session
from engagements.services import agenda_item_add, session_reschedule, session_schedule
from tests.coaching.helpers import at

pytestmark = pytest.mark.django_db

PRIVATE_TOPIC = "Whether I can trust Sam with the restructuring news"
THREE_WAY_TOPIC = "Agree what progress Sam wants to see by spring"


def _turn_three_way(session: Session) -> Session:
    return session_reschedule(
        session=session,
        starts_at=at(9),
        duration_minutes=session.duration_minutes,
        mode=session.mode,
        kind=Session.Kind.THREE_WAY,
        location="",
    )


def _sponsor_agenda(cast) -> list[str]:
    summary = engagement_summary(viewer=cast.sam, pk=cast.lee_engagement.pk, preview=False)
    return [topic for meeting in summary.three_way_meetings for topic in meeting.agenda]


def _pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:  # pragma: no cover - poppler-utils is part of the toolchain
        pytest.skip("pdftotext (poppler-utils) is missing")
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


@pytest.fixture
def regular_topic(cast) -> AgendaItem:
    session = session_schedule(engagement=cast.lee_engagement, starts_at=at(8))
    return agenda_item_add(session=session, author=cast.lee, text=PRIVATE_TOPIC)


def test_a_topic_of_a_regular_session_stays_private_when_the_coach_makes_it_three_way(cast, client_for, regular_topic):
    _turn_three_way(regular_topic.session)

    regular_topic.refresh_from_db()
    assert regular_topic.visible_to_sponsor is False
    assert PRIVATE_TOPIC not in _sponsor_agenda(cast)
    sam = client_for("sam")
    assert PRIVATE_TOPIC not in sam.get(f"/engagements/{cast.lee_engagement.pk}/summary/").content.decode()
    assert PRIVATE_TOPIC not in _pdf_text(sam.get(f"/engagements/{cast.lee_engagement.pk}/summary.pdf").content)


def test_a_topic_written_for_a_three_way_meeting_reaches_the_sponsor_and_its_pdf(cast, client_for):
    meeting = session_schedule(engagement=cast.lee_engagement, starts_at=at(8), kind=Session.Kind.THREE_WAY)
    item = agenda_item_add(session=meeting, author=cast.lee, text=THREE_WAY_TOPIC)

    assert item.visible_to_sponsor is True
    assert _sponsor_agenda(cast) == [THREE_WAY_TOPIC]
    pdf = _pdf_text(client_for("sam").get(f"/engagements/{cast.lee_engagement.pk}/summary.pdf").content)
    assert THREE_WAY_TOPIC in pdf


def test_moving_a_three_way_meeting_keeps_its_shared_topics_and_its_private_ones(cast, regular_topic):
    meeting = _turn_three_way(regular_topic.session)
    agenda_item_add(session=meeting, author=cast.ada, text=THREE_WAY_TOPIC, source=AgendaItem.Source.COACH)

    session_reschedule(
        session=meeting, starts_at=at(11), duration_minutes=90, mode=meeting.mode, kind=meeting.kind, location=""
    )

    assert _sponsor_agenda(cast) == [THREE_WAY_TOPIC]


def test_a_reflection_topic_on_a_three_way_meeting_is_not_shown_to_the_sponsor(cast):
    meeting = session_schedule(engagement=cast.lee_engagement, starts_at=at(8), kind=Session.Kind.THREE_WAY)
    item = agenda_item_add(session=meeting, author=cast.lee, text=PRIVATE_TOPIC, source=AgendaItem.Source.REFLECTION)

    assert item.visible_to_sponsor is False
    assert _sponsor_agenda(cast) == []


def test_the_leader_shares_a_private_topic_with_the_sponsor_and_can_take_it_back(cast, client_for, regular_topic):
    meeting = _turn_three_way(regular_topic.session)
    lee = client_for("lee")
    url = f"/sessions/{meeting.pk}/agenda/{regular_topic.pk}/share/"

    response = lee.post(url, {"shared": "1"})

    assert response.status_code == 302
    assert _sponsor_agenda(cast) == [PRIVATE_TOPIC]
    lee.post(url, {"shared": "0"}, HTTP_HX_REQUEST="true")
    assert _sponsor_agenda(cast) == []


def test_the_coach_cannot_widen_what_the_sponsor_reads_of_the_leaders_agenda(cast, client_for, regular_topic):
    meeting = _turn_three_way(regular_topic.session)

    response = client_for("ada").post(f"/sessions/{meeting.pk}/agenda/{regular_topic.pk}/share/", {"shared": "1"})

    assert response.status_code == 403
    regular_topic.refresh_from_db()
    assert regular_topic.visible_to_sponsor is False


def test_a_topic_of_a_regular_session_cannot_be_shared(cast, regular_topic):
    from django.core.exceptions import ValidationError

    from engagements.services import agenda_item_share_with_sponsor

    with pytest.raises(ValidationError):
        agenda_item_share_with_sponsor(item=regular_topic, user=cast.lee, shared=True)
    with pytest.raises(PermissionDenied):
        agenda_item_share_with_sponsor(item=regular_topic, user=cast.ada, shared=False)
    regular_topic.refresh_from_db()
    assert regular_topic.visible_to_sponsor is False


def test_the_leader_sees_next_to_each_topic_whether_the_sponsor_will(cast, client_for, regular_topic):
    meeting = _turn_three_way(regular_topic.session)
    agenda_item_add(session=meeting, author=cast.lee, text=THREE_WAY_TOPIC)

    html = client_for("lee").get(f"/sessions/{meeting.pk}/").content.decode()

    private_at, shared_at = html.index(PRIVATE_TOPIC), html.index(THREE_WAY_TOPIC)
    assert "Only you and your coach" in html[private_at : private_at + 400]
    assert "Sponsor sees this" in html[shared_at : shared_at + 400]
    assert "Share with sponsor" in html and "Stop sharing" in html


def test_the_migration_shows_the_sponsor_only_what_three_way_sessions_showed_before(cast):
    migration = importlib.import_module("engagements.migrations.0002_agenda_item_visible_to_sponsor")
    meeting = session_schedule(engagement=cast.lee_engagement, starts_at=at(8), kind=Session.Kind.THREE_WAY)
    on_meeting = AgendaItem.objects.create(session=meeting, author=cast.lee, text="On the three-way")
    from_reflection = AgendaItem.objects.create(
        session=meeting, author=cast.lee, text="From a reflection", source=AgendaItem.Source.REFLECTION
    )
    regular = AgendaItem.objects.create(session=cast.lee_next_session, author=cast.lee, text="On a regular session")

    migration.flag_three_way_topics(apps, None)

    flags = dict(
        AgendaItem.objects.filter(session__engagement=cast.lee_engagement).values_list("pk", "visible_to_sponsor")
    )
    assert flags[on_meeting.pk] is True
    assert flags[from_reflection.pk] is False
    assert flags[regular.pk] is False
    assert flags[cast.lee_agenda_item.pk] is False
