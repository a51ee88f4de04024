"""The page cache (coaching/pagecache.py): fragments per person, language, zone, minute and data
version; every kind of write shows at once, on the real database and the cache the tests configure."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone, translation

from coaching import pagecache
from engagements.models import Engagement, Goal
from notifications.models import Notification
from tests.coaching.helpers import at
from tests.factories import SessionFactory
from tests.notifications.factories import NotificationFactory
from tests.stakeholders.conftest import lee_roster, open_round, request_of  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

# The coach home with every fragment cached: the session and the user only (the navigation's role
# checks are kept with the fragments).
COACH_HOME_WARM_QUERIES = 2
COACH_HOME_COLD_QUERIES = 12


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _without_tokens(html: str) -> str:
    """The page without what differs on every response (CSRF tokens, create-once keys)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'name="idempotency_key" value="[^"]*"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


# --- What is written ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "groups"),
    [
        ("SELECT 1", set()),
        ('SELECT "x" FROM "engagements_session" FOR UPDATE', set()),
        ('INSERT INTO "engagements_session" ("a") VALUES (1)', {pagecache.DATA}),
        ('UPDATE "notifications_notification" SET "status" = 1', {pagecache.DATA}),
        ('DELETE FROM "fieldwork_practicelog" WHERE 1', {pagecache.DATA}),
        ('INSERT INTO "programs_ledgerentry" ("a") VALUES (1)', {pagecache.LEDGER}),
        ('UPDATE "django_session" SET "expire_date" = now()', set()),
        ("WITH x AS (SELECT 1) SELECT * FROM x", set()),
        ("WITH x AS (DELETE FROM a RETURNING *) SELECT * FROM x", {pagecache.DATA, pagecache.LEDGER}),
        ("TRUNCATE engagements_session", {pagecache.DATA, pagecache.LEDGER}),
        ('EXPLAIN ANALYZE SELECT 1 FROM "engagements_session"', set()),
        ('EXPLAIN ANALYZE UPDATE "engagements_session" SET "a" = 1', {pagecache.DATA, pagecache.LEDGER}),
    ],
)
def test_each_statement_changes_the_versions_of_the_tables_it_writes(sql, groups):
    assert pagecache.groups_written(sql) == groups


# --- Warm and cold -----------------------------------------------------------------------------


def test_a_cached_page_is_the_page_the_database_gives(cast, client_for):
    client = client_for("ada")
    cold = _page(client, "/coach/")
    warm = _page(client, "/coach/")
    assert _without_tokens(warm) == _without_tokens(cold)
    lee = client_for("lee")
    assert _without_tokens(_page(lee, "/leader/")) == _without_tokens(_page(lee, "/leader/"))
    sam = client_for("sam")
    path = f"/engagements/{cast.lee_engagement.pk}/summary/"
    assert _without_tokens(_page(sam, path)) == _without_tokens(_page(sam, path))


def test_a_warm_coach_home_runs_fewer_queries_and_always_the_same(cast, client_for, django_assert_num_queries):
    client = client_for("ada")
    with django_assert_num_queries(COACH_HOME_COLD_QUERIES):
        client.get("/coach/")
    for _ in range(2):
        with django_assert_num_queries(COACH_HOME_WARM_QUERIES):
            assert client.get("/coach/").status_code == 200


def test_forms_in_a_cached_fragment_get_this_responses_csrf_token_and_a_fresh_key(cast, client_for):
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(2))
    lee = client_for("lee")
    first, second = _page(lee, "/leader/"), _page(lee, "/leader/")
    keys = re.findall(r'name="idempotency_key" value="([^"]*)"', first + second)
    assert keys and all(keys) and len(set(keys)) == len(keys)
    for html in (first, second):
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html))
        assert len(tokens) == 1 and "" not in tokens
    # The cached fragment itself holds neither.
    cached = [v for v in _stored_fragments() if isinstance(v, str)]
    assert cached
    assert not any(re.search(r'name="(csrfmiddlewaretoken|idempotency_key)" value="[^"]+"', v) for v in cached)


