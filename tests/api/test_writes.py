"""Writes through the API: the pages' services do the work, every write records who made it with which
token, and bad input is a 400 with a message, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken, ApiWrite
from engagements.models import AgendaItem, Session
from fieldwork.models import PracticeLog, WeeklyReflection
from tests.api.helpers import ApiClient
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def _client(user) -> tuple[ApiClient, ApiToken]:
    from api.services import api_token_create

    new = api_token_create(user=user, name="integration", scope="write", days=30)
    return ApiClient(new.secret), new.token


def _later(days: int = 10) -> str:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0).isoformat()


def test_the_coach_schedules_a_session_and_the_write_names_the_token(cast):
    client, token = _client(cast.ada)

    response = client.post(
        f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/",
        {"starts_at": _later(), "kind": "three_way", "mode": "in_person", "location": "Room 4"},
    )

    assert response.status_code == 201, response.content
    session = Session.objects.get(pk=response.json()["id"])
    assert (session.engagement, session.kind, session.location) == (cast.lee_engagement, "three_way", "Room 4")
    write = ApiWrite.objects.get()
    assert (write.token, write.user, write.action) == (token, cast.ada, "session_schedule")
    assert (write.object_type, write.object_id) == ("session", session.pk)


def test_the_same_idempotency_key_makes_one_session(cast):
    client, _ = _client(cast.ada)
    path = f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/"
    before = Session.objects.count()

    first = client.post(path, {"starts_at": _later()}, **{"Idempotency-Key": "k-1"})
    second = client.post(path, {"starts_at": _later()}, **{"Idempotency-Key": "k-1"})

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Session.objects.count() == before + 1


def test_a_session_in_the_past_is_refused_with_the_services_message(cast):
    client, _ = _client(cast.ada)

    response = client.post(
        f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/",
        {"starts_at": (timezone.now() - timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 400
    assert response.json() == {
        "starts_at": ["Choose a time in the future, or record a past session as held."],
    }
    assert not ApiWrite.objects.exists()


def test_moving_keeps_what_is_not_sent_and_records_the_move(cast):
    client, token = _client(cast.ada)
    session = cast.lee_next_session
    Session.objects.filter(pk=session.pk).update(location="Room 9", duration_minutes=90)

    response = client.post(f"/api/v1/sessions/{session.pk}/move/", {"starts_at": _later(12)})

    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert (session.location, session.duration_minutes) == ("Room 9", 90)
    assert session.starts_at.date() == (timezone.now() + timedelta(days=12)).date()
    assert ApiWrite.objects.get().action == "session_reschedule"


def test_cancelling_inside_the_window_is_a_late_cancellation(cast):
    client, _ = _client(cast.ada)
    session = cast.lee_next_session
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + timedelta(hours=3))

    response = client.post(f"/api/v1/sessions/{session.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "late_cancel"
    again = client.post(f"/api/v1/sessions/{session.pk}/cancel/")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["Only a scheduled session can be cancelled."]}


def test_a_future_session_cannot_be_recorded_as_held(cast):
    client, _ = _client(cast.ada)

    refused = client.post(f"/api/v1/sessions/{cast.lee_next_session.pk}/outcome/", {"status": "held"})
    unknown = client.post(f"/api/v1/sessions/{cast.lee_next_session.pk}/outcome/", {"status": "scheduled"})

    assert refused.status_code == 400
    assert refused.json() == {
        "status": [
            "This session has not started yet: you can record what happened once it has started. "
            "To call it off now, cancel the session."
        ]
    }
    assert unknown.status_code == 400
    assert unknown.json() == {"status": ["Choose held, no-show or late cancellation."]}
    cast.lee_next_session.refresh_from_db()
    assert cast.lee_next_session.status == "scheduled"


def test_the_leader_adds_a_topic_that_stays_private_on_a_regular_session(cast):
    client, token = _client(cast.lee)

    response = client.post(f"/api/v1/sessions/{cast.lee_next_session.pk}/agenda/", {"text": "  The VP   again "})

    assert response.status_code == 201
    item = AgendaItem.objects.get(pk=response.json()["id"])
    assert (item.text, item.author, item.source, item.visible_to_sponsor) == ("The VP again", cast.lee, "leader", False)
    assert ApiWrite.objects.get().token == token


def test_the_leader_logs_practice_and_the_coach_cannot(cast):
    commitment = CommitmentFactory(session=cast.lee_past_session)
    leader, _ = _client(cast.lee)
    coach, _ = _client(cast.ada)
    path = f"/api/v1/commitments/{commitment.pk}/practice-logs/"

    logged = leader.post(path, {"note": "Paused before answering the VP"})
    refused = coach.post(path, {"note": "Logged by the coach"})
    future = leader.post(path, {"note": "Tomorrow", "occurred_at": _later(2)})

    assert logged.status_code == 201
    assert PracticeLog.objects.get().author == cast.lee
    assert refused.status_code == 403
    assert future.status_code == 400 and "occurred_at" in future.json()
    assert list(ApiWrite.objects.values_list("action", "user")) == [("practice_log", cast.lee.pk)]


def test_the_leader_writes_this_weeks_reflection_and_a_second_post_edits_it(cast):
    client, _ = _client(cast.lee)
    goal = cast.lee_goals[0]
    path = f"/api/v1/engagements/{cast.lee_engagement.pk}/reflections/"

    first = client.post(
        path, {"wins": "Spoke first", "topics": ["Delegating the budget"], "ratings": [{"goal": goal.pk, "score": 6}]}
    )
    second = client.post(path, {"wins": "Spoke first, twice", "ratings": [{"goal": goal.pk, "score": 7}]})

    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    reflection = WeeklyReflection.objects.get()
    assert reflection.wins == "Spoke first, twice"
    assert second.json()["ratings"] == [{"goal": goal.pk, "score": 7}]
    assert AgendaItem.objects.filter(session=cast.lee_next_session, text="Delegating the budget").count() == 0
    assert ApiWrite.objects.filter(action="reflection_save").count() == 2


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        "[1, 2, 3]",
        '{"starts_at": "2026-02-30T10:00:00Z"}',
        '{"starts_at": "99999-01-01T00:00:00Z"}',
        '{"starts_at": "1900-01-01T00:00:00Z"}',
        '{"starts_at": 12345}',
        '{"starts_at": null}',
        '{"starts_at": "2026-12-10T10:00:00Z", "duration_minutes": 1e308}',
        '{"starts_at": "2026-12-10T10:00:00Z", "duration_minutes": 99999999999999999999999999}',
        '{"starts_at": "2026-12-10T10:00:00Z", "duration_minutes": "sixty"}',
        '{"starts_at": "2026-12-10T10:00:00Z", "kind": ["regular"]}',
        '{"starts_at": "2026-12-10T10:00:00Z", "location": "Room \\u0000 4"}',
        '{"starts_at": "2026-12-10T10:00:00Z", "location": "' + "x" * 5000 + '"}',
    ],
)
def test_bad_input_is_a_400_with_a_message_never_a_500(cast, body):
    client, _ = _client(cast.ada)

    response = client.client.post(
        f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/",
        body,
        content_type="application/json",
        headers=client.headers,
    )

    assert response.status_code == 400, response.content
    assert response.json()
    assert not ApiWrite.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"ratings": [{"goal": 2**70, "score": 5}]},
        {"ratings": [{"goal": 1, "score": 11}]},
        {"ratings": "all good"},
        {"topics": ["x" * 501]},
        {"topics": [f"topic {i}" for i in range(30)]},
        {"wins": ""},
    ],
)
def test_a_refused_reflection_says_why(cast, payload):
    client, _ = _client(cast.lee)

    response = client.post(f"/api/v1/engagements/{cast.lee_engagement.pk}/reflections/", payload)

    assert response.status_code == 400, response.content
    assert not WeeklyReflection.objects.exists()


def test_huge_and_odd_ids_in_paths_are_json_404s(cast):
    client, _ = _client(cast.ada)

    for path in ("/api/v1/engagements/99999999999999999999999/", "/api/v1/sessions/abc/", "/api/v1/nothing/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["detail"]
