from django.db import migrations, models

KINDS = [
    ("reflection_prompt", "Weekly reflection prompt"),
    ("session_reminder", "Session reminder"),
    ("agenda_prompt", "Agenda prompt"),
    ("fieldwork_nudge", "Fieldwork nudge"),
    ("stakeholder_request", "Feedback request"),
    ("stakeholder_nudge", "Feedback request reminder"),
    ("no_show_follow_up", "No-show follow-up"),
    ("no_next_session", "No next session booked"),
]


class Migration(migrations.Migration):
    """Feedback request e-mails become outbox rows of their own kind."""

    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=32),
        ),
        migrations.AlterField(
            model_name="optout",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=32),
        ),
    ]
