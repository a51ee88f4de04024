"""Roster pages: the leader nominates, the coach adds, approves, edits, deactivates and removes."""

from __future__ import annotations

import pytest

from stakeholders.models import Stakeholder
from tests.factories import StakeholderFactory


def add_url(cast) -> str:
    return f"/engagements/{cast.lee_engagement.pk}/stakeholders/new/"


def person_url(cast, stakeholder, action: str) -> str:
    return f"/engagements/{cast.lee_engagement.pk}/stakeholders/{stakeholder.pk}/{action}/"


def test_leader_nominates_a_stakeholder(client_for, cast):
    data = {"name": "Nina Novak", "email": "nina@acme.example", "relationship": "peer", "goals": [cast.lee_goals[0].pk]}

    response = client_for("lee").post(add_url(cast), data)

    assert response.status_code == 302 and response["Location"] == f"/engagements/{cast.lee_engagement.pk}/feedback/"
    stakeholder = Stakeholder.objects.get(email="nina@acme.example")
    assert (stakeholder.status, stakeholder.nominated_by) == ("nominated", cast.lee)
    assert list(stakeholder.goals.all()) == [cast.lee_goals[0]]


def test_nomination_form_offers_only_this_engagements_goals(client_for, cast):
    body = client_for("lee").get(add_url(cast)).content.decode()

    assert cast.lee_goals[0].title in body
    assert cast.liv_goals[0].title not in body


def test_duplicate_email_re_shows_the_form_with_a_clear_message(client_for, cast):
    StakeholderFactory(engagement=cast.lee_engagement, name="Nina Novak", email="nina@acme.example")
    data = {"name": "Nina again", "email": "NINA@acme.example", "relationship": "direct_report"}

    response = client_for("lee").post(add_url(cast), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "nina@acme.example is already on this engagement&#x27;s roster (as Nina Novak)." in body
    assert 'value="Nina again"' in body
    assert Stakeholder.objects.filter(engagement=cast.lee_engagement).count() == 1


def test_missing_fields_are_explained(client_for, cast):
    response = client_for("ada").post(add_url(cast), {"name": "", "email": "not-an-email", "relationship": "boss"})

    body = response.content.decode()
    assert "This field is required." in body
    assert "Enter a valid email address." in body
    assert "Select a valid choice." in body
    assert not Stakeholder.objects.exists()


def test_coach_addition_is_active_at_once(client_for, cast):
    client_for("ada").post(add_url(cast), {"name": "Rui", "email": "rui@acme.example", "relationship": "other"})

    assert Stakeholder.objects.get(email="rui@acme.example").status == "approved"


@pytest.mark.parametrize("who", ["sam", "ben", "liv"])
def test_others_cannot_nominate(client_for, cast, who):
    response = client_for(who).post(add_url(cast), {"name": "X", "email": "x@acme.example", "relationship": "peer"})

    assert response.status_code == 404
    assert not Stakeholder.objects.exists()


def test_coach_approves_a_nomination_with_htmx_and_gets_the_roster_back(client_for, cast):
    nominee = StakeholderFactory(engagement=cast.lee_engagement, name="Nina", status="nominated", nominated_by=cast.lee)

    response = client_for("ada").post(person_url(cast, nominee, "approve"), HTTP_HX_REQUEST="true")

    nominee.refresh_from_db()
    assert nominee.status == "approved"
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card mb-4" id="roster"')
    assert "Nina is active and will be asked in the next round." in body


def test_leader_cannot_approve(client_for, cast):
    nominee = StakeholderFactory(engagement=cast.lee_engagement, status="nominated", nominated_by=cast.lee)

    response = client_for("lee").post(person_url(cast, nominee, "approve"))

    assert response.status_code == 404
    nominee.refresh_from_db()
    assert nominee.status == "nominated"


def test_coach_edits_a_stakeholder(client_for, cast):
    person = StakeholderFactory(engagement=cast.lee_engagement, email="old@acme.example")

    response = client_for("ada").post(
        person_url(cast, person, "edit"),
        {"name": "Renamed", "email": "new@acme.example", "relationship": "manager", "goals": [cast.lee_goals[1].pk]},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.email, person.relationship) == ("Renamed", "new@acme.example", "manager")


def test_a_stakeholder_of_another_engagement_is_a_404(client_for, cast):
    other = StakeholderFactory(engagement=cast.liv_engagement)

    assert client_for("ada").get(person_url(cast, other, "edit")).status_code == 404
    assert client_for("ada").post(person_url(cast, other, "deactivate")).status_code == 404


def test_coach_deactivates_a_stakeholder(client_for, cast):
    person = StakeholderFactory(engagement=cast.lee_engagement)

    response = client_for("ada").post(person_url(cast, person, "deactivate"), follow=True)

    person.refresh_from_db()
    assert person.status == "inactive"
    assert "Their past answers stay in the results." in response.content.decode()
    assert "Reactivate<span" in response.content.decode()


def test_leader_withdraws_their_own_nomination_but_not_an_approved_stakeholder(client_for, cast):
    mine = StakeholderFactory(engagement=cast.lee_engagement, status="nominated", nominated_by=cast.lee)
    approved = StakeholderFactory(engagement=cast.lee_engagement)
    client = client_for("lee")

    client.post(person_url(cast, mine, "remove"))
    refused = client.post(person_url(cast, approved, "remove"))

    assert not Stakeholder.objects.filter(pk=mine.pk).exists()
    assert refused.status_code == 403
    assert Stakeholder.objects.filter(pk=approved.pk).exists()


def test_removing_someone_already_asked_explains_to_deactivate(client_for, cast, lee_roster, open_round):
    open_round()

    response = client_for("ada").post(person_url(cast, lee_roster.peer[0], "remove"), follow=True)

    assert "Deactivate them instead" in response.content.decode()
    assert Stakeholder.objects.filter(pk=lee_roster.peer[0].pk).exists()