def test_a_topic_added_through_a_cached_form_is_stored_and_shown(cast, client_for):
    session = SessionFactory(engagement=cast.lee_engagement, starts_at=at(2))
    lee = client_for("lee")
    _page(lee, "/leader/")
    html = _page(lee, "/leader/")  # from the cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', html).group(1)
    key = re.search(r'name="idempotency_key" value="([^"]*)"', html).group(1)
    lee.enforce_csrf_checks = True
    response = lee.post(
        f"/sessions/{session.pk}/agenda/",
        {"csrfmiddlewaretoken": token, "idempotency_key": key, "text": "Delegation at the offsite", "next": "/leader/"},
    )
    assert response.status_code in (200, 302)
    assert "Delegation at the offsite" in _page(lee, "/leader/")


def _stored_fragments() -> list:
    from django.core.cache import cache

    backend = getattr(cache, "_cache", None)
    if isinstance(backend, dict):  # the in-memory cache
        import pickle

        stored = [v for k, v in backend.items() if "pagecache:" in k and ":version:" not in k]
        return [pickle.loads(v) for v in stored]  # noqa: S301 - the test's own cache
    client = cache._cache.get_client()
    keys = [k for k in client.keys(f"{cache.key_prefix}*pagecache:*") if b":version:" not in k]
    return [cache._cache._serializer.loads(client.get(k)) for k in keys]


# --- Every kind of write shows at once ---------------------------------------------------------


def test_a_write_by_the_coach_shows_at_once(cast, client_for):
    ada = client_for("ada")
    assert "Goal written just now" not in _page(ada, "/coach/")
    Goal.objects.create(engagement=cast.lee_engagement, title="Goal written just now", position=9)
    assert "Goal written just now" in _page(ada, "/coach/")


def test_a_write_by_the_leader_through_a_page_shows_at_once(cast, client_for):
    session = SessionFactory(engagement=cast.lee_engagement, starts_at=at(2))
    lee = client_for("lee")
    assert "Ask about the budget" not in _page(lee, "/leader/")
    lee.post(f"/sessions/{session.pk}/agenda/", {"text": "Ask about the budget", "next": "/leader/"})
    assert "Ask about the budget" in _page(lee, "/leader/")


def test_a_write_by_a_sponsor_shows_at_once(cast, client_for):
    path = f"/engagements/{cast.lee_engagement.pk}/summary/"
    ada = client_for("ada")
    assert "Samantha Sato-Renamed" not in _page(ada, path)
    sam = client_for("sam")
    response = sam.post(
        "/account/preferences/", {"full_name": "Samantha Sato-Renamed", "time_zone": "America/New_York"}
    )
    assert response.status_code in (200, 302)
    assert "Samantha Sato-Renamed" in _page(ada, path)


def test_a_stakeholders_answer_through_the_private_link_shows_at_once(cast, client_for, lee_roster, open_round):  # noqa: F811
    feedback_round, tokens = open_round(closes_on=timezone.localdate() + timedelta(days=1))
    ada = client_for("ada")
    assert "Peer 0 of 3" in _page(ada, "/coach/") or "0 of 3" in _page(ada, "/coach/")
    assert "1 of 3" not in _page(ada, "/coach/")
    peer = lee_roster.peer[0]
    request = request_of(feedback_round, peer)
    answers = {f"score_{g.pk}": "2" for g in request.goals.order_by("position", "pk")}
    from django.test import Client

    assert Client().post(f"/f/{tokens[peer.pk]}/", answers).status_code in (200, 302)
    assert "1 of 3" in _page(ada, "/coach/")


def test_an_outbox_row_failed_by_a_worker_with_update_shows_at_once(cast, client_for):
    row = NotificationFactory(recipient=cast.lee, engagement_id=cast.lee_engagement.pk)
    ada = client_for("ada")
    assert "could not be sent" not in _page(ada, "/coach/")
    Notification.objects.filter(pk=row.pk).update(status=Notification.Status.FAILED)
    assert "could not be sent" in _page(ada, "/coach/")


