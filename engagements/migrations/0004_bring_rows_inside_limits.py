"""Brings rows written before the plausible ranges and text limits inside them.

A migration of its own, so the fixed rows are committed before the checks are added
(PostgreSQL refuses to alter a table with pending trigger events in the same transaction)."""

import datetime

from django.conf import settings
from django.db import migrations
from django.db.models.functions import Length, Substr


EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
EARLIEST_MOMENT = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LAST_MOMENT = datetime.datetime(2100, 12, 31, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def _truncate(model, field, limit):
    """Cuts text longer than `limit` characters down to `limit`, so the length check can be added."""
    model.objects.annotate(n=Length(field)).filter(n__gt=limit).update(**{field: Substr(field, 1, limit)})


def _clamp(model, field, low, high):
    model.objects.filter(**{f"{field}__lt": low}).update(**{field: low})
    model.objects.filter(**{f"{field}__gt": high}).update(**{field: high})


def fix_existing_rows(apps, schema_editor):
    """Brings rows written before these limits inside them, so the new checks can be added."""
    Engagement = apps.get_model("engagements", "Engagement")
    Goal = apps.get_model("engagements", "Goal")
    Session = apps.get_model("engagements", "Session")
    # The end is raised first and lowered last, so "ends after start" holds after every update.
    Engagement.objects.filter(planned_end_date__lt=EARLIEST + DAY).update(planned_end_date=EARLIEST + DAY)
    _clamp(Engagement, "start_date", EARLIEST, LATEST - DAY)
    Engagement.objects.filter(planned_end_date__gt=LATEST).update(planned_end_date=LATEST)
    _clamp(Session, "starts_at", EARLIEST_MOMENT, LAST_MOMENT)
    for field in ("description", "why_it_matters"):
        _truncate(Goal, field, 2000)
    for field in ("shared_summary", "private_notes"):
        _truncate(Session, field, 10000)


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0003_engagement_awaiting_leader"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fix_existing_rows, migrations.RunPython.noop),
    ]
