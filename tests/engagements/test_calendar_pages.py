"""The calendar page (feed link, subscription instructions, meeting room), its section on the
preferences page, and the cancellation window on the engagement form."""

from __future__ import annotations

import pytest

from engagements.models import CalendarFeed, MeetingRoom

pytestmark = pytest.mark.django_db


def _edit_form(engagement, **overrides) -> dict:
    data = {
        "organisation": engagement.organisation,
        "start_date": engagement.start_date.isoformat(),
        "planned_end_date": engagement.planned_end_date.isoformat(),
        "planned_sessions": engagement.planned_sessions,
        "cadence_days": engagement.cadence_days,
        "cancellation_window_hours": engagement.cancellation_window_hours,
    }
    return {**data, **overrides}


def test_the_preferences_page_links_to_the_calendar_and_can_make_or_revoke_the_link(cast, client_for):
    client = client_for("lee")
    page = client.get("/account/preferences/").content.decode()
    assert 'href="/account/calendar/"' in page
    assert 'action="/account/calendar/new/"' in page and 'action="/account/calendar/off/"' in page
    response = client.post("/account/calendar/new/")
    assert response.status_code == 302 and response["Location"] == "/account/calendar/"
    feed = CalendarFeed.objects.get(user=cast.lee, revoked_at__isnull=True)
    client.post("/account/calendar/off/")
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_the_calendar_page_shows_the_link_and_how_to_subscribe_in_three_calendars(cast, client_for):
    client = client_for("sam")
    page = client.get("/account/calendar/").content.decode()
    assert "You have no calendar link." in page
    client.post("/account/calendar/new/")
    response = client.get("/account/calendar/")
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    assert 'value="http://127.0.0.1:8000/calendar/feed/' in page
    assert 'href="webcal://127.0.0.1:8000/calendar/feed/' in page
    for calendar in ("Google Calendar", "Outlook", "Apple Calendar"):
        assert calendar in page
    assert "three-way meetings you are invited to" in page
    assert "Meeting room" not in page  # sponsors have none


def test_a_coach_sets_and_removes_the_default_meeting_room(cast, client_for):
    client = client_for("ada")
    response = client.post("/account/calendar/meeting-room/", {"url": "https://video.example.com/ada"})
    assert response.status_code == 302
    assert MeetingRoom.objects.get(coach=cast.ada).url == "https://video.example.com/ada"
    client.post("/account/calendar/meeting-room/", {"url": ""})
    assert not MeetingRoom.objects.filter(coach=cast.ada).exists()


def test_a_bad_meeting_room_link_is_shown_again_with_a_message(cast, client_for):
    response = client_for("ada").post("/account/calendar/meeting-room/", {"url": "not a link at all"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter a valid URL." in page
    assert 'value="not a link at all"' in page


def test_only_coaches_have_a_meeting_room(cast, client_for):
    assert client_for("lee").post("/account/calendar/meeting-room/", {"url": "https://x.example"}).status_code == 403
    assert not MeetingRoom.objects.exists()


def test_the_session_page_shows_the_video_link(cast, client_for):
    MeetingRoom.objects.create(coach=cast.ada, url="https://video.example.com/ada")
    page = client_for("lee").get(f"/sessions/{cast.lee_next_session.pk}/").content.decode()
    assert 'href="https://video.example.com/ada"' in page
    assert "Join the video call" in page


def test_the_coach_sets_the_cancellation_window_on_the_engagement_form(cast, client_for):
    engagement = cast.lee_engagement
    client = client_for("ada")
    assert 'name="cancellation_window_hours"' in client.get(f"/engagements/{engagement.pk}/edit/").content.decode()
    response = client.post(f"/engagements/{engagement.pk}/edit/", _edit_form(engagement, cancellation_window_hours=48))
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.cancellation_window_hours == 48


def test_a_cancellation_window_over_a_week_is_refused_and_what_was_typed_stays(cast, client_for):
    engagement = cast.lee_engagement
    response = client_for("ada").post(
        f"/engagements/{engagement.pk}/edit/",
        _edit_form(engagement, cancellation_window_hours=200, organisation="Acme Renamed"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 168." in page
    assert 'value="Acme Renamed"' in page and 'value="200"' in page
    engagement.refresh_from_db()
    assert engagement.cancellation_window_hours == 24
