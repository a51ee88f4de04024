"""Plausible ranges for what people type, shared by forms, services and database constraints.

Three levels hold each limit: a form field refuses the value next to the field and keeps it, the
service refuses it with a `ValidationError` (model validators run in `full_clean()`, the window
around today is checked explicitly), and a `CheckConstraint` refuses a raw write.

- Dates and moments a person types (a session's start, a due date, a round's opening day) lie within
  `YEARS_BACK` years before and `YEARS_AHEAD` years after today at the time of writing.
- The database holds a fixed absolute range, years `EARLIEST.year` to `LATEST.year`, so a value like
  9999-12-31 can never reach the code that does arithmetic on it.
- Free text has a maximum length: `SHORT_TEXT` for a paragraph, `LONG_TEXT` for a session's notes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import formats, timezone

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
EARLIEST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2101, 1, 1, tzinfo=UTC)

YEARS_BACK = 5
YEARS_AHEAD = 3

SHORT_TEXT = 2_000
LONG_TEXT = 10_000


def _day(value: date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


# --- Text ------------------------------------------------------------------------------------------


class MaxCharsValidator(MaxLengthValidator):
    message = "Keep this to %(limit_value)s characters or fewer (it has %(show_value)s)."

    def __call__(self, value):
        # The numbers read "2,000", not "2000".
        cleaned = self.clean(value)
        if self.compare(cleaned, self.limit_value):
            params = {"limit_value": f"{self.limit_value:,}", "show_value": f"{cleaned:,}", "value": value}
            raise ValidationError(self.message, code=self.code, params=params)


def max_chars(limit: int) -> MaxCharsValidator:
    return MaxCharsValidator(limit)


def text_within(field: str, limit: int, *, name: str) -> models.CheckConstraint:
    """A database check that `field` holds at most `limit` characters."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


# --- Dates and moments -----------------------------------------------------------------------------


DATE_VALIDATORS = [
    MinValueValidator(EARLIEST, message=f"Choose a date from {_day(EARLIEST)} onwards."),
    MaxValueValidator(LATEST, message=f"Choose a date before {_day(LATEST)}."),
]
MOMENT_VALIDATORS = [
    MinValueValidator(EARLIEST_MOMENT, message=f"Choose a time from {_day(EARLIEST)} onwards."),
    MaxValueValidator(LATEST_MOMENT, message=f"Choose a time before {_day(LATEST)}."),
]


def date_in_range(field: str, *, name: str) -> models.CheckConstraint:
    """A database check that the date `field` (when set) lies in years 2000 to 2100."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__gte": EARLIEST, f"{field}__lte": LATEST}),
        name=name,
    )


def moment_in_range(field: str, *, name: str) -> models.CheckConstraint:
    """A database check that the moment `field` (when set) lies in years 2000 to 2100."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__gte": EARLIEST_MOMENT, f"{field}__lt": LATEST_MOMENT}),
        name=name,
    )


def plausible_window(today: date | None = None) -> tuple[date, date]:
    """The first and last day a person may type: `YEARS_BACK` years ago to `YEARS_AHEAD` years ahead."""
    today = today or timezone.localdate()
    return _shift_years(today, -YEARS_BACK), _shift_years(today, YEARS_AHEAD)


def check_plausible(value: date | datetime | None, *, field: str | None = None) -> None:
    """Raises ValidationError (on `field`, if given) unless `value` lies in `plausible_window()`.

    A datetime is judged by its local date (the current time zone); None passes.
    """
    if value is None:
        return
    if isinstance(value, datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    else:
        day = value
    first, last = plausible_window()
    if first <= day <= last:
        return
    message = f"Choose a date between {_day(first)} and {_day(last)}."
    raise ValidationError({field: message} if field else message, code="implausible")


def plausible(value: date | datetime | None) -> None:
    """Form field validator: `check_plausible` without a field name (the field shows the message)."""
    check_plausible(value)
