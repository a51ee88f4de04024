"""Engagement and session pages: what each form does, what bad input keeps, and fixed query counts."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from engagements.models import AgendaItem, Engagement, Session
from tests.factories import EngagementFactory, GoalFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _new_engagement_form(**overrides):
    data = {
        "leader_name": "Nia Leader",
        "leader_email": "nia@example.com",
        "organisation": "Globex",
        "sponsor_name": "Sid Sponsor",
        "sponsor_email": "sid@example.com",
        "start_date": "2026-12-01",
        "planned_end_date": "2027-05-01",
        "planned_sessions": "6",
        "cadence_days": "14",
    }
    data.update(overrides)
    return data


def test_coach_creates_an_engagement_and_the_leader_and_sponsor_are_invited(
    client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("ada").post("/engagements/new/", _new_engagement_form())
    engagement = Engagement.objects.get(organisation="Globex")
    assert response.status_code == 302 and response["Location"] == f"/engagements/{engagement.pk}/"
    assert sorted(m.to[0] for m in mail.outbox) == ["nia@example.com", "sid@example.com"]


def test_a_bad_engagement_form_keeps_what_was_typed_and_says_why(client_for):
    response = client_for("ada").post(
        "/engagements/new/", _new_engagement_form(planned_end_date="2026-11-01", planned_sessions="0")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The planned end date must be after the start date." in html
    assert "Ensure this value is greater than or equal to 1." in html
    assert 'value="Nia Leader"' in html and 'value="Globex"' in html and 'value="sid@example.com"' in html
    assert not Engagement.objects.filter(organisation="Globex").exists()


def test_a_leader_cannot_create_an_engagement(client_for):
    assert client_for("lee").post("/engagements/new/", _new_engagement_form()).status_code == 403
    assert not Engagement.objects.filter(organisation="Globex").exists()


def test_the_coach_sees_private_notes_and_the_leader_does_not(cast, client_for):
    path = f"/sessions/{cast.lee_past_session.pk}/"
    coach_page = client_for("ada").get(path).content.decode()
    leader_page = client_for("lee").get(path).content.decode()
    assert cast.secrets["private_notes"] in coach_page
    assert cast.secrets["private_notes"] not in leader_page
    assert cast.secrets["shared_summary"] in leader_page


def test_the_sponsor_and_the_other_coach_get_404_on_the_engagement(cast, client_for):
    for name in ("sam", "ben", "liv", "sue"):
        assert client_for(name).get(f"/engagements/{cast.lee_engagement.pk}/").status_code == 404


def test_coach_schedules_a_session_in_their_own_time_zone(cast, client_for):
    local_start = (
        (timezone.now() + timedelta(days=10))
        .astimezone(cast.ada.tz)
        .replace(hour=9, minute=30, second=0, microsecond=0)
    )
    response = client_for("ada").post(
        f"/engagements/{cast.lee_engagement.pk}/sessions/new/",
        {
            "starts_at": local_start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "kind": "regular",
            "mode": "video",
        },
    )
    session = Session.objects.latest("created_at")
    assert response.status_code == 302
    assert session.starts_at == local_start


def test_a_session_in_the_past_is_refused_and_the_form_keeps_the_values(cast, client_for):
    last_month = timezone.localtime() - timedelta(days=30)
    response = client_for("ada").post(
        f"/engagements/{cast.lee_engagement.pk}/sessions/new/",
        {
            "starts_at": last_month.strftime("%Y-%m-%dT10:00"),
            "duration_minutes": "45",
            "kind": "three_way",
            "mode": "phone",
            "location": "Room 4",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a time in the future" in html
    assert f'value="{last_month:%Y-%m-%d}T10:00"' in html and 'value="Room 4"' in html and 'value="45"' in html


def test_recording_a_no_show_with_htmx_returns_the_fragment(cast, client_for):
    session = SessionFactory(engagement=cast.lee_engagement, starts_at=timezone.now() - timedelta(hours=2))
    response = client_for("ada").post(f"/sessions/{session.pk}/outcome/", {"status": "no_show"}, HTTP_HX_REQUEST="true")
    session.refresh_from_db()
    assert session.status == Session.Status.NO_SHOW
    assert "<html" not in response.content.decode() and "No-show" in response.content.decode()


def test_the_leader_cannot_record_an_outcome(cast, client_for):
    response = client_for("lee").post(f"/sessions/{cast.lee_next_session.pk}/outcome/", {"status": "late_cancel"})
    assert response.status_code == 404
    cast.lee_next_session.refresh_from_db()
    assert cast.lee_next_session.status == Session.Status.SCHEDULED


def test_the_leader_adds_an_agenda_topic_to_the_next_session(cast, client_for):
    response = client_for("lee").post(
        f"/sessions/{cast.lee_next_session.pk}/agenda/", {"text": "Feedback to my peer", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert AgendaItem.objects.filter(
        session=cast.lee_next_session, text="Feedback to my peer", author=cast.lee
    ).exists()


def test_an_agenda_redirect_never_leaves_the_site(cast, client_for):
    response = client_for("lee").post(
        f"/sessions/{cast.lee_next_session.pk}/agenda/", {"text": "x", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == f"/sessions/{cast.lee_next_session.pk}/"


def test_an_empty_agenda_topic_is_refused_with_a_message_over_htmx(cast, client_for):
    response = client_for("lee").post(
        f"/sessions/{cast.lee_next_session.pk}/agenda/", {"text": ""}, HTTP_HX_REQUEST="true"
    )
    assert "This field is required." in response.content.decode()
    assert cast.lee_next_session.agenda_items.count() == 1


def test_the_coach_writes_notes_and_releases_the_summary(cast, client_for):
    client = client_for("ada")
    session = cast.lee_past_session
    client.post(
        f"/sessions/{session.pk}/notes/",
        {"shared_summary": "Plan agreed", "private_notes": "mine only", "summary_shared_with_sponsor": "on"},
    )
    client.post(f"/sessions/{session.pk}/release/")
    session.refresh_from_db()
    assert session.private_notes == "mine only" and session.sponsor_sees_summary


def test_the_coach_pauses_an_engagement(cast, client_for):
    client_for("ada").post(f"/engagements/{cast.lee_engagement.pk}/status/", {"status": "paused"})
    cast.lee_engagement.refresh_from_db()
    assert cast.lee_engagement.status == Engagement.Status.PAUSED


def test_a_fourth_goal_is_refused_with_a_message(cast, client_for):
    GoalFactory(engagement=cast.lee_engagement, title="Third goal")
    response = client_for("ada").post(
        f"/engagements/{cast.lee_engagement.pk}/goals/new/", {"title": "Fourth", "why_it_matters": "Because"}
    )
    assert response.status_code == 200 and "at most 3 goals" in response.content.decode()
    assert 'value="Fourth"' in response.content.decode()


def _grow(engagement, n):
    for i in range(n):
        SessionFactory(
            engagement=engagement, starts_at=timezone.now() - timedelta(days=30 + i), status=Session.Status.HELD
        )


def _count_queries(client, path) -> int:
    """The queries of the page rendered from the database (its cached fragments dropped first)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coaching import pagecache

    pagecache.bump(pagecache.GROUPS)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("person", ["ada", "lee"])
