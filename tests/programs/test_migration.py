"""Organisation names engagements carried before client organisations existed become organisations."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from engagements.models import Engagement
from programs.models import ClientOrganisation
from tests.factories import EngagementFactory

BEFORE = [
    ("programs", "0001_organisations_programs_ledger"),
    ("engagements", "0008_engagement_client_organisation_and_program"),
]


@pytest.mark.django_db(transaction=True)
def test_each_name_becomes_one_organisation_per_practice_and_every_engagement_links_to_it(cast):
    second = EngagementFactory(coach=cast.ben, organisation="Acme Logistics")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("engagements", "Engagement").objects.update(client=None, program=None)
    old.get_model("programs", "Program").objects.all().delete()
    old.get_model("programs", "ClientOrganisation").objects.all().delete()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    acme = ClientOrganisation.objects.get(name="Acme Logistics")
    assert acme.practice == cast.practice
    assert set(Engagement.objects.filter(client=acme).values_list("pk", flat=True)) == {
        cast.lee_engagement.pk,
        second.pk,
    }
    assert Engagement.objects.get(pk=cast.liv_engagement.pk).client.name == "Borealis Energy"
    assert not Engagement.objects.filter(client__isnull=True).exists()
