"""Reads through the API: one person's token never reads another's rows, the anonymity threshold of
the pages holds, lists page with a cursor, and each list keeps a fixed number of queries."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Engagement
from stakeholders import services as stakeholder_services
from stakeholders.models import FeedbackRequest
from tests.api.helpers import ApiClient, token_for
from tests.factories import (
    AgendaItemFactory,
    CommitmentFactory,
    EngagementFactory,
    FeedbackRoundFactory,
    PracticeLogFactory,
    SessionFactory,
    StakeholderFactory,
    WeeklyReflectionFactory,
)

pytestmark = pytest.mark.django_db


def test_each_token_lists_only_its_owners_engagements(cast):
    other = EngagementFactory(coach=cast.ben, leader=cast.liv, sponsors=[cast.sam], organisation="Cobalt Mining")

    def listed(user):
        return {
            (row["id"], row["your_role"])
            for row in ApiClient(token_for(user)).get("/api/v1/engagements/").json()["results"]
        }

    assert listed(cast.ada) == {(cast.lee_engagement.pk, "coach")}
    assert listed(cast.ben) == {(cast.liv_engagement.pk, "coach"), (other.pk, "coach")}
    assert listed(cast.sam) == {(cast.lee_engagement.pk, "sponsor"), (other.pk, "sponsor")}
    assert listed(cast.pam) == set()


def test_a_leader_who_has_not_accepted_yet_sees_nothing_of_the_engagement(cast):
    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(awaiting_leader=True)
    client = ApiClient(token_for(cast.lee))

    assert client.get("/api/v1/engagements/").json()["results"] == []
    assert client.get(f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/").status_code == 404


def test_private_notes_reach_the_coach_only(cast):
    path = f"/api/v1/sessions/{cast.lee_past_session.pk}/"

    assert ApiClient(token_for(cast.ada)).get(path).json()["private_notes"] == cast.secrets["private_notes"]
    assert ApiClient(token_for(cast.lee)).get(path).json()["private_notes"] is None


def _closed_round(cast, *, direct_reports: int, peers: int):
    e = cast.lee_engagement
    people = [StakeholderFactory(engagement=e, relationship="direct_report") for _ in range(direct_reports)]
    people += [StakeholderFactory(engagement=e, relationship="peer") for _ in range(peers)]
    feedback_round = FeedbackRoundFactory(engagement=e)
    stakeholder_services.round_open(feedback_round=feedback_round, notify=False)
    for person in people:
        request = FeedbackRequest.objects.get(round=feedback_round, stakeholder=person)
        stakeholder_services.response_submit(request=request, scores={g.pk: 2 for g in request.goals.all()})
    stakeholder_services.round_close(feedback_round=feedback_round)
    return feedback_round


@pytest.mark.parametrize("threshold, shown", [(3, True), (4, False)])
def test_round_results_leave_out_a_group_below_the_engagements_threshold(cast, threshold, shown):
    feedback_round = _closed_round(cast, direct_reports=3, peers=1)
    Engagement.objects.filter(pk=cast.lee_engagement.pk).update(anonymity_threshold=threshold)

    results = ApiClient(token_for(cast.lee)).get(f"/api/v1/rounds/{feedback_round.pk}/results/").json()

    assert results["released"] is True and results["threshold"] == threshold
    for goal in results["goals"]:
        groups = {group["group"]: group for group in goal["groups"]}
        assert groups["direct_report"]["shown"] is shown
        assert (groups["direct_report"]["mean"] == 2.0) is shown
        assert groups["peer"]["shown"] is False and groups["peer"]["mean"] is None
        assert groups["peer"]["distribution"] == []
        assert goal["everyone"]["answered"] == (3 if shown else 0)


def test_an_open_rounds_results_hold_counts_only(cast):
    e = cast.lee_engagement
    for _ in range(3):
        StakeholderFactory(engagement=e, relationship="peer")
    feedback_round = FeedbackRoundFactory(engagement=e)
    stakeholder_services.round_open(feedback_round=feedback_round, notify=False)

    results = ApiClient(token_for(cast.ada)).get(f"/api/v1/rounds/{feedback_round.pk}/results/").json()

    assert results["released"] is False and results["goals"] == [] and results["questions"] == []
    assert results["asked"] == 3


def test_the_sponsor_summary_shows_only_released_summaries_to_the_sponsor(cast):
    from engagements.models import Session

    Session.objects.filter(pk=cast.lee_past_session.pk).update(summary_shared_with_sponsor=True)
    path = f"/api/v1/engagements/{cast.lee_engagement.pk}/summary/"

    sponsor = ApiClient(token_for(cast.sam)).get(path).json()
    coach = ApiClient(token_for(cast.ada)).get(path).json()

    assert sponsor["your_role"] == "sponsor" and sponsor["shared_summaries"] == []
    assert coach["includes_previews"] is True
    assert [(s["text"], s["released_at"]) for s in coach["shared_summaries"]] == [
        (cast.secrets["shared_summary"], None)
    ]
    assert sponsor["sessions_held"] == 1 and [g["title"] for g in sponsor["goals"]] == [g.title for g in cast.lee_goals]


def test_lists_page_with_a_cursor(cast):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for i in range(55):
        SessionFactory(engagement=cast.lee_engagement, starts_at=hour + timedelta(days=20, hours=i))
    client = ApiClient(token_for(cast.ada))

    first = client.get(f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/").json()
    second = client.get(first["next"].removeprefix("http://testserver")).json()

    assert len(first["results"]) == 50 and len(second["results"]) == 7 and second["next"] is None
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == sorted(ids) and len(set(ids)) == 57
    forged = client.get(f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/?cursor=forged")
    assert forged.status_code == 404 and forged.json()["detail"]
    crafted = base64.b64encode(b"p=not-a-number").decode()  # a well-formed cursor whose position is no id
    assert client.get(f"/api/v1/engagements/{cast.lee_engagement.pk}/sessions/?cursor={crafted}").status_code == 404


# --- Fixed query counts ---------------------------------------------------------------------------------


def _more_data(cast, n: int, *, first_week: int = 1) -> None:
    """`n` more of every kind of row each list shows, in Lee's engagement (and one more engagement for Ada)."""
    e = cast.lee_engagement
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for i in range(n):
        EngagementFactory(coach=cast.ada, sponsors=[cast.sam])
        session = SessionFactory(engagement=e, starts_at=hour + timedelta(days=30, hours=i))
        AgendaItemFactory(session=cast.lee_next_session, author=cast.lee)
        AgendaItemFactory(session=session, author=cast.lee)
        commitment = CommitmentFactory(session=cast.lee_past_session)
        PracticeLogFactory(commitment=commitment)
        PracticeLogFactory(commitment=commitment, kind="could_not", note="Travelling all week")
        StakeholderFactory(engagement=e, relationship="peer")
        WeeklyReflectionFactory(engagement=e, leader=cast.lee, iso_year=2025, iso_week=first_week + i)
        FeedbackRoundFactory(engagement=e, opens_on=timezone.localdate() + timedelta(days=40 + 30 * i))


