"""Without JavaScript, a refused form comes back with what was typed and the message.

Each case posts bad data the way a browser without htmx does (no HX-Request header) and checks the
answer is the page itself (200, 400 or 422, never a redirect that drops the text), carrying the
typed text and the message, and that nothing was stored.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.models import AgendaItem, Goal
from fieldwork.models import Commitment, FieldworkTemplate, PracticeLog
from stakeholders import services as stakeholder_services
from stakeholders.models import FeedbackRequest, FeedbackRound, Stakeholder
from tests.factories import CommitmentFactory, FeedbackRoundFactory, PracticeLogFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

TYPED = "Typed by hand, kept after the error"
LONG = "x" * 2001


def _cases(cast):
    engagement, past, upcoming = cast.lee_engagement, cast.lee_past_session, cast.lee_next_session
    commitment = CommitmentFactory(session=past, goal=cast.lee_goals[0], text="Breathe first")
    later = CommitmentFactory(session=past, goal=cast.lee_goals[1], text="Delegate one decision")
    log = PracticeLogFactory(commitment=later, author=cast.lee, created_at=timezone.now())
    stakeholder = StakeholderFactory(engagement=engagement, relationship="peer", goals=cast.lee_goals)
    draft = FeedbackRoundFactory(engagement=engagement)
    template = FieldworkTemplate.objects.create(coach=cast.ada, title="Pause before answering")
    open_round = FeedbackRoundFactory(engagement=engagement, kind="baseline")
    stakeholder_services.round_open(feedback_round=open_round, notify=False)
    request = FeedbackRequest.objects.get(round=open_round, stakeholder=stakeholder)
    token = stakeholder_services.link_token(request=request)
    today = timezone.localdate()
    c = f"c{commitment.pk}-"
    n = f"new{past.pk}-"
    r = f"r{commitment.pk}-"
    return {
        # engagements/
        "engagement create": ("ada", "/engagements/new/", {"leader_name": TYPED, "leader_email": "not an address"}),
        "engagement edit": (
            "ada",
            f"/engagements/{engagement.pk}/edit/",
            {"organisation": TYPED, "start_date": today, "planned_end_date": today - timedelta(days=1)},
        ),
        "sponsor add": ("ada", f"/engagements/{engagement.pk}/sponsors/new/", {"sponsor_name": TYPED}),
        "goal add": ("ada", f"/engagements/{engagement.pk}/goals/new/", {"title": TYPED, "why_it_matters": ""}),
        "goal edit": (
            "ada",
            f"/engagements/{engagement.pk}/goals/{cast.lee_goals[0].pk}/edit/",
            {"title": "", "why_it_matters": TYPED},
        ),
        "session new": (
            "ada",
            f"/engagements/{engagement.pk}/sessions/new/",
            {"starts_at": "soon", "duration_minutes": "60", "location": TYPED, "kind": "regular", "mode": "video"},
        ),
        "session edit": (
            "ada",
            f"/sessions/{upcoming.pk}/edit/",
            {"starts_at": "soon", "duration_minutes": "60", "location": TYPED, "kind": "regular", "mode": "video"},
        ),
        "session notes": (
            "ada",
            f"/sessions/{past.pk}/notes/",
            {"shared_summary": TYPED, "private_notes": "n" * 10001},
        ),
        "agenda item": ("lee", f"/sessions/{upcoming.pk}/agenda/", {"text": TYPED + "!" * 500}),
        # fieldwork/
        "commitment add": (
            "ada",
            f"/sessions/{past.pk}/fieldwork/new/",
            {f"{n}text": TYPED, f"{n}target_count": "0", f"{n}due": "next_session"},
        ),
        "commitment edit": (
            "ada",
            f"/commitments/{commitment.pk}/edit/",
            {f"{c}text": TYPED, f"{c}target_count": "999", f"{c}due": "next_session"},
        ),
        "practice log": (
            "lee",
            f"/commitments/{commitment.pk}/log/?mode=full",
            {"mode": "full", "occurred_at": "", "what_tried": TYPED},
        ),
        "practice log edit": (
            "lee",
            f"/logs/{log.pk}/edit/",
            {"mode": "quick", "occurred_at": "1999-01-01T10:00", "note": TYPED},
        ),
        "commitment review": (
            "ada",
            f"/sessions/{upcoming.pk}/commitments/{commitment.pk}/review/",
            {f"{r}outcome": "not_done", f"{r}reason": TYPED + "!" * 1000},
        ),
        "weekly reflection": ("lee", "/reflection/", {"wins": TYPED, "struggles": LONG, "topics": ""}),
        "library add": ("ada", "/fieldwork/library/", {"title": TYPED, "description": LONG}),
        "library edit": ("ada", f"/fieldwork/library/{template.pk}/edit/", {"title": TYPED, "description": LONG}),
        # stakeholders/
        "stakeholder add": (
            "lee",
            f"/engagements/{engagement.pk}/stakeholders/new/",
            {"name": TYPED, "email": "nope", "relationship": "peer"},
        ),
        "stakeholder edit": (
            "ada",
            f"/engagements/{engagement.pk}/stakeholders/{stakeholder.pk}/edit/",
            {"name": TYPED, "email": "nope", "relationship": "peer"},
        ),
        "round new": (
            "ada",
            f"/engagements/{engagement.pk}/feedback/rounds/new/",
            {"kind": "baseline", "opens_on": TYPED, "closes_on": today},
        ),
        "round edit": (
            "ada",
            f"/feedback/rounds/{draft.pk}/edit/",
            {"kind": "baseline", "opens_on": TYPED, "closes_on": today},
        ),
        "round close": ("ada", f"/feedback/rounds/{open_round.pk}/close/", {"next_in_weeks": "999"}),
        "stakeholder answer": ("anonymous", f"/f/{token}/", {"keep_doing": TYPED, "start_doing": LONG}),
        # coaching/
        "check-in": ("lee", f"/engagements/{engagement.pk}/check-in/", {"score": "9", "comment": TYPED}),
        "coach invitation": ("pam", "/practice/", {"full_name": TYPED, "email": "nope"}),
        # accounts/
        "account preferences": ("lee", "/account/preferences/", {"full_name": TYPED, "time_zone": "Mars/Olympus"}),
        # notifications/
        "e-mail preferences": (
            "lee",
            "/account/notifications/",
            {"reflection_weekday": "4", "reflection_time": "25:99", "wanted": ["reflection_prompt"]},
        ),
    }


# The typed value each case must show again, when it is not TYPED itself.
KEPT = {
    "session notes": TYPED,
    "round close": 'value="999"',
    "e-mail preferences": 'value="25:99"',
    "agenda item": TYPED + "!" * 500,
}

CASES = [
    "engagement create",
    "engagement edit",
    "sponsor add",
    "goal add",
    "goal edit",
    "session new",
    "session edit",
    "session notes",
    "agenda item",
    "commitment add",
    "commitment edit",
    "practice log",
    "practice log edit",
    "commitment review",
    "weekly reflection",
    "library add",
    "library edit",
    "stakeholder add",
    "stakeholder edit",
    "round new",
    "round edit",
    "round close",
    "stakeholder answer",
    "check-in",
    "coach invitation",
    "account preferences",
    "e-mail preferences",
]


def _counts():
    return (
        AgendaItem.objects.count(),
        Goal.objects.count(),
        Commitment.objects.count(),
        PracticeLog.objects.count(),
        FieldworkTemplate.objects.count(),
        Stakeholder.objects.count(),
        FeedbackRound.objects.count(),
    )


@pytest.mark.parametrize("case", CASES)
def test_a_refused_form_without_javascript_shows_the_typed_text_again(case, cast, client_for, client):
    if case == "check-in":
        from tests.factories import SessionFactory

        for days in (14, 21):
            SessionFactory(
                engagement=cast.lee_engagement, starts_at=timezone.now() - timedelta(days=days), status="held"
            )
    person, url, data = _cases(cast)[case]
    browser = client if person == "anonymous" else client_for(person)
    before = _counts()

    response = browser.post(url, data)

    assert response.status_code in (200, 400, 422), response.get("Location")
    html = response.content.decode()
    kept = KEPT.get(case, TYPED)
    assert kept in html or kept.replace("!", "&#x21;") in html, f"{case}: the typed text is gone"
    assert "invalid-feedback" in html or 'role="alert"' in html, f"{case}: no message"
    assert _counts() == before
