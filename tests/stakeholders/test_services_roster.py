"""The roster: nominations, approval, duplicates, deactivation, removal, and the anonymity threshold."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from stakeholders import services
from stakeholders.models import FeedbackRequest, FeedbackResponse, Stakeholder
from tests.factories import FeedbackRoundFactory, StakeholderFactory
from tests.stakeholders.conftest import answer


def nominate(cast, by, **overrides) -> Stakeholder:
    fields = {"name": "Nina Novak", "email": "nina@acme.example", "relationship": "peer", "goals": cast.lee_goals[:1]}
    return services.stakeholder_nominate(engagement=cast.lee_engagement, by=by, **{**fields, **overrides})


def test_leader_nomination_waits_for_the_coachs_approval(cast):
    stakeholder = nominate(cast, cast.lee)

    assert stakeholder.status == Stakeholder.Status.NOMINATED
    assert stakeholder.nominated_by == cast.lee
    assert list(stakeholder.goals.all()) == cast.lee_goals[:1]


def test_coach_addition_is_approved_at_once(cast):
    stakeholder = nominate(cast, cast.ada)

    assert stakeholder.status == Stakeholder.Status.APPROVED


def test_coach_approves_a_nomination(cast):
    stakeholder = nominate(cast, cast.lee)

    services.stakeholder_approve(stakeholder=stakeholder)

    stakeholder.refresh_from_db()
    assert stakeholder.is_active


def test_duplicate_email_in_one_engagement_is_refused_with_a_clear_message(cast):
    nominate(cast, cast.lee, email="nina@acme.example")

    with pytest.raises(ValidationError) as excinfo:
        nominate(cast, cast.ada, name="Nina N.", email="  NINA@Acme.Example ")

    assert excinfo.value.message_dict["email"] == [
        "nina@acme.example is already on this engagement's roster (as Nina Novak)."
    ]
    assert Stakeholder.objects.filter(engagement=cast.lee_engagement).count() == 1


def test_database_refuses_a_duplicate_email_whatever_its_case(cast):
    StakeholderFactory(engagement=cast.lee_engagement, email="nina@acme.example")

    with pytest.raises(IntegrityError), transaction.atomic():
        Stakeholder.objects.create(
            engagement=cast.lee_engagement, name="Copy", email="Nina@ACME.example", relationship="peer"
        )


def test_same_email_may_serve_two_engagements(cast):
    StakeholderFactory(engagement=cast.liv_engagement, email="nina@acme.example")

    stakeholder = nominate(cast, cast.lee, email="nina@acme.example")

    assert stakeholder.pk


def test_leader_cannot_nominate_themselves(cast):
    with pytest.raises(ValidationError) as excinfo:
        nominate(cast, cast.lee, email=cast.lee.email)

    assert "not the leader or the coach" in excinfo.value.message_dict["email"][0]


def test_goals_of_another_engagement_are_refused(cast):
    with pytest.raises(ValidationError):
        nominate(cast, cast.lee, goals=cast.liv_goals)


def test_a_sponsor_cannot_nominate(cast):
    with pytest.raises(PermissionDenied):
        nominate(cast, cast.sam)


def test_coach_edits_a_stakeholder_but_not_into_a_duplicate(cast):
    first = nominate(cast, cast.ada, email="one@acme.example")
    second = nominate(cast, cast.ada, name="Other", email="two@acme.example")

    services.stakeholder_update(
        stakeholder=first,
        by=cast.ada,
        name="Nina  Novak-Berg",
        email="one@acme.example",
        relationship="direct_report",
        goals=cast.lee_goals,
    )
    with pytest.raises(ValidationError):
        services.stakeholder_update(
            stakeholder=second, by=cast.ada, name="Other", email="ONE@acme.example", relationship="peer", goals=[]
        )

    first.refresh_from_db()
    assert (first.name, first.relationship, first.goals.count()) == ("Nina Novak-Berg", "direct_report", 2)


def test_deactivating_keeps_past_answers_and_withdraws_an_unanswered_link(cast, lee_roster, open_round):
    closed_round, _ = open_round()
    peer = lee_roster.peer[0]
    answer(closed_round, peer, 2, 1)
    services.round_close(feedback_round=closed_round)
    current, _ = open_round()

    services.stakeholder_deactivate(stakeholder=peer)

    peer.refresh_from_db()
    assert peer.status == Stakeholder.Status.INACTIVE
    assert FeedbackResponse.objects.filter(request__stakeholder=peer).count() == 1
    assert FeedbackRequest.objects.get(round=current, stakeholder=peer).withdrawn_at is not None


def test_deactivated_stakeholder_is_not_asked_in_the_next_round(cast, lee_roster, open_round):
    services.stakeholder_deactivate(stakeholder=lee_roster.other[0])

    feedback_round, _ = open_round()

    assert not feedback_round.requests.filter(stakeholder=lee_roster.other[0]).exists()


def test_someone_already_asked_cannot_be_removed(cast, lee_roster, open_round):
    open_round()

    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_remove(stakeholder=lee_roster.peer[0], by=cast.ada)

    assert "Deactivate them instead" in excinfo.value.messages[0]


def test_leader_withdraws_their_own_waiting_nomination(cast):
    stakeholder = nominate(cast, cast.lee)

    services.stakeholder_remove(stakeholder=stakeholder, by=cast.lee)

    assert not Stakeholder.objects.filter(pk=stakeholder.pk).exists()


def test_leader_cannot_remove_an_approved_stakeholder(cast):
    stakeholder = nominate(cast, cast.lee)
    services.stakeholder_approve(stakeholder=stakeholder)

    with pytest.raises(PermissionDenied):
        services.stakeholder_remove(stakeholder=stakeholder, by=cast.lee)


def test_threshold_can_change_before_the_first_round_opens(cast):
    FeedbackRoundFactory(engagement=cast.lee_engagement)  # a draft does not lock it

    services.engagement_set_threshold(engagement=cast.lee_engagement, threshold=5)

    cast.lee_engagement.refresh_from_db()
    assert cast.lee_engagement.anonymity_threshold == 5


def test_threshold_is_locked_once_a_round_has_opened(cast, lee_roster, open_round):
    open_round()

    with pytest.raises(ValidationError) as excinfo:
        services.engagement_set_threshold(engagement=cast.lee_engagement, threshold=2)

    assert "locked" in excinfo.value.message_dict["anonymity_threshold"][0]
    cast.lee_engagement.refresh_from_db()
    assert cast.lee_engagement.anonymity_threshold == 3


@pytest.mark.parametrize("threshold", [1, 11, 0])
def test_threshold_outside_2_to_10_is_refused(cast, threshold):
    with pytest.raises(ValidationError):
        services.engagement_set_threshold(engagement=cast.lee_engagement, threshold=threshold)


def test_database_keeps_the_answers_of_someone_asked_but_an_engagement_can_still_be_deleted(
    cast, lee_roster, open_round
):
    from django.db.models import RestrictedError

    open_round()

    with pytest.raises(RestrictedError), transaction.atomic():
        lee_roster.peer[0].delete()
    cast.lee_engagement.delete()

    assert not FeedbackRequest.objects.exists()
