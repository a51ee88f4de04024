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
    """Brings comments written before the limit inside it, so the new check can be added."""
    _truncate(apps.get_model("coaching", "PartnershipCheckIn"), "comment", 2000)


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0001_initial"),
        ("engagements", "0005_plausible_ranges_and_text_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fix_existing_rows, migrations.RunPython.noop),
    ]
