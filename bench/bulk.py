"""Bulk loading with PostgreSQL's COPY, driven by the models so the tables stay as Django defines them.

Rows are dicts keyed by attribute name (`engagement_id`, not `engagement`). A field a row leaves out
takes the model's default (evaluated once per table), `auto_now` fields take the seeding moment, so a
field added later with a default needs no change here. Primary keys are given by the seeder; the
table's identity sequence is moved past them at the end.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

CHUNK_ROWS = 50_000
_MISSING = object()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return _escape(json.dumps(value))
    return _escape(str(value))


class Loader:
    """Copies rows into model tables and keeps count of what it loaded."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.now = timezone.now()
        self._next_ids: dict[type[models.Model], int] = {}

    def next_id(self, model: type[models.Model]) -> int:
        value = self._next_ids.get(model, 1)
        self._next_ids[model] = value + 1
        return value

    def _plan(self, model: type[models.Model]):
        fields = list(model._meta.concrete_fields)
        plan = []
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = self.now
            elif field.primary_key:
                default = _MISSING
            else:
                default = field.get_default()
            plan.append((field.attname, default))
        return plan

    def load(self, model: type[models.Model], rows: Iterable[dict]) -> int:
        plan = self._plan(model)
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)
        sql = f"COPY {table} ({columns}) FROM STDIN"  # noqa: S608 - names come from the models
        n = 0
        buffer = io.StringIO()
        in_buffer = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for row in rows:
                values = []
                for name, default in plan:
                    value = row.get(name, default)
                    if value is _MISSING:
                        raise ValueError(f"{model.__name__} row without {name}: {row}")
                    values.append(_text(value))
                buffer.write("\t".join(values))
                buffer.write("\n")
                n += 1
                in_buffer += 1
                if in_buffer >= CHUNK_ROWS:
                    buffer.seek(0)
                    raw.copy_expert(sql, buffer)
                    buffer = io.StringIO()
                    in_buffer = 0
            if in_buffer:
                buffer.seek(0)
                raw.copy_expert(sql, buffer)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + n
        return n

    def reset_sequences(self) -> None:
        with connection.cursor() as cursor:
            for model in self._next_ids:
                table = model._meta.db_table
                column = model._meta.pk.column
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(COALESCE(MAX("  # noqa: S608
                    + connection.ops.quote_name(column)
                    + "), 0), 1)) FROM "
                    + connection.ops.quote_name(table),
                    [table, column],
                )
            cursor.execute("ANALYZE")