# Each list: token and user (1), the last-used update on the first request of a minute (absent here:
# the token was used by the warm-up request), the engagement checked through the access rules (1 for
# nested lists), the rows (1) and their prefetches (goals of stakeholders, ratings of reflections: 1).
LISTS = {
    "/api/v1/engagements/": 2,  # token; engagements with counts
    "/api/v1/engagements/{e}/goals/": 3,  # token; engagement; goals
    "/api/v1/engagements/{e}/sessions/": 3,  # token; engagement; sessions with their engagement
    "/api/v1/sessions/{s}/agenda/": 3,  # token; session through the access rules; agenda items
    "/api/v1/engagements/{e}/commitments/": 3,  # token; engagement; commitments with goal and log counts
    "/api/v1/engagements/{e}/practice-logs/": 3,  # token; engagement; logs
    "/api/v1/engagements/{e}/reflections/": 4,  # token; engagement; reflections; their ratings
    "/api/v1/engagements/{e}/stakeholders/": 4,  # token; engagement; stakeholders; their goals
    "/api/v1/engagements/{e}/rounds/": 3,  # token; engagement; rounds with asked/answered counts
}


# One object each: the same at both sizes too.
DETAILS = {
    "/api/v1/engagements/{e}/": 2,  # token; engagement with counts
    "/api/v1/sessions/{s}/": 2,  # token; session with its engagement
    # token; engagement; then the summary's own: engagement, sponsors, goals, sessions, shared
    # three-way agenda, fieldwork counts, logs per week; closed rounds, goals, scores twice (the
    # summary's charts, then the trend points)
    "/api/v1/engagements/{e}/summary/": 15,
    "/api/v1/rounds/{r}/results/": 7,  # token; round with engagement; counts; goals; asked; scores; answers
}


def _counts(client, cast, templates: dict[str, int], feedback_round=None) -> dict[str, int]:
    counts = {}
    for template in templates:
        path = template.format(
            e=cast.lee_engagement.pk, s=cast.lee_next_session.pk, r=getattr(feedback_round, "pk", None)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        counts[template] = len(queries)
    return counts


def test_each_list_keeps_a_fixed_number_of_queries_however_many_rows(cast):
    client = ApiClient(token_for(cast.ada))
    client.get("/api/v1/engagements/")  # the token's last-used time is written once here
    _more_data(cast, 1)  # one row of each kind (an empty list skips its prefetch)

    small = _counts(client, cast, LISTS)
    _more_data(cast, 12, first_week=2)
    large = _counts(client, cast, LISTS)

    assert small == large == LISTS


def test_each_single_object_keeps_a_fixed_number_of_queries_however_much_history(cast):
    client = ApiClient(token_for(cast.ada))
    client.get("/api/v1/engagements/")
    small_round = _closed_round(cast, direct_reports=3, peers=0)
    _more_data(cast, 1)

    small = _counts(client, cast, DETAILS, small_round)
    large_round = _closed_round(cast, direct_reports=9, peers=4)
    _more_data(cast, 12, first_week=2)
    large = _counts(client, cast, DETAILS, large_round)

    assert small == large == DETAILS