def test_the_engagement_page_runs_the_same_queries_with_more_sessions(cast, client_for, person):
    """The engagement page's query count does not grow with sessions and agenda items.

    Queries come from the engagement (with counts), sponsors, goals, sessions, their agenda items,
    the user and the session, plus each registered panel's own fixed queries.
    """
    client = client_for(person)
    path = f"/engagements/{cast.lee_engagement.pk}/"
    client.get(path)
    small = _count_queries(client, path)
    _grow(cast.lee_engagement, 25)
    for i in range(5):
        AgendaItem.objects.create(session=cast.lee_next_session, author=cast.lee, text=f"topic {i}")
    assert _count_queries(client, path) == small


def test_the_session_page_runs_the_same_queries_with_more_agenda_items(cast, client_for):
    client = client_for("ada")
    path = f"/sessions/{cast.lee_next_session.pk}/"
    small = _count_queries(client, path)
    for i in range(20):
        AgendaItem.objects.create(session=cast.lee_next_session, author=cast.lee, text=f"topic {i}")
    assert _count_queries(client, path) == small


def test_the_coach_home_runs_the_same_queries_with_more_engagements(cast, client_for):
    client = client_for("ada")
    small = _count_queries(client, "/coach/")
    for _ in range(6):
        engagement = EngagementFactory(coach=cast.ada)
        GoalFactory(engagement=engagement)
        _grow(engagement, 3)
    assert _count_queries(client, "/coach/") == small


def test_the_coach_home_lists_open_engagements_and_filters_by_status(cast, client_for):
    EngagementFactory(coach=cast.ada, organisation="Finished Org", status=Engagement.Status.COMPLETED)
    client = client_for("ada")
    assert "Finished Org" not in client.get("/coach/").content.decode()
    assert "Finished Org" in client.get("/coach/?status=completed").content.decode()
    assert "Acme Logistics" in client.get("/coach/").content.decode()


def test_the_engagement_page_keeps_every_form_out_of_inline_elements(cast, client_for):
    """A <form> inside a <span> is invalid HTML (the Nu checker refuses it)."""
    import re

    for person in ("ada", "lee"):
        html = client_for(person).get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()
        stack: list[str] = []
        for closing, tag in re.findall(r"<(/?)(span|form|div|li|ul|dd|dl|section)\b", html):
            if closing:
                assert stack and stack[-1] == tag, (person, tag, stack[-5:])
                stack.pop()
            else:
                assert not (tag == "form" and "span" in stack), (person, stack[-5:])
                stack.append(tag)
