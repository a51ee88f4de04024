from django.db import migrations, models


def backfill(apps, schema_editor):
    """Engagements finished before the date was kept: their last change is the best record of the end."""
    Engagement = apps.get_model("engagements", "Engagement")
    Engagement.objects.filter(status__in=["completed", "ended_early"], ended_at__isnull=True).update(
        ended_at=models.F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0008_engagement_client_organisation_and_program"),
    ]

    operations = [
        migrations.AddField(
            model_name="engagement",
            name="ended_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
