"""Celery entry points for booking: calendar reads on a schedule and on demand, and write-backs."""

from __future__ import annotations

from celery import shared_task

from .models import CalendarConnection


@shared_task(name="booking.tasks.sync_due_calendars", ignore_result=True)
def sync_due_calendars() -> int:
    """Beat entry: hands one read per connected calendar to the workers (the clock only fans out)."""
    ids = list(CalendarConnection.objects.values_list("pk", flat=True))
    for pk in ids:
        sync_calendar.delay(pk)
    return len(ids)


@shared_task(name="booking.tasks.sync_calendar", ignore_result=True)
def sync_calendar(connection_id: int) -> int:
    from .services import calendar_sync

    connection = CalendarConnection.objects.select_related("coach").filter(pk=connection_id).first()
    if connection is None:
        return 0
    return calendar_sync(connection=connection)


@shared_task(name="booking.tasks.write_back", ignore_result=True)
def write_back(booking_id: int) -> str:
    from .services import booking_write_back

    return booking_write_back(booking_id=booking_id)
