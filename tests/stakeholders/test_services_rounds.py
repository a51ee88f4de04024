"""Feedback rounds: opening asks every active stakeholder exactly once; closing; planning the next one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tokens import hash_token
from notifications.models import Notification
from stakeholders import services
from stakeholders.models import FeedbackRequest, FeedbackRound, Stakeholder
from tests.factories import FeedbackRoundFactory, GoalFactory, StakeholderFactory


def test_opening_a_round_creates_one_request_per_active_stakeholder(cast, lee_roster):
    StakeholderFactory(engagement=cast.lee_engagement, status=Stakeholder.Status.NOMINATED)
    StakeholderFactory(engagement=cast.lee_engagement, status=Stakeholder.Status.INACTIVE)
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)

    created = services.round_open(feedback_round=feedback_round, notify=False)

    active = set(
        Stakeholder.objects.filter(engagement=cast.lee_engagement, status="approved").values_list("pk", flat=True)
    )
    assert len(active) == 8
    assert sorted(r.stakeholder_id for r in created) == sorted(active)
    assert feedback_round.requests.count() == 8
    feedback_round.refresh_from_db()
    assert (feedback_round.status, feedback_round.sequence, feedback_round.label) == ("open", 1, "Progress round 1")
    assert feedback_round.opened_at is not None


def test_opening_a_round_a_second_time_does_not_duplicate_requests(cast, lee_roster):
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    services.round_open(feedback_round=feedback_round, notify=False)

    again = services.round_open(feedback_round=feedback_round, notify=False)

    assert again == []
    assert feedback_round.requests.count() == 8


def test_opening_again_asks_only_people_approved_since(cast, lee_roster):
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    services.round_open(feedback_round=feedback_round, notify=False)
    late = StakeholderFactory(engagement=cast.lee_engagement, relationship="other")

    again = services.round_open(feedback_round=feedback_round, notify=False)

    assert [r.stakeholder for r in again] == [late]
    assert feedback_round.requests.count() == 9


def test_database_allows_one_request_per_stakeholder_and_round(cast, lee_roster):
    from django.db import IntegrityError, transaction

    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    services.round_open(feedback_round=feedback_round, notify=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackRequest.objects.create(
            round=feedback_round, stakeholder=lee_roster.peer[0], relationship="peer", link_nonce="x", token_hash="y"
        )


def test_request_snapshots_the_group_and_the_goals_the_person_observes(cast, lee_roster):
    peer = lee_roster.peer[0]
    peer.goals.set(cast.lee_goals[1:])
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    services.round_open(feedback_round=feedback_round, notify=False)
    peer.relationship = "other"
    peer.save()

    request = FeedbackRequest.objects.get(round=feedback_round, stakeholder=peer)

    assert request.relationship == "peer"
    assert list(request.goals.all()) == cast.lee_goals[1:]


def test_person_with_no_goal_ticked_is_asked_about_every_goal(cast, lee_roster):
    lee_roster.other[0].goals.clear()
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    services.round_open(feedback_round=feedback_round, notify=False)

    request = FeedbackRequest.objects.get(round=feedback_round, stakeholder=lee_roster.other[0])

    assert request.goals.count() == 2


def test_baseline_round_asks_no_scores(cast, lee_roster):
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement, kind="baseline")
    services.round_open(feedback_round=feedback_round, notify=False)

    assert not FeedbackRequest.goals.through.objects.filter(feedbackrequest__round=feedback_round).exists()
    feedback_round.refresh_from_db()
    assert feedback_round.label == "Baseline"


def test_only_the_hash_of_each_link_is_stored(cast, lee_roster):
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    services.round_open(feedback_round=feedback_round, notify=False)

    for request in FeedbackRequest.objects.filter(round=feedback_round):
        token = services.link_token(request=request)
        assert len(token) == 43  # 32 bytes, URL-safe base64: 256 bits
        assert request.token_hash == hash_token(token)
        stored = " ".join(str(getattr(request, f.attname)) for f in FeedbackRequest._meta.concrete_fields)
        assert token not in stored
    hashes = FeedbackRequest.objects.filter(round=feedback_round).values_list("token_hash", flat=True)
    assert len(set(hashes)) == 8


def test_opening_emails_each_stakeholder_their_own_link(cast, lee_roster, django_capture_on_commit_callbacks):
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)

    with django_capture_on_commit_callbacks(execute=True):
        services.round_open(feedback_round=feedback_round)

    assert len(mail.outbox) == 8
    links = {}
    for message in mail.outbox:
        (token,) = re.findall(r"/f/([A-Za-z0-9_-]{43})/", message.body)[:1]
        links[message.to[0]] = token
    for request in FeedbackRequest.objects.filter(round=feedback_round).select_related("stakeholder"):
        assert services.request_find(token=links[request.stakeholder.email]) == request
        assert request.send_count == 1 and request.sent_at is not None
        row = Notification.objects.get(kind="stakeholder_request", period_key=f"request:{request.pk}:send:1")
        assert (row.status, row.recipient_email) == ("sent", request.stakeholder.email)


def test_round_planned_for_later_cannot_open_yet(cast, lee_roster):
    today = timezone.localdate(timezone=cast.ada.tz)
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement, opens_on=today + timedelta(days=3))

    with pytest.raises(ValidationError) as excinfo:
        services.round_open(feedback_round=feedback_round)

    assert "planned to open on" in excinfo.value.messages[0]
    assert feedback_round.requests.count() == 0


def test_progress_round_needs_a_goal(cast):
    StakeholderFactory(engagement=cast.liv_engagement)
    cast.liv_engagement.goals.all().delete()
    feedback_round = FeedbackRoundFactory(engagement=cast.liv_engagement)

    with pytest.raises(ValidationError, match="at least one goal"):
        services.round_open(feedback_round=feedback_round)


def test_round_needs_an_active_stakeholder(cast):
    StakeholderFactory(engagement=cast.liv_engagement, status=Stakeholder.Status.NOMINATED)
    feedback_round = FeedbackRoundFactory(engagement=cast.liv_engagement)

    with pytest.raises(ValidationError, match="Approve at least one stakeholder"):
        services.round_open(feedback_round=feedback_round)

    feedback_round.refresh_from_db()
    assert feedback_round.status == "draft"


def test_round_must_close_after_it_opens(cast):
    today = timezone.localdate()

    with pytest.raises(ValidationError):
        services.round_create(
            engagement=cast.lee_engagement, created_by=cast.ada, kind="progress", opens_on=today, closes_on=today
        )


def test_closed_round_cannot_open_again(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    services.round_close(feedback_round=feedback_round)

    with pytest.raises(ValidationError, match="closed"):
        services.round_open(feedback_round=feedback_round)


def test_second_progress_round_is_numbered_two(cast, lee_roster, open_round):
    first, _ = open_round()
    services.round_close(feedback_round=first)

    second, _ = open_round()

    assert second.label == "Progress round 2"


@time_machine.travel("2026-03-02 09:00 +00:00", tick=False)
def test_closing_a_round_plans_the_next_one_in_n_weeks(cast, lee_roster, open_round):
    feedback_round, _ = open_round(ask_support=True)

    result = services.round_close(feedback_round=feedback_round, next_in_weeks=8)

    feedback_round.refresh_from_db()
    assert feedback_round.status == "closed" and feedback_round.closed_at is not None
    nxt = result.next_round
    assert (nxt.status, nxt.kind, str(nxt.opens_on), str(nxt.closes_on)) == (
        "draft",
        "progress",
        "2026-04-27",
        "2026-05-11",
    )
    assert nxt.ask_support is True
    assert feedback_round.next_round_on == nxt.opens_on


def test_closing_without_a_next_round_plans_nothing(cast, lee_roster, open_round):
    feedback_round, _ = open_round()

    result = services.round_close(feedback_round=feedback_round)

    assert result.next_round is None
    assert FeedbackRound.objects.filter(engagement=cast.lee_engagement).count() == 1


def test_a_planned_round_opens_on_its_day(cast, lee_roster, django_capture_on_commit_callbacks):
    today = timezone.localdate(timezone=cast.ada.tz)
    planned = FeedbackRoundFactory(engagement=cast.lee_engagement, opens_on=today + timedelta(days=7))

    assert services.rounds_open_due() == []
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        with django_capture_on_commit_callbacks(execute=True):
            opened = services.rounds_open_due()

    assert opened == [planned]
    planned.refresh_from_db()
    assert planned.status == "open"
    assert len(mail.outbox) == 8


def test_draft_round_can_be_edited_and_deleted_but_not_once_open(cast, lee_roster, open_round):
    draft = FeedbackRoundFactory(engagement=cast.lee_engagement)
    services.round_update(
        feedback_round=draft,
        kind="baseline",
        opens_on=draft.opens_on,
        closes_on=draft.opens_on + timedelta(days=7),
        ask_support=True,
        ask_organisation=True,
    )
    draft.refresh_from_db()
    assert (draft.kind, draft.ask_organisation) == ("baseline", True)
    services.round_delete(feedback_round=draft)
    opened, _ = open_round()

    with pytest.raises(ValidationError):
        services.round_delete(feedback_round=opened)
    with pytest.raises(ValidationError):
        services.round_update(
            feedback_round=opened,
            kind="baseline",
            opens_on=opened.opens_on,
            closes_on=opened.closes_on,
            ask_support=False,
            ask_organisation=False,
        )


def test_new_goal_asked_after_opening_is_not_added_to_requests(cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    GoalFactory(engagement=cast.lee_engagement, title="A third goal")

    request = FeedbackRequest.objects.filter(round=feedback_round).first()

    assert request.goals.count() == 2
