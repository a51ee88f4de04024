"""Stakeholder feedback: roster, rounds and results are the coach's and the leader's; the answer page
belongs to whoever holds a valid private link (the "stakeholder" person holds one for Lee's engagement).

Sponsors and other coaches get a 404 everywhere. A link of another engagement's closed round, a used
link and a forged one are GONE for everyone, and their pages show none of the engagement's goals.
"""

from stakeholders import services
from stakeholders.models import FeedbackRequest

from .base import ALLOWED, GONE, PEOPLE, UrlCase, coach_only, team_only


def _link(request: FeedbackRequest) -> str:
    return f"/f/{services.link_token(request=request)}/"


def cases(cast) -> list[UrlCase]:
    """The roster, rounds and links are those of `tests/privacy/secrets.py`."""
    e = cast.lee_engagement
    private = cast.private
    waiting = private.waiting_stakeholder
    closed, current, draft = private.closed_round, private.current_round, private.draft_round
    valid, used = private.valid_request, private.used_request
    other_link = _link(private.liv_request)

    goals = tuple(g.title for g in (*cast.lee_goals, *cast.liv_goals))
    secrets = (*cast.secrets.values(), private.texts["rater0_suggestion"])
    gone_for_all = {p: GONE for p in PEOPLE}
    valid_answers = {f"score_{g.pk}": "1" for g in valid.goals.all()}
    s = private.raters[0]
    return [
        UrlCase(
            "stakeholders:overview", f"/engagements/{e.pk}/feedback/", expect=team_only(), must_not_contain=secrets
        ),
        UrlCase(
            "stakeholders:threshold",
            f"/engagements/{e.pk}/feedback/threshold/",
            method="POST",
            data={"anonymity_threshold": "4"},
            expect=coach_only(),
        ),
        UrlCase("stakeholders:round_new", f"/engagements/{e.pk}/feedback/rounds/new/", expect=coach_only()),
        UrlCase("stakeholders:stakeholder_add", f"/engagements/{e.pk}/stakeholders/new/", expect=team_only()),
        UrlCase("stakeholders:stakeholder_edit", f"/engagements/{e.pk}/stakeholders/{s.pk}/edit/", expect=coach_only()),
        UrlCase(
            "stakeholders:stakeholder_approve",
            f"/engagements/{e.pk}/stakeholders/{waiting.pk}/approve/",
            method="POST",
            expect=coach_only(),
            htmx=True,
        ),
        UrlCase(
            "stakeholders:stakeholder_deactivate",
            f"/engagements/{e.pk}/stakeholders/{s.pk}/deactivate/",
            method="POST",
            expect=coach_only(),
        ),
        # The leader may withdraw their own waiting nomination.
        UrlCase(
            "stakeholders:stakeholder_remove",
            f"/engagements/{e.pk}/stakeholders/{waiting.pk}/remove/",
            method="POST",
            expect=team_only(),
        ),
        UrlCase("stakeholders:round", f"/feedback/rounds/{current.pk}/", expect=coach_only(), must_not_contain=secrets),
        UrlCase("stakeholders:round_edit", f"/feedback/rounds/{draft.pk}/edit/", expect=coach_only()),
        UrlCase("stakeholders:round_open", f"/feedback/rounds/{draft.pk}/open/", method="POST", expect=coach_only()),
        UrlCase(
            "stakeholders:round_close", f"/feedback/rounds/{current.pk}/close/", method="POST", expect=coach_only()
        ),
        UrlCase(
            "stakeholders:round_delete", f"/feedback/rounds/{draft.pk}/delete/", method="POST", expect=coach_only()
        ),
        UrlCase(
            "stakeholders:results",
            f"/feedback/rounds/{closed.pk}/results/",
            expect=team_only(),
            must_not_contain=secrets,
        ),
        UrlCase(
            "stakeholders:request_resend",
            f"/feedback/requests/{valid.pk}/resend/",
            method="POST",
            expect=coach_only(),
        ),
        # Everyone signed in (or not) who asks for another engagement's link finds it gone; the
        # stakeholder opens their own valid link for Lee's engagement.
        UrlCase(
            "stakeholders:answer",
            other_link,
            stakeholder_path=_link(valid),
            expect={**gone_for_all, "stakeholder": ALLOWED},
            must_not_contain=goals + secrets,
        ),
        UrlCase(
            "stakeholders:answer",
            other_link,
            method="POST",
            data=valid_answers,
            stakeholder_path=_link(valid),
            expect={**gone_for_all, "stakeholder": ALLOWED},
            must_not_contain=goals + secrets,
        ),
        UrlCase("stakeholders:answer", _link(used), expect=gone_for_all, must_not_contain=goals + secrets),
        UrlCase("stakeholders:answer", "/f/forged-or-mistyped-token/", expect=gone_for_all, must_not_contain=goals),
        UrlCase("stakeholders:answer", "/f/" + "A" * 43 + "/", expect=gone_for_all, must_not_contain=goals),
    ]
