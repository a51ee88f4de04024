"""Engagement and session pages: confidential to the engagement's coach and leader."""

from engagements import services

from .base import ALLOWED, FORBIDDEN, GONE, PEOPLE, SIGNED_IN, UrlCase, coach_only, team_only


def _feed_path(user) -> str:
    _, token = services.calendar_feed_regenerate(user=user)
    return f"/calendar/feed/{token}.ics"


def _vic_feed(vic) -> str:
    """A link made while Vic's account was active: it dies with the account."""
    vic.is_active = True
    path = _feed_path(vic)
    vic.is_active = False
    return path


def cases(cast) -> list[UrlCase]:
    e = cast.lee_engagement
    past, nxt = cast.lee_past_session, cast.lee_next_session
    goal = e.goals.first()
    item = nxt.agenda_items.first()
    secrets = tuple(cast.secrets.values())
    private = (cast.secrets["private_notes"],)
    old_lee_feed = _feed_path(cast.lee)
    lee_feed = _feed_path(cast.lee)
    sam_feed = _feed_path(cast.sam)
    vic_feed = _vic_feed(cast.vic)
    return [
        UrlCase("engagements:detail", f"/engagements/{e.pk}/", expect=team_only(), must_not_contain=secrets),
        UrlCase("engagements:edit", f"/engagements/{e.pk}/edit/", expect=coach_only()),
        UrlCase(
            "engagements:status",
            f"/engagements/{e.pk}/status/",
            method="POST",
            data={"status": "paused"},
            expect=coach_only(),
        ),
        UrlCase("engagements:sponsor_add", f"/engagements/{e.pk}/sponsors/new/", expect=coach_only()),
        UrlCase(
            "engagements:sponsor_remove",
            f"/engagements/{e.pk}/sponsors/{cast.sam.pk}/remove/",
            method="POST",
            expect=coach_only(),
        ),
        UrlCase(
            "engagements:invitation_resend",
            f"/engagements/{e.pk}/invitations/{cast.lee.pk}/resend/",
            method="POST",
            expect=coach_only(),
        ),
        UrlCase("engagements:goal_add", f"/engagements/{e.pk}/goals/new/", expect=coach_only()),
        UrlCase("engagements:goal_edit", f"/engagements/{e.pk}/goals/{goal.pk}/edit/", expect=coach_only()),
        UrlCase(
            "engagements:goal_delete",
            f"/engagements/{e.pk}/goals/{goal.pk}/delete/",
            method="POST",
            expect=coach_only(),
        ),
        UrlCase("engagements:session_new", f"/engagements/{e.pk}/sessions/new/", expect=coach_only()),
        UrlCase("engagements:session", f"/sessions/{past.pk}/", expect=team_only(), must_not_contain=secrets),
        UrlCase("engagements:session_edit", f"/sessions/{nxt.pk}/edit/", expect=coach_only()),
        UrlCase("engagements:session_cancel", f"/sessions/{nxt.pk}/cancel/", method="POST", expect=coach_only()),
        UrlCase(
            "engagements:session_outcome",
            f"/sessions/{past.pk}/outcome/",
            method="POST",
            data={"status": "held"},
            expect=coach_only(),
            htmx=True,
        ),
        UrlCase(
            "engagements:session_notes",
            f"/sessions/{past.pk}/notes/",
            method="POST",
            data={"shared_summary": "x", "private_notes": "y"},
            expect=coach_only(),
        ),
        UrlCase("engagements:session_release", f"/sessions/{past.pk}/release/", method="POST", expect=coach_only()),
        UrlCase(
            "engagements:agenda_add",
            f"/sessions/{nxt.pk}/agenda/",
            method="POST",
            data={"text": "A topic"},
            expect=team_only(),
            must_not_contain=private,
            htmx=True,
        ),
        UrlCase(
            "engagements:agenda_delete",
            f"/sessions/{nxt.pk}/agenda/{item.pk}/delete/",
            method="POST",
            expect=team_only(),
            htmx=True,
        ),
        # Only the leader widens what the sponsor reads of their agenda.
        UrlCase(
            "engagements:agenda_share",
            f"/sessions/{nxt.pk}/agenda/{item.pk}/share/",
            method="POST",
            data={"shared": "0"},
            expect=team_only(coach=FORBIDDEN),
        ),
        # Each person's own calendar page and feed link; only coaches have a meeting room.
        UrlCase("engagements:calendar_settings", "/account/calendar/", expect=dict.fromkeys(SIGNED_IN, ALLOWED)),
        UrlCase(
            "engagements:calendar_feed_new",
            "/account/calendar/new/",
            method="POST",
            expect=dict.fromkeys(SIGNED_IN, ALLOWED),
        ),
        UrlCase(
            "engagements:calendar_feed_revoke",
            "/account/calendar/off/",
            method="POST",
            expect=dict.fromkeys(SIGNED_IN, ALLOWED),
        ),
        UrlCase(
            "engagements:meeting_room",
            "/account/calendar/meeting-room/",
            method="POST",
            data={"url": "https://video.example.com/room"},
            expect={
                **dict.fromkeys(SIGNED_IN, FORBIDDEN),
                "coach": ALLOWED,
                "other_coach": ALLOWED,
            },
        ),
        # The feed link is the credential: whoever holds a live one reads times, kind, place and video
        # link, never any private text (the secrets check runs on every answer); an old link of the
        # same person, a forged one and the link of a deactivated account are gone for everybody.
        UrlCase(
            "engagements:calendar_feed",
            lee_feed,
            expect=dict.fromkeys(PEOPLE, ALLOWED),
            must_not_contain=secrets,
        ),
        UrlCase(
            "engagements:calendar_feed",
            sam_feed,
            expect=dict.fromkeys(PEOPLE, ALLOWED),
            must_not_contain=secrets,
        ),
        UrlCase("engagements:calendar_feed", old_lee_feed, expect=dict.fromkeys(PEOPLE, GONE)),
        UrlCase("engagements:calendar_feed", vic_feed, expect=dict.fromkeys(PEOPLE, GONE)),
        UrlCase("engagements:calendar_feed", "/calendar/feed/" + "A" * 43 + ".ics", expect=dict.fromkeys(PEOPLE, GONE)),
    ]


__all__ = ["cases", "ALLOWED", "FORBIDDEN"]
