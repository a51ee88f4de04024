"""Records on each agenda topic whether the sponsor may read it, instead of reading the session's kind.

Existing topics keep what the sponsor could see before: topics of sessions that are three-way now and
that did not come from a private weekly reflection. Every other topic stays private.
"""

from django.db import migrations, models


def flag_three_way_topics(apps, schema_editor):
    AgendaItem = apps.get_model("engagements", "AgendaItem")
    AgendaItem.objects.filter(session__kind="three_way").exclude(source="reflection").update(visible_to_sponsor=True)


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="visible_to_sponsor",
            field=models.BooleanField(
                default=False, help_text="Written for a three-way meeting, or shared with the sponsor by the leader."
            ),
        ),
        migrations.RunPython(flag_three_way_topics, migrations.RunPython.noop),
    ]
