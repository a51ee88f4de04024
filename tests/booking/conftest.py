"""Fixtures for booking: a coach in London with weekday mornings open, and a leader in New York."""

from __future__ import annotations

from datetime import time

import pytest

from booking.models import Availability, WeeklyHours
from tests.factories import CoachFactory, EngagementFactory, UserFactory


def open_mornings(coach, **rules) -> Availability:
    """Monday to Friday 09:00-12:00 in the coach's zone; 60-minute sessions, 15-minute buffer,
    24 hours' notice, four weeks ahead (unless `rules` says otherwise)."""
    availability = Availability.objects.create(
        coach=coach,
        **{"session_lengths": "60", "buffer_minutes": 15, "min_notice_hours": 24, "horizon_days": 28, **rules},
    )
    for weekday in range(5):
        WeeklyHours.objects.create(availability=availability, weekday=weekday, starts=time(9), ends=time(12))
    return availability


@pytest.fixture
def coach(db):
    return CoachFactory(full_name="Cora Coach", email="cora@example.com", time_zone="Europe/London")


@pytest.fixture
def leader(db):
    return UserFactory(full_name="Nia Leader", email="nia@example.com", time_zone="America/New_York")


@pytest.fixture
def engagement(coach, leader):
    return EngagementFactory(coach=coach, leader=leader, planned_sessions=3, organisation="Harbour Freight")


@pytest.fixture
def availability(coach):
    return open_mornings(coach)
