"""Due-time arithmetic of the weekly reflection prompt: every local week exactly once, DST or not."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.models import NotificationPreference, WeeklySchedule

ZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Santiago",
    "Australia/Sydney",
    "Australia/Lord_Howe",
]

# Sundays (local) on which the clocks change in 2026 and 2027, per zone (São Paulo has no DST since 2019).
DST_CHANGE_DAYS = {
    "Europe/London": ["2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31"],
    "Europe/Berlin": ["2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31"],
    "America/New_York": ["2026-03-08", "2026-11-01", "2027-03-14", "2027-11-07"],
    "America/Santiago": ["2026-04-05", "2026-09-06", "2027-04-04", "2027-09-05"],
    "Australia/Sydney": ["2026-04-05", "2026-10-04", "2027-04-04", "2027-10-03"],
    "Australia/Lord_Howe": ["2026-04-05", "2026-10-04", "2027-04-04", "2027-10-03"],
    "America/Sao_Paulo": [],
}

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 12, 31, 23, 59, tzinfo=UTC)

zones = st.sampled_from(ZONES)
weekdays = st.integers(min_value=0, max_value=6)
times = st.builds(time, st.integers(min_value=0, max_value=23), st.sampled_from([0, 1, 15, 30, 45, 59]))
moments = st.datetimes(min_value=START.replace(tzinfo=None), max_value=END.replace(tzinfo=None), timezones=st.just(UTC))


def _scheduled_local(schedule: WeeklySchedule, due: datetime) -> datetime:
    return due.astimezone(schedule.tz)


def _walk(schedule: WeeklySchedule, start: datetime, end: datetime) -> list[datetime]:
    dues, moment = [], start
    while True:
        moment = schedule.next_due_after(moment)
        if moment > end:
            return dues
        dues.append(moment)


def _iso_week_index(day: date) -> int:
    """Weeks since an arbitrary Monday: consecutive ISO weeks differ by exactly one."""
    monday = day - timedelta(days=day.weekday())
    return (monday - date(2020, 1, 6)).days // 7


@settings(max_examples=150, deadline=None)
@given(zone=zones, weekday=weekdays, at=times, start=moments)
def test_every_local_week_gets_exactly_one_occurrence_through_2027(zone, weekday, at, start):
    schedule = WeeklySchedule(weekday, at, zone)
    dues = _walk(schedule, start, END + timedelta(days=8))
    local_days = [_scheduled_local(schedule, d).date() for d in dues]
    weeks = [_iso_week_index(d) for d in local_days]
    # None skipped, none doubled: consecutive local weeks, each once.
    assert weeks == list(range(weeks[0], weeks[0] + len(weeks)))
    # The first one is the first chance after the start, not a week late.
    assert dues[0] - start <= timedelta(days=7, hours=1)
    for due, local_day in zip(dues, local_days, strict=True):
        local = _scheduled_local(schedule, due)
        assert local_day.weekday() == weekday
        if local.time().replace(tzinfo=None) != at:
            # Only when the chosen wall-clock time does not exist that day (clocks jumped forward):
            # the prompt comes as much later as the clocks jumped, on the same day.
            naive = datetime.combine(local_day, at)
            round_trip = naive.replace(tzinfo=schedule.tz).astimezone(UTC).astimezone(schedule.tz)
            assert round_trip.replace(tzinfo=None) != naive, f"{local} is not {at} on {local_day} in {zone}"
            assert local > naive.replace(tzinfo=schedule.tz)
    for earlier, later in zip(dues, dues[1:], strict=False):
        assert timedelta(days=7, hours=-1) <= later - earlier <= timedelta(days=7, hours=1)


@settings(max_examples=200, deadline=None)
@given(zone=zones, weekday=weekdays, at=times, moment=moments)
def test_last_and_next_occurrence_surround_any_moment(zone, weekday, at, moment):
    schedule = WeeklySchedule(weekday, at, zone)
    last = schedule.last_due_at_or_before(moment)
    nxt = schedule.next_due_after(moment)
    assert last <= moment < nxt
    assert schedule.last_due_at_or_before(nxt) == nxt
    assert schedule.next_due_after(last) == nxt
    assert timedelta(days=7, hours=-1) <= nxt - last <= timedelta(days=7, hours=1)


@settings(max_examples=60, deadline=None)
@given(zone=zones, weekday=weekdays, at=times, moment=moments)
def test_period_keys_name_consecutive_iso_weeks(zone, weekday, at, moment):
    schedule = WeeklySchedule(weekday, at, zone)
    day, due = schedule.last_occurrence(moment)
    next_day, _ = schedule.last_occurrence(schedule.next_due_after(moment))
    key, next_key = schedule.period_key(day, "reflection"), schedule.period_key(next_day, "reflection")
    assert key != next_key
    year, week, _ = day.isocalendar()
    assert key == f"reflection:{year}-W{week:02d}"
    assert (next_day - day).days == 7


@pytest.mark.parametrize("zone", [z for z in ZONES if DST_CHANGE_DAYS[z]])
@pytest.mark.parametrize(
    "at", [time(0, 30), time(1, 30), time(2, 0), time(2, 30), time(3, 0), time(16, 0), time(23, 30)]
)
def test_ticks_through_the_dst_weeks_of_2026_and_2027_record_each_week_once(zone, at):
    """Simulates a tick every five minutes around each clock change: one period key per local week."""
    for change in DST_CHANGE_DAYS[zone]:
        change_day = date.fromisoformat(change)
        tz = ZoneInfo(zone)
        day_start = datetime.combine(change_day - timedelta(days=1), time(12), tzinfo=tz)
        assert day_start.utcoffset() != (day_start + timedelta(days=2)).utcoffset(), f"no clock change near {change}"
        schedule = WeeklySchedule(change_day.weekday(), at, zone)  # fire on the very day the clocks change
        start = datetime.combine(change_day - timedelta(days=10), time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        end = start + timedelta(days=21)
        recorded: dict[str, datetime] = {}
        moment = start
        while moment < end:
            day, due = schedule.last_occurrence(moment)
            if due > start and moment - due < timedelta(hours=12):  # the reflection finder's catch-up window
                recorded.setdefault(schedule.period_key(day, "reflection"), due)
            moment += timedelta(minutes=5)
        weeks = sorted(recorded)
        assert len(weeks) == 3, (zone, change, at, recorded)
        change_week = schedule.period_key(change_day, "reflection")
        assert change_week in recorded
        assert recorded[change_week].astimezone(ZoneInfo(zone)).date() == change_day


def test_spring_forward_gap_moves_the_prompt_by_the_jump_on_the_same_day():
    schedule = WeeklySchedule(6, time(1, 30), "Europe/London")  # Sunday 01:30 does not exist on 29 March 2026
    due = schedule.next_due_after(datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST
    assert due.astimezone(ZoneInfo("Europe/London")).date() == date(2026, 3, 29)


def test_fall_back_repeated_hour_fires_once_at_the_first_occurrence():
    schedule = WeeklySchedule(6, time(1, 30), "America/New_York")  # 01:30 happens twice on 1 November 2026
    first = schedule.next_due_after(datetime(2026, 10, 31, tzinfo=UTC))
    second = schedule.next_due_after(first)
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert second.astimezone(ZoneInfo("America/New_York")).date() == date(2026, 11, 8)


def test_lord_howe_half_hour_shift_keeps_the_day():
    schedule = WeeklySchedule(6, time(2, 15), "Australia/Lord_Howe")  # clocks go 02:00 -> 02:30 on 4 Oct 2026
    due = schedule.next_due_after(datetime(2026, 10, 3, tzinfo=UTC))
    local = due.astimezone(ZoneInfo("Australia/Lord_Howe"))
    assert (local.date(), local.time()) == (date(2026, 10, 4), time(2, 45))


def test_santiago_midnight_change_keeps_the_day():
    schedule = WeeklySchedule(6, time(0, 30), "America/Santiago")  # Sunday 6 Sep 2026 starts at 01:00
    due = schedule.next_due_after(datetime(2026, 9, 5, 12, tzinfo=UTC))
    local = due.astimezone(ZoneInfo("America/Santiago"))
    assert (local.date(), local.time()) == (date(2026, 9, 6), time(1, 30))


def test_preference_defaults_to_friday_at_four_in_the_persons_own_zone():
    preference = NotificationPreference()
    schedule = preference.reflection_schedule("Australia/Sydney")
    due = schedule.next_due_after(datetime(2026, 6, 1, tzinfo=UTC))  # a Monday
    local = due.astimezone(ZoneInfo("Australia/Sydney"))
    assert (local.date(), local.time()) == (date(2026, 6, 5), time(16, 0))
