from __future__ import annotations

from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def moment(value: str | None) -> datetime | date | None:
    """An ISO date or moment of a record back as a date or an aware datetime, for the `date` filter."""
    if not value:
        return None
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
