"""Creates a client organisation for each organisation name engagements carry, per practice, and links them."""

from django.db import migrations


def link(apps, schema_editor):
    Engagement = apps.get_model("engagements", "Engagement")
    ClientOrganisation = apps.get_model("programs", "ClientOrganisation")
    pairs = (
        Engagement.objects.filter(client__isnull=True)
        .exclude(organisation="")
        .values_list("organisation", "coach__practice_id")
        .distinct()
    )
    for name, practice_id in list(pairs):
        organisation, _ = ClientOrganisation.objects.get_or_create(practice_id=practice_id, name=name.strip())
        Engagement.objects.filter(client__isnull=True, organisation=name, coach__practice_id=practice_id).update(
            client_id=organisation.pk
        )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_organisations_programs_ledger"),
        ("engagements", "0008_engagement_client_organisation_and_program"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