def test_a_write_in_raw_sql_shows_at_once(cast, client_for):
    ada = client_for("ada")
    assert "Raw Organisation" not in _page(ada, "/coach/")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE engagements_engagement SET organisation = %s WHERE id = %s",
            ["Raw Organisation", cast.lee_engagement.pk],
        )
    assert "Raw Organisation" in _page(ada, "/coach/")


def test_a_committed_transaction_bumps_the_version_and_a_read_bumps_nothing(cast):
    before = pagecache.versions(pagecache.GROUPS)
    Engagement.objects.filter(pk=cast.lee_engagement.pk).exists()
    assert pagecache.versions(pagecache.GROUPS) == before
    with transaction.atomic():
        Engagement.objects.filter(pk=cast.lee_engagement.pk).update(organisation="Acme Two")
    assert pagecache.versions(pagecache.GROUPS) != before


def test_a_look_at_the_summary_changes_only_the_ledger_version(cast, client_for):
    sam = client_for("sam")
    path = f"/engagements/{cast.lee_engagement.pk}/summary/"
    _page(sam, path)
    data = pagecache.versions([pagecache.DATA])
    ledger = pagecache.versions([pagecache.LEDGER])
    _page(sam, path)  # records another look
    assert pagecache.versions([pagecache.DATA]) == data
    assert pagecache.versions([pagecache.LEDGER]) != ledger


def test_every_look_at_a_cached_summary_is_recorded(cast, client_for):
    from programs.models import LedgerEntry

    sam = client_for("sam")
    path = f"/engagements/{cast.lee_engagement.pk}/summary/"
    for _ in range(3):
        _page(sam, path)
    assert LedgerEntry.objects.filter(viewer=cast.sam, what=LedgerEntry.What.SUMMARY_VIEW).count() == 3


def test_a_sponsor_removed_from_the_engagement_no_longer_gets_the_cached_summary(cast, client_for):
    sam = client_for("sam")
    path = f"/engagements/{cast.lee_engagement.pk}/summary/"
    _page(sam, path)
    cast.lee_engagement.sponsors.remove(cast.sam)
    assert sam.get(path).status_code == 404


# --- Time, people, languages ------------------------------------------------------------------


def test_the_next_minute_refreshes_a_session_waiting_for_its_outcome(cast, client_for):
    now = timezone.now().replace(second=10, microsecond=0)
    with time_machine.travel(now, tick=False):
        session = SessionFactory(engagement=cast.lee_engagement, starts_at=now + timedelta(seconds=50))
        ada = client_for("ada")
        html = _page(ada, "/coach/")
        assert "outcome to record" not in html
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        html = _page(ada, "/coach/")
        assert f"/sessions/{session.pk}/" in html and "outcome to record" in html


def test_two_people_never_get_each_others_fragments(cast, client_for):
    ada, ben = client_for("ada"), client_for("ben")
    ada_home, ben_home = _page(ada, "/coach/"), _page(ben, "/coach/")
    assert "Lee Lindqvist" in ada_home and "Lee Lindqvist" not in ben_home
    assert "Liv Larsen" in ben_home and "Liv Larsen" not in ada_home
    assert "Lee Lindqvist" not in _page(ben, "/coach/")
    sam, sol = client_for("sam"), client_for("sol")
    path = f"/engagements/{cast.lee_engagement.pk}/summary/"
    _page(sam, path)
    assert sol.get(path).status_code == 200
    # Ben (not on the engagement) never gets it from the cache either.
    assert ben.get(path).status_code == 404


def test_a_german_reader_never_gets_the_english_fragment(cast, client_for, german):
    ada = client_for("ada")
    english = _page(ada, "/coach/")
    assert "Needs attention" in english
    # Without any write, the same person in German has a fragment key of their own.
    version = pagecache.versions(pagecache.GROUPS)
    with translation.override("de"):
        in_german = pagecache.page(_request_for(cast.ada), "coach_home", fragments=["content"], parts=[""])
    assert in_german.hits == {}
    with translation.override("en"):
        in_english = pagecache.page(_request_for(cast.ada), "coach_home", fragments=["content"], parts=[""])
    assert pagecache.versions(pagecache.GROUPS) == version
    assert in_german.prefix != in_english.prefix
    # And through the pages: after choosing German the page is German.
    cast.ada.language = "de"
    cast.ada.save(update_fields=["language"])
    html = _page(client_for("ada"), "/coach/")
    assert "Needs attention" not in html and 'lang="de"' in html


