"""The private calendar feed: who sees which sessions, how long cancelled ones stay, and the link itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from engagements import services
from engagements.models import CalendarFeed, Session
from engagements.selectors import FEED_CANCELLED_FOR, FEED_PAST
from tests.engagements.calendar_helpers import parse_both
from tests.factories import AgendaItemFactory, EngagementFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _hour(days: float):
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def _feed_url(user) -> str:
    _, token = services.calendar_feed_regenerate(user=user)
    return f"/calendar/feed/{token}.ics"


def _read(url: str):
    response = Client().get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    return parse_both(response.content)


def _uids(parsed) -> set[str]:
    return {e.uid.value for e in parsed.vevents}


def _uid(session) -> str:
    return f"session-{session.pk}@127.0.0.1"


@pytest.fixture
def three_way(cast):
    return SessionFactory(engagement=cast.lee_engagement, kind=Session.Kind.THREE_WAY, starts_at=_hour(14))


def test_the_coach_and_the_leader_see_every_session_of_the_engagement(cast, three_way):
    everything = {_uid(cast.lee_past_session), _uid(cast.lee_next_session), _uid(three_way)}
    assert _uids(_read(_feed_url(cast.ada))) == everything
    assert _uids(_read(_feed_url(cast.lee))) == everything


def test_a_sponsor_sees_only_the_three_way_meetings_of_the_engagements_they_sponsor(cast, three_way):
    SessionFactory(engagement=cast.liv_engagement, kind=Session.Kind.THREE_WAY, starts_at=_hour(15))
    assert _uids(_read(_feed_url(cast.sam))) == {_uid(three_way)}
    assert _uids(_read(_feed_url(cast.sol))) == {_uid(three_way)}
    assert _uid(three_way) not in _uids(_read(_feed_url(cast.sue)))


def test_other_people_see_nothing_of_the_engagement(cast, three_way):
    for person in (cast.ben, cast.liv, cast.sue, cast.pam):
        parsed = _read(_feed_url(person))
        assert not {_uid(cast.lee_next_session), _uid(three_way)} & _uids(parsed)


def test_a_leader_awaiting_acceptance_gets_nothing_of_that_engagement(cast):
    newcomer = UserFactory()
    engagement = EngagementFactory(coach=cast.ada, leader=newcomer, awaiting_leader=True)
    session = SessionFactory(engagement=engagement, kind=Session.Kind.THREE_WAY)
    url = _feed_url(newcomer)
    assert _uids(_read(url)) == set()
    assert _uid(session) in _uids(_read(_feed_url(cast.ada)))
    engagement.awaiting_leader = False
    engagement.save()
    assert _uids(_read(url)) == {_uid(session)}


def test_the_feed_carries_times_kind_place_and_video_link_but_no_private_text(cast, three_way):
    services.session_write_notes(
        session=cast.lee_past_session,
        shared_summary="Shared words",
        private_notes="Private words",
        summary_shared_with_sponsor=True,
    )
    AgendaItemFactory(session=three_way, author=cast.lee, text="Topic for the three-way", visible_to_sponsor=True)
    for person in (cast.ada, cast.lee, cast.sam):
        parsed = _read(_feed_url(person))
        for private in (
            cast.secrets["agenda_item"],
            "Topic for the three-way",
            "Shared words",
            "Private words",
            cast.lee_goals[0].title,
            cast.lee_goals[0].why_it_matters,
        ):
            assert private not in parsed.text
        for vevent in parsed.vevents:
            assert vevent.organizer.value == "mailto:ada@example.com"
            assert vevent.location.value == "Video call"


def test_a_cancelled_session_stays_in_the_feed_as_cancelled_for_thirty_days(cast):
    session = cast.lee_next_session
    services.session_cancel(session=session)
    url = _feed_url(cast.lee)
    (event,) = [e for e in _read(url).vevents if e.uid.value == _uid(session)]
    assert event.status.value == "CANCELLED"
    assert int(event.sequence.value) == 1
    cancelled_at = Session.objects.get(pk=session.pk).cancelled_at
    assert FEED_CANCELLED_FOR == timedelta(days=30)
    with time_machine.travel(cancelled_at + FEED_CANCELLED_FOR - timedelta(minutes=1), tick=False):
        assert _uid(session) in _uids(_read(url))
    with time_machine.travel(cancelled_at + FEED_CANCELLED_FOR, tick=False):
        assert _uid(session) not in _uids(_read(url))


def test_a_late_cancellation_recorded_after_the_start_also_shows_as_cancelled(cast):
    session = cast.lee_next_session
    with time_machine.travel(session.starts_at + timedelta(hours=2), tick=False):
        services.session_record_outcome(session=session, status=Session.Status.LATE_CANCEL)
        (event,) = [e for e in _read(_feed_url(cast.lee)).vevents if e.uid.value == _uid(session)]
    assert event.status.value == "CANCELLED"


def test_sessions_older_than_the_feeds_reach_are_left_out(cast):
    old = SessionFactory(engagement=cast.lee_engagement, starts_at=_hour(0) - FEED_PAST - timedelta(hours=1))
    assert _uid(old) not in _uids(_read(_feed_url(cast.ada)))


def test_a_new_link_replaces_the_old_one_and_a_revoked_link_gives_nothing(cast):
    old = _feed_url(cast.lee)
    new = _feed_url(cast.lee)
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.filter(user=cast.lee, revoked_at__isnull=True).count() == 1
    assert services.calendar_feed_revoke(user=cast.lee) == 1
    response = Client().get(new)
    assert response.status_code == 404
    assert b"VEVENT" not in response.content


def test_the_link_is_long_random_and_stored_only_as_a_hash(cast):
    feed, token = services.calendar_feed_regenerate(user=cast.lee)
    assert len(token) >= 43
    assert token not in feed.token_hash and token != feed.nonce
    other_feed, other_token = services.calendar_feed_regenerate(user=cast.ada)
    assert other_token != token
    assert services.calendar_feed_token(feed=feed) == token


def test_a_link_dies_with_its_key_and_with_its_account(cast, settings):
    url = _feed_url(cast.lee)
    with override_settings(
        SECRET_KEY="a-new-key-for-this-test-only-0123456789", SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        assert Client().get(url).status_code == 200
    with override_settings(SECRET_KEY="a-new-key-for-this-test-only-0123456789", SECRET_KEY_FALLBACKS=[]):
        assert Client().get(url).status_code == 404
    cast.lee.is_active = False
    cast.lee.save()
    assert Client().get(url).status_code == 404


def test_a_mistyped_or_oversized_link_is_a_plain_404(cast):
    for path in ("/calendar/feed/nope.ics", "/calendar/feed/" + "x" * 500 + ".ics"):
        response = Client().get(path)
        assert response.status_code == 404
        assert response["Cache-Control"] == "no-store"


def test_guessing_links_is_rate_limited(cast):
    client = Client()
    answers = [client.get(f"/calendar/feed/guess-{n}.ics").status_code for n in range(25)]
    assert answers[:20] == [404] * 20
    assert answers[-1] == 429


def _grow(engagement, n: int) -> None:
    for i in range(n):
        SessionFactory(engagement=engagement, starts_at=_hour(20 + i))
        SessionFactory(engagement=engagement, kind=Session.Kind.THREE_WAY, starts_at=_hour(-20 - i), status="held")


def test_the_feed_reads_a_fixed_number_of_queries_however_many_sessions(cast, django_assert_num_queries):
    url = _feed_url(cast.sam)
    lee_url = _feed_url(cast.lee)
    # 1 the feed behind the token (with its person), 2 the sessions with engagement, coach, room, leader,
    # 3 the default language of the person's practice (they have not chosen one: the feed is written in it).
    with django_assert_num_queries(3):
        Client().get(url)
    _grow(cast.lee_engagement, 12)
    with django_assert_num_queries(3):
        assert len(_read(url).vevents) == 12
    with django_assert_num_queries(3):
        assert len(_read(lee_url).vevents) == 26
