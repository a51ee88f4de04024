"""Attendance is a fact about the past: nothing is recorded before a session starts, the coach can
record a past session directly, and the sponsor's summary and PDF count only true attendance."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coaching.summary import engagement_summary
from engagements import services
from engagements.models import Session
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

REFUSED = "This session has not started yet: you can record what happened once it has started."
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")


def _hour(days: float):
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def _summary(cast):
    return engagement_summary(viewer=cast.sam, pk=cast.lee_engagement.pk, preview=False)


@pytest.mark.parametrize("status", ["held", "no_show", "late_cancel"])
def test_the_service_refuses_any_outcome_before_the_start(cast, status):
    session = cast.lee_next_session
    with pytest.raises(ValidationError, match="has not started yet"):
        services.session_record_outcome(session=session, status=status)
    session.refresh_from_db()
    assert (session.status, session.outcome_recorded_at) == ("scheduled", None)


def test_an_outcome_can_be_recorded_from_the_start_on(cast):
    session = SessionFactory(engagement=cast.lee_engagement, starts_at=timezone.now() - timedelta(seconds=1))
    services.session_record_outcome(session=session, status="no_show")
    assert Session.objects.get(pk=session.pk).status == "no_show"


def test_the_page_refuses_a_future_no_show_with_a_clear_message(cast, client_for):
    session = cast.lee_next_session
    client = client_for("ada")
    response = client.post(f"/sessions/{session.pk}/outcome/", {"status": "no_show"}, follow=True)
    assert REFUSED in response.content.decode()
    fragment = client.post(f"/sessions/{session.pk}/outcome/", {"status": "no_show"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert REFUSED in fragment.content.decode()
    assert 'role="alert"' in fragment.content.decode()
    assert Session.objects.get(pk=session.pk).status == "scheduled"


def test_the_session_page_offers_no_outcome_buttons_before_the_start(cast, client_for):
    page = client_for("ada").get(f"/sessions/{cast.lee_next_session.pk}/").content.decode()
    assert "You can record what happened once the session has started." in page
    assert 'value="no_show"' not in page
    past = client_for("ada").get(f"/sessions/{cast.lee_past_session.pk}/").content.decode()
    assert 'value="no_show"' in past


def test_the_coach_records_a_past_session_directly_and_the_sponsor_summary_counts_it(cast, client_for):
    before = _summary(cast)
    starts = timezone.localtime(_hour(-30)).strftime("%Y-%m-%dT%H:%M")
    client = client_for("ada")
    for outcome in ("held", "no_show"):
        page = client.get(f"/engagements/{cast.lee_engagement.pk}/sessions/new/").content.decode()
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
        response = client.post(
            f"/engagements/{cast.lee_engagement.pk}/sessions/new/",
            {
                "starts_at": starts,
                "duration_minutes": 60,
                "kind": "regular",
                "mode": "video",
                "outcome": outcome,
                "idempotency_key": key,
            },
        )
        assert response.status_code == 302, response.content.decode()
    after = _summary(cast)
    assert (after.held, after.no_shows) == (before.held + 1, before.no_shows + 1)
    assert len(after.attendance) == len(before.attendance) + 2


def test_recording_a_future_session_as_held_is_refused_and_keeps_what_was_typed(cast, client_for):
    starts = timezone.localtime(_hour(3)).strftime("%Y-%m-%dT%H:%M")
    response = client_for("ada").post(
        f"/engagements/{cast.lee_engagement.pk}/sessions/new/",
        {
            "starts_at": starts,
            "duration_minutes": 75,
            "kind": "regular",
            "mode": "video",
            "outcome": "held",
            "idempotency_key": "k-1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "can be recorded as held or as a no-show only once it has started" in page
    assert f'value="{starts}"' in page and 'value="75"' in page
    assert cast.lee_engagement.sessions.count() == 2


def test_a_held_or_no_show_on_a_future_session_never_counts_in_the_summary(cast):
    before = _summary(cast)
    # A row written before attendance was checked (or by hand): a no-show three weeks ahead.
    Session.objects.filter(pk=cast.lee_next_session.pk).update(status="no_show", outcome_recorded_at=None)
    SessionFactory(engagement=cast.lee_engagement, starts_at=_hour(21), status="held")
    after = _summary(cast)
    assert (after.held, after.no_shows, len(after.attendance)) == (
        before.held,
        before.no_shows,
        len(before.attendance),
    )


def test_a_late_cancellation_counts_as_soon_as_it_happens(cast):
    session = cast.lee_next_session
    services.session_cancel(session=session, now=session.starts_at - timedelta(hours=2))
    assert _summary(cast).late_cancels == 1


def test_the_database_refuses_a_held_session_recorded_before_its_start(cast):
    from django.db import IntegrityError, transaction

    session = cast.lee_next_session
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(status="held", outcome_recorded_at=timezone.now())


@needs_pdftotext
def test_the_pdf_counts_a_session_recorded_later_and_leaves_out_future_outcomes(cast, client_for):
    services.session_schedule(engagement=cast.lee_engagement, starts_at=_hour(-10), outcome="no_show")
    SessionFactory(engagement=cast.lee_engagement, starts_at=_hour(21), status="no_show")
    response = client_for("sam").get(f"/engagements/{cast.lee_engagement.pk}/summary.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    # Held (the kick-off a week ago), no-shows (the one recorded later), late cancellations.
    assert re.search(r"1/6\s+1\s+0\s", text), text
    assert text.count("No-show") == 1
