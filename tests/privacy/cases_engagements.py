"""Engagement and session pages: confidential to the engagement's coach and leader."""

from .base import ALLOWED, FORBIDDEN, UrlCase, coach_only, team_only


def cases(cast) -> list[UrlCase]:
    e = cast.lee_engagement
    past, nxt = cast.lee_past_session, cast.lee_next_session
    goal = e.goals.first()
    item = nxt.agenda_items.first()
    secrets = tuple(cast.secrets.values())
    private = (cast.secrets["private_notes"],)
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
    ]


__all__ = ["cases", "ALLOWED", "FORBIDDEN"]
