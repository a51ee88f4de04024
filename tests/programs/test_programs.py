"""Organisations and programs: coaches and the practice admin run them; program managers are invited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import invitation_token
from engagements.models import Engagement
from engagements.services import engagement_create, engagement_update
from programs.models import ClientOrganisation, RowRelease
from tests.factories import EngagementFactory


def test_an_engagement_belongs_to_its_named_organisation_which_a_rename_carries(cast):
    result = engagement_create(
        coach=cast.ada,
        leader_email="new@example.com",
        leader_name="New Leader",
        organisation="Acme Logistics",
        start_date=timezone.localdate(),
        planned_end_date=timezone.localdate() + timedelta(weeks=26),
        planned_sessions=6,
        cadence_days=14,
    )
    e = result.engagement
    assert e.client == cast.lee_engagement.client and e.client.practice == cast.practice

    from programs.services import organisation_rename

    organisation_rename(organisation=e.client, name="Acme Group")
    e.refresh_from_db()
    assert e.organisation == "Acme Group"
    assert Engagement.objects.get(pk=cast.lee_engagement.pk).organisation == "Acme Group"


def test_moving_an_engagement_to_another_organisation_takes_it_out_of_the_program(cast):
    e = cast.lee_engagement
    engagement_update(
        engagement=e,
        organisation="Borealis Energy",
        start_date=e.start_date,
        planned_end_date=e.planned_end_date,
        planned_sessions=6,
        cadence_days=14,
    )
    e.refresh_from_db()
    assert e.client.name == "Borealis Energy" and e.program_id is None


def test_a_coach_creates_an_organisation_and_a_program_keeping_bad_input(cast, client_for):
    client = client_for("ada")
    response = client.post("/programs/", {"org-name": "Cobalt Bank"})
    org = ClientOrganisation.objects.get(name="Cobalt Bank", practice=cast.practice)
    assert response.status_code == 302

    bad = {
        "program-name": "Cobalt 2026",
        "program-start_date": "2026-03-01",
        "program-end_date": "2026-01-01",
        "program-planned_sessions": "6",
        "program-stalled_after_weeks": "4",
        "add_program": "1",
    }
    response = client.post(f"/programs/organisations/{org.pk}/", bad)
    body = response.content.decode()
    assert response.status_code == 400 and "The end date must be after the start date." in body
    assert 'value="Cobalt 2026"' in body and not org.programs.exists()


def test_another_practice_cannot_open_an_organisation(cast, client_for):
    from tests.factories import CoachFactory, PracticeFactory

    stranger = CoachFactory(practice=PracticeFactory(name="Elsewhere"))
    from django.test import Client

    client = Client()
    client.force_login(stranger)
    assert client.get(f"/programs/organisations/{cast.program.organisation_id}/").status_code == 404
    assert client.get(f"/programs/{cast.program.pk}/manage/").status_code == 404


def test_a_coach_cannot_put_another_coachs_engagement_into_a_program(cast, client_for):
    bens = EngagementFactory(coach=cast.ben, organisation="Acme Logistics")

    response = client_for("ben").post(
        f"/programs/{cast.program.pk}/engagements/", {"engagements-engagements": [str(cast.lee_engagement.pk)]}
    )
    assert response.status_code == 400
    client_for("ben").post(f"/programs/{cast.program.pk}/engagements/", {"engagements-engagements": [str(bens.pk)]})

    assert set(Engagement.objects.filter(program=cast.program).values_list("pk", flat=True)) == {
        cast.lee_engagement.pk,
        bens.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_program_manager_is_invited_by_mail_and_sees_the_program_once_accepted(cast, client_for, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client_for("pam").post(
        f"/programs/{cast.program.pk}/managers/",
        {"manager-full_name": "Hana Hill", "manager-email": "hana@example.com"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(user__email="hana@example.com")
    assert (invitation.role, invitation.program_id) == (Invitation.Role.PROGRAM_MANAGER, cast.program.pk)
    page = client_for("pam").get(f"/programs/{cast.program.pk}/manage/").content.decode()
    assert "Hana Hill" in page and "invited" in page

    token = invitation_token(invitation=invitation)
    from django.test import Client

    client = Client()
    password = "a-long-program-password-2026"
    response = client.post(
        f"/account/invitation/{token}/", {"password1": password, "password2": password, "time_zone": "Europe/Paris"}
    )
    assert response.status_code == 302
    assert cast.program.managers.filter(email="hana@example.com").exists()
    assert client.get(f"/programs/{cast.program.pk}/").status_code == 200


def test_a_coach_cannot_be_made_a_program_manager(cast, client_for):
    response = client_for("ada").post(
        f"/programs/{cast.program.pk}/managers/", {"manager-full_name": "Ben", "manager-email": "ben@example.com"}
    )
    assert response.status_code == 400 and "not the practice" in response.content.decode()
    assert not Invitation.objects.filter(role=Invitation.Role.PROGRAM_MANAGER).exists()


def test_only_the_leader_releases_and_withdraws_their_row(cast, client_for):
    e = cast.lee_engagement
    RowRelease.objects.filter(engagement=e).delete()

    assert client_for("ada").post(f"/engagements/{e.pk}/program-row/", {"action": "release"}).status_code == 404
    assert not RowRelease.objects.filter(engagement=e).exists()

    client_for("lee").post(f"/engagements/{e.pk}/program-row/", {"action": "release"})
    assert RowRelease.objects.filter(engagement=e, released_by=cast.lee).exists()
    client_for("lee").post(f"/engagements/{e.pk}/program-row/", {"action": "withdraw"})
    assert not RowRelease.objects.filter(engagement=e).exists()
    assert re.search("Show my row", client_for("lee").get(f"/engagements/{e.pk}/").content.decode())


def test_removing_a_manager_shuts_the_dashboard(cast, client_for):
    client_for("ada").post(f"/programs/{cast.program.pk}/managers/{cast.pia.pk}/remove/")

    assert client_for("pia").get(f"/programs/{cast.program.pk}/").status_code == 404
    assert not mail.outbox
