"""The SQL narrowing of weekly prompts finds exactly the people a walk over every schedule would find."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from fieldwork import notifications as sources
from fieldwork.notifications import REFLECTION_CATCH_UP
from notifications import services
from notifications.models import Kind, Notification, NotificationPreference, WeeklySchedule, default_reflection_schedule
from tests.factories import EngagementFactory, UserFactory

# Zones with a daylight-saving change in the swept weeks, a half-hour one, a two-hour one, and none.
ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Antarctica/Troll", "Asia/Kolkata"]
# (weekday, time): the skipped hour of a spring change, the doubled one of an autumn change, day edges.
CHOICES = [(6, time(2, 30)), (6, time(1, 30)), (0, time(0, 0)), (6, time(23, 59)), (4, time(16, 0)), None]


def _schedule(user) -> WeeklySchedule:
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        return default_reflection_schedule(user.time_zone)
    return preference.reflection_schedule(user.time_zone)


def _walk_every_schedule(leaders, now: datetime) -> set[tuple[int, str]]:
    """Who is due, asking each person's schedule: the rule the filter must reproduce."""
    due = set()
    recorded = set(Notification.objects.filter(kind=Kind.REFLECTION_PROMPT).values_list("recipient_id", "period_key"))
    for leader in leaders:
        schedule = _schedule(leader)
        day, moment = schedule.last_occurrence(now)
        key = schedule.period_key(day, "reflection")
        if now - moment < REFLECTION_CATCH_UP and (leader.pk, key) not in recorded:
            due.add((leader.pk, key))
    return due


@pytest.fixture
def leaders(db):
    people = []
    for zone in ZONES:
        for choice in CHOICES:
            leader = UserFactory(time_zone=zone)
            EngagementFactory(leader=leader)
            if choice is not None:
                NotificationPreference.objects.create(
                    user=leader, reflection_weekday=choice[0], reflection_time=choice[1]
                )
            people.append(leader)
    return people


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 3, 7, tzinfo=UTC),  # New York springs forward on Sunday 8 March
        datetime(2026, 3, 28, tzinfo=UTC),  # London and Troll on 29 March
        datetime(2026, 4, 4, tzinfo=UTC),  # Lord Howe falls back half an hour on 5 April
        datetime(2026, 10, 24, tzinfo=UTC),  # London and Troll fall back on 25 October
    ],
)
def test_the_finder_yields_exactly_who_a_walk_over_every_schedule_finds_through_clock_changes(leaders, start):
    moment = start
    while moment < start + timedelta(days=3):
        expected = _walk_every_schedule(leaders, moment)
        specs = list(sources.find_reflection_prompts(moment))
        assert {(s.recipient_id, s.period_key) for s in specs} == expected, moment
        services.notifications_record(specs=specs, now=moment)
        moment += timedelta(minutes=30)


@pytest.mark.django_db
def test_a_prompt_already_recorded_is_not_offered_again(leaders):
    friday_four_pm_london = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
    first = list(sources.find_reflection_prompts(friday_four_pm_london))
    assert first
    services.notifications_record(specs=first, now=friday_four_pm_london)
    assert list(sources.find_reflection_prompts(friday_four_pm_london + timedelta(minutes=1))) == []