def test_a_reader_in_another_time_zone_gets_their_own_fragment(cast, client_for):
    SessionFactory(engagement=cast.lee_engagement, starts_at=at(1))
    ada = client_for("ada")
    _page(ada, "/coach/")
    version = pagecache.versions(pagecache.GROUPS)
    with timezone.override("Asia/Tokyo"):
        london = pagecache.page(_request_for(cast.ada), "coach_home", fragments=["content"], parts=[""])
    assert pagecache.versions(pagecache.GROUPS) == version
    assert (
        london.prefix != pagecache.page(_request_for(cast.ada), "coach_home", fragments=["content"], parts=[""]).prefix
    )


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/coach/")
    request.user = user
    return request


def test_with_the_cache_unreachable_pages_are_rendered_fresh(cast, client_for, settings):
    from tests.outage import cache_at_port
    from tests.silent_server import closed_port

    cache_at_port(settings, closed_port())
    ada = client_for("ada")
    assert "Goal while down" not in _page(ada, "/coach/")
    Goal.objects.create(engagement=cast.lee_engagement, title="Goal while down", position=9)
    assert "Goal while down" in _page(ada, "/coach/")


# --- The engagement and session pages ----------------------------------------------------------


def test_cached_engagement_and_session_pages_are_the_pages_the_database_gives(cast, client_for):
    for person in ("ada", "lee"):
        client = client_for(person)
        for path in (f"/engagements/{cast.lee_engagement.pk}/", f"/sessions/{cast.lee_next_session.pk}/"):
            cold = _page(client, path)
            assert _without_tokens(_page(client, path)) == _without_tokens(cold)


def test_a_sponsors_look_at_the_summary_shows_at_once_on_the_leaders_engagement_page(cast, client_for):
    lee = client_for("lee")
    path = f"/engagements/{cast.lee_engagement.pk}/"
    before = _page(lee, path)
    assert _page(lee, path) == before or _without_tokens(_page(lee, path)) == _without_tokens(before)
    client_for("sam").get(f"/engagements/{cast.lee_engagement.pk}/summary/")
    after = _page(lee, path)
    assert _without_tokens(after) != _without_tokens(before) and "Sam Sato" in after


def test_a_cached_engagement_page_is_a_404_for_someone_who_may_not_open_it(cast, client_for):
    ada = client_for("ada")
    _page(ada, f"/engagements/{cast.lee_engagement.pk}/")
    _page(ada, f"/sessions/{cast.lee_next_session.pk}/")
    for name in ("ben", "sam"):
        other = client_for(name)
        assert other.get(f"/engagements/{cast.lee_engagement.pk}/").status_code == 404
    assert client_for("ben").get(f"/sessions/{cast.lee_next_session.pk}/").status_code == 404


@pytest.mark.parametrize(("person", "path"), [("lee", "/leader/"), ("sam", "summary")])
def test_a_warm_leader_home_and_summary_run_fewer_queries(cast, client_for, django_assert_num_queries, person, path):
    client = client_for(person)
    path = f"/engagements/{cast.lee_engagement.pk}/summary/" if path == "summary" else path
    client.get(path)
    # The session and the user; the summary also records the look (one insert) and asks nothing else.
    for _ in range(2):
        with django_assert_num_queries(2 if person == "lee" else 3):
            assert client.get(path).status_code == 200


def test_a_warm_engagement_page_runs_fewer_queries_and_always_the_same(cast, client_for, django_assert_num_queries):
    lee = client_for("lee")
    path = f"/engagements/{cast.lee_engagement.pk}/"
    lee.get(path)
    # The session, the user, and who may open the engagement.
    for _ in range(2):
        with django_assert_num_queries(3):
            assert lee.get(path).status_code == 200
