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
    FieldworkTemplate = apps.get_model("fieldwork", "FieldworkTemplate")
    Commitment = apps.get_model("fieldwork", "Commitment")
    PracticeLog = apps.get_model("fieldwork", "PracticeLog")
    WeeklyReflection = apps.get_model("fieldwork", "WeeklyReflection")
    _clamp(Commitment, "due_date", EARLIEST, LATEST)
    _clamp(PracticeLog, "occurred_at", EARLIEST_MOMENT, LAST_MOMENT)
    _truncate(FieldworkTemplate, "description", 2000)
    _truncate(Commitment, "review_reason", 1000)
    for field in ("what_tried", "went_well", "went_badly", "noticed_in_myself", "others_reacted", "will_adjust"):
        _truncate(PracticeLog, field, 2000)
    for field in ("wins", "struggles", "topics"):
        _truncate(WeeklyReflection, field, 2000)
    # An ISO year is computed, never typed; one outside 2000..2100 can only be a broken row.
    WeeklyReflection.objects.exclude(iso_year__gte=2000, iso_year__lte=2100).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0005_plausible_ranges_and_text_limits"),
        ("fieldwork", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(fix_existing_rows, migrations.RunPython.noop),
    ]
