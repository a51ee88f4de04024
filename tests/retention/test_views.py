"""Retention pages: the practice admin's setting and upcoming erasures, "erase now" with its
confirmation, and what the engagement and session pages say before and after erasure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from engagements import services as engagement_services
from engagements.models import Engagement, Session
from retention import services
from retention.models import Erasure, RetentionPolicy

ENDED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def ended(cast):
    with time_machine.travel(ENDED, tick=False):
        engagement_services.engagement_set_status(engagement=cast.lee_engagement, status=Engagement.Status.COMPLETED)
    cast.lee_engagement.refresh_from_db()
    return cast.lee_engagement


def test_the_practice_admin_sees_the_default_period_and_the_upcoming_erasures(cast, ended, client_for):
    page = client_for("pam").get("/practice/retention/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'value="24"' in text
    assert "Lee" in text and "20 Nov 2028" in text  # 24 months after the end
    assert f"/engagements/{ended.pk}/erase/" in text
    assert "/practice/retention/" in client_for("pam").get("/practice/").content.decode()


def test_the_practice_admin_sets_the_period_and_the_dates_follow(cast, ended, client_for):
    response = client_for("pam").post("/practice/retention/", {"months": "6"})
    assert response.status_code == 302
    assert RetentionPolicy.objects.get(practice=cast.practice).months == 6
    assert "20 May 2027" in client_for("pam").get("/practice/retention/").content.decode()


@pytest.mark.parametrize("typed", ["0", "121", "two years", ""])
def test_a_period_out_of_range_is_refused_with_what_was_typed(cast, client_for, typed):
    response = client_for("pam").post("/practice/retention/", {"months": typed})
    text = response.content.decode()
    assert response.status_code == 400
    assert "from 1 to 120" in text
    assert f'value="{typed}"' in text or typed == ""
    assert not RetentionPolicy.objects.exists()


@pytest.mark.parametrize("person", ["ada", "lee", "sam"])
def test_only_the_practice_admin_opens_the_retention_page(cast, client_for, person):
    assert client_for(person).get("/practice/retention/").status_code == 403


def test_the_coach_and_the_leader_see_the_planned_erasure_on_the_engagement_page(cast, ended, client_for):
    for person in ("ada", "lee"):
        text = client_for(person).get(f"/engagements/{ended.pk}/").content.decode()
        assert "Erasure planned on 20 Nov 2028" in text
    assert "Erase now" in client_for("lee").get(f"/engagements/{ended.pk}/").content.decode()
    assert "Erase now" not in client_for("ada").get(f"/engagements/{ended.pk}/").content.decode()


def test_an_open_engagement_page_shows_no_retention_panel(cast, client_for):
    assert "Erasure planned" not in client_for("ada").get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()


def test_the_leader_is_offered_the_export_before_confirming(cast, ended, client_for):
    page = client_for("lee").get(f"/engagements/{ended.pk}/erase/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'href="/exports/"' in text
    assert 'name="confirm"' in text


def test_erase_now_without_confirming_erases_nothing(cast, ended, client_for):
    response = client_for("lee").post(f"/engagements/{ended.pk}/erase/", {})
    assert response.status_code == 400
    assert "Tick the box to confirm the erasure." in response.content.decode()
    assert not Erasure.objects.filter(erased_at__isnull=False).exists()


def test_the_leader_erases_now_and_everyone_reads_erased_on(cast, ended, client_for):
    cast.lee_past_session.private_notes = "Quetzal-notes about Lee"
    cast.lee_past_session.save(update_fields=["private_notes"])
    response = client_for("lee").post(f"/engagements/{ended.pk}/erase/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == f"/engagements/{ended.pk}/"
    erasure = Erasure.objects.get(engagement=ended)
    assert (erasure.reason, erasure.erased_by, erasure.erased_by_name) == ("leader", cast.lee, cast.lee.full_name)
    assert not Session.objects.filter(private_notes="Quetzal-notes about Lee").exists()
    day = timezone.localdate().strftime("%-d %b %Y")
    for person in ("ada", "lee"):
        for path in (f"/engagements/{ended.pk}/", f"/sessions/{cast.lee_past_session.pk}/"):
            page = client_for(person).get(path)
            assert page.status_code == 200, path
            assert f"Erased on {day}" in page.content.decode()
            assert "at the leader's request" in page.content.decode()
    # A second confirmation changes nothing.
    client_for("lee").post(f"/engagements/{ended.pk}/erase/", {"confirm": "on"})
    assert Erasure.objects.get(engagement=ended).erased_at == erasure.erased_at


def test_the_practice_admin_erases_now(cast, ended, client_for):
    response = client_for("pam").post(f"/engagements/{ended.pk}/erase/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/practice/retention/"
    erasure = Erasure.objects.get(engagement=ended)
    assert (erasure.reason, erasure.erased_by) == ("practice_admin", cast.pam)
    assert "the practice admin asked for it" in client_for("pam").get("/practice/retention/").content.decode()


@pytest.mark.parametrize("person", ["ada", "sam", "liv", "ben"])
def test_no_one_else_may_erase(cast, ended, client_for, person):
    assert client_for(person).get(f"/engagements/{ended.pk}/erase/").status_code == 404
    assert client_for(person).post(f"/engagements/{ended.pk}/erase/", {"confirm": "on"}).status_code == 404
    assert not Erasure.objects.filter(erased_at__isnull=False).exists()


def test_an_open_engagement_cannot_be_erased_now(cast, client_for):
    e = cast.lee_engagement
    assert "once it has ended" in client_for("lee").get(f"/engagements/{e.pk}/erase/").content.decode()
    response = client_for("lee").post(f"/engagements/{e.pk}/erase/", {"confirm": "on"})
    assert response.status_code == 400
    assert not Erasure.objects.exists()


def test_the_retention_panel_costs_one_query_on_a_finished_engagement_and_none_on_an_open_one(
    cast, ended, rf, django_assert_num_queries
):
    from retention.panels import retention_panel

    request = rf.get("/")
    request.user = cast.ada
    with django_assert_num_queries(1):  # the engagement with its erasure record and the practice's period
        panel = retention_panel(request, ended)
    assert panel.context["state"].erase_on == ENDED.date().replace(year=2028)
    other = cast.liv_engagement
    with django_assert_num_queries(0):
        assert retention_panel(request, other) is None


def test_the_planned_day_on_the_page_moves_when_the_notice_comes_late(cast, ended, client_for):
    late = datetime(2029, 1, 5, 12, tzinfo=UTC)
    with time_machine.travel(late, tick=False):
        services.retention_run()
        text = client_for("ada").get(f"/engagements/{ended.pk}/").content.decode()
    assert "Erasure planned on 4 Feb 2029" in text  # thirty days after the notice
    assert "offered their record on 5 Jan 2029" in text


def test_the_retention_page_runs_the_same_queries_however_many_engagements_ended(cast, ended, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import EngagementFactory

    client = client_for("pam")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/practice/retention/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        other = EngagementFactory(coach=cast.ben)
        with time_machine.travel(ENDED, tick=False):
            engagement_services.engagement_set_status(engagement=other, status=Engagement.Status.COMPLETED)
    Erasure.objects.create(engagement=other, erased_at=timezone.now(), reason="policy")
    assert count() == one
    assert client.get("/practice/retention/").content.decode().count("/erase/") == 3  # Lee's and two of Ben's
