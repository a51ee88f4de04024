"""Fieldwork: commitments, practice logs and reflections are for the engagement's coach and leader only.

Sponsors, other coaches and other leaders get a 404 on every URL that names one of these objects.
"""

from django.utils import timezone

from .base import ALLOWED, FORBIDDEN, SIGNED_IN, UrlCase, team_only


def cases(cast) -> list[UrlCase]:
    """The commitment, logs, reflection and template are those of `tests/privacy/secrets.py`."""
    e = cast.lee_engagement
    past, nxt = cast.lee_past_session, cast.lee_next_session
    commitment, spare, log = cast.private.commitment, cast.private.spare_commitment, cast.private.log
    template = cast.private.template
    texts = cast.private.texts
    secrets = tuple(texts[name] for name in ("commitment_text", "log_note", "reflection_wins", "private_notes"))
    add = {
        f"new{past.pk}-text": "Thank one person for specific work",
        f"new{past.pk}-target_count": "2",
        f"new{past.pk}-goal": str(cast.lee_goals[1].pk),
        f"new{past.pk}-due": "next_session",
    }
    edit = {
        f"c{commitment.pk}-text": texts["commitment_text"],
        f"c{commitment.pk}-target_count": "5",
        f"c{commitment.pk}-goal": str(cast.lee_goals[0].pk),
        f"c{commitment.pk}-due": "next_session",
    }
    leaders = {"leader": ALLOWED, "other_leader": ALLOWED}
    coaches = {"coach": ALLOWED, "other_coach": ALLOWED}
    not_coaches = {p: FORBIDDEN for p in SIGNED_IN if p not in coaches}
    return [
        # Co-design at a session and review at the next one: coach and leader.
        UrlCase(
            "fieldwork:codesign",
            f"/sessions/{past.pk}/fieldwork/",
            expect=team_only(),
            must_not_contain=secrets,
            htmx=True,
        ),
        UrlCase(
            "fieldwork:commitment_add",
            f"/sessions/{past.pk}/fieldwork/new/",
            expect=team_only(),
            must_not_contain=secrets,
        ),
        UrlCase(
            "fieldwork:commitment_add",
            f"/sessions/{past.pk}/fieldwork/new/",
            method="POST",
            data=add,
            expect=team_only(),
            must_not_contain=secrets,
            htmx=True,
        ),
        UrlCase("fieldwork:commitment", f"/commitments/{commitment.pk}/", expect=team_only(), must_not_contain=secrets),
        UrlCase(
            "fieldwork:commitment_edit",
            f"/commitments/{commitment.pk}/edit/",
            expect=team_only(),
            must_not_contain=secrets,
        ),
        UrlCase(
            "fieldwork:commitment_edit",
            f"/commitments/{commitment.pk}/edit/",
            method="POST",
            data=edit,
            expect=team_only(),
            must_not_contain=secrets,
            htmx=True,
        ),
        UrlCase(
            "fieldwork:commitment_delete",
            f"/commitments/{spare.pk}/delete/",
            method="POST",
            expect=team_only(),
            must_not_contain=secrets,
            htmx=True,
        ),
        UrlCase(
            "fieldwork:commitment_review",
            f"/sessions/{nxt.pk}/commitments/{commitment.pk}/review/",
            method="POST",
            data={f"r{commitment.pk}-outcome": "done", f"r{commitment.pk}-reason": "Three times"},
            expect=team_only(leader=FORBIDDEN),
            must_not_contain=secrets,
            htmx=True,
        ),
        # Practice logs: the leader writes them; the coach reads them on the session and commitment pages.
        UrlCase(
            "fieldwork:log_practice",
            f"/commitments/{commitment.pk}/log/",
            expect={"leader": ALLOWED, "coach": FORBIDDEN},
            must_not_contain=secrets,
        ),
        UrlCase(
            "fieldwork:log_practice",
            f"/commitments/{commitment.pk}/log/",
            method="POST",
            data={
                "mode": "quick",
                "note": "Did it",
                "occurred_at": timezone.localtime(timezone=cast.lee.tz).strftime("%Y-%m-%dT%H:%M"),
            },
            expect={"leader": ALLOWED, "coach": FORBIDDEN},
            must_not_contain=secrets,
        ),
        UrlCase("fieldwork:log_edit", f"/logs/{log.pk}/edit/", expect={"leader": ALLOWED}, must_not_contain=secrets),
        # Reflections: each leader opens their own week's form; the history is the coach's and the leader's.
        UrlCase("fieldwork:reflection", "/reflection/", expect=leaders, must_not_contain=secrets),
        UrlCase(
            "fieldwork:reflection",
            f"/reflection/?engagement={e.pk}",
            method="POST",
            data={"wins": "A good week", "topics": ""},
            expect={"leader": ALLOWED},
            must_not_contain=secrets,
        ),
        UrlCase(
            "fieldwork:reflection_history",
            f"/engagements/{e.pk}/reflections/",
            expect=team_only(),
            must_not_contain=secrets,
        ),
        # The template library: every coach has their own; other people have none.
        UrlCase("fieldwork:library", "/fieldwork/library/", expect={**coaches, **not_coaches}),
        UrlCase(
            "fieldwork:library",
            "/fieldwork/library/",
            method="POST",
            data={"title": "Journal after a meeting"},
            expect={**coaches, **not_coaches},
        ),
        UrlCase("fieldwork:library_edit", f"/fieldwork/library/{template.pk}/edit/", expect={"coach": ALLOWED}),
        UrlCase(
            "fieldwork:library_delete",
            f"/fieldwork/library/{template.pk}/delete/",
            method="POST",
            expect={"coach": ALLOWED},
        ),
    ]
