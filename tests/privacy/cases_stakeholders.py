"""Stakeholder feedback: roster, rounds and results are the coach's and the leader's; the answer page
belongs to whoever holds a valid private link (the "stakeholder" person holds one for Lee's engagement).

Sponsors and other coaches get a 404 everywhere. A link of another engagement's closed round, a used
link and a forged one are GONE for everyone, and their pages show none of the engagement's goals.
"""

from stakeholders import services
from stakeholders.models import FeedbackRequest
from tests.factories import FeedbackRoundFactory, StakeholderFactory

from .base import ALLOWED, GONE, PEOPLE, UrlCase, coach_only, team_only

SUGGESTION = "Private suggestion: please stop interrupting people in the Monday review."


def _link(request: FeedbackRequest) -> str:
    return f"/f/{services.link_token(request=request)}/"


def cases(cast) -> list[UrlCase]:
    e = cast.lee_engagement
    people = [
        StakeholderFactory(engagement=e, relationship="direct_report", email=f"report{i}@acme.example")
        for i in range(3)
    ]
    waiting = StakeholderFactory(engagement=e, status="nominated", nominated_by=cast.lee, email="new@acme.example")

    closed = FeedbackRoundFactory(engagement=e)
    services.round_open(feedback_round=closed, notify=False)
    for person in people:
        request = FeedbackRequest.objects.get(round=closed, stakeholder=person)
        goals = list(request.goals.all())
        services.response_submit(
            request=request, scores={g.pk: 2 for g in goals}, suggestions={goals[0].pk: SUGGESTION}
        )
    services.round_close(feedback_round=closed)

    current = FeedbackRoundFactory(engagement=e, ask_support=True)
    services.round_open(feedback_round=current, notify=False)
    valid = FeedbackRequest.objects.get(round=current, stakeholder=people[0])
    used = FeedbackRequest.objects.get(round=current, stakeholder=people[1])
    services.response_submit(request=used, scores={g.pk: 1 for g in used.goals.all()})
    draft = FeedbackRoundFactory(engagement=e)

    liv_person = StakeholderFactory(engagement=cast.liv_engagement)
    liv_round = FeedbackRoundFactory(engagement=cast.liv_engagement)
    services.round_open(feedback_round=liv_round, notify=False)
    services.round_close(feedback_round=liv_round)
    other_link = _link(FeedbackRequest.objects.get(round=liv_round, stakeholder=liv_person))

    goals = tuple(g.title for g in (*cast.lee_goals, *cast.liv_goals))
    secrets = (*cast.secrets.values(), SUGGESTION)
    gone_for_all = {p: GONE for p in PEOPLE}
    valid_answers = {f"score_{g.pk}": "1" for g in valid.goals.all()}
    s = people[0]
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
