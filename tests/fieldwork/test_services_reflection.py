"""reflection_save: one reflection per leader per ISO week of their own calendar; topics to the agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from engagements.models import AgendaItem, Session
from engagements.services import agenda_item_delete
from fieldwork.models import ReflectionTopic, SelfRating, WeeklyReflection, iso_week_of
from fieldwork.services import reflection_save

NEW_YORK = ZoneInfo("America/New_York")


def _save(cast, **kwargs):
    kwargs.setdefault("wins", "Stayed calm when the VP pushed back.")
    return reflection_save(leader=cast.lee, engagement=cast.lee_engagement, **kwargs)


def test_first_save_of_the_week_creates_the_reflection(cast):
    result = _save(cast, struggles="Rushed my answers.")

    reflection = WeeklyReflection.objects.get()
    assert result.created
    assert reflection.leader == cast.lee
    assert (reflection.wins, reflection.struggles) == ("Stayed calm when the VP pushed back.", "Rushed my answers.")


def test_second_save_in_the_same_week_edits_the_same_reflection(cast):
    _save(cast, wins="First draft")
    result = _save(cast, wins="Second draft")

    assert not result.created
    assert WeeklyReflection.objects.get().wins == "Second draft"


def test_a_reflection_with_nothing_in_it_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        _save(cast, wins="  ", struggles="", topics="\n \n")

    assert "at least a win" in exc.value.messages[0]
    assert not WeeklyReflection.objects.exists()


def test_only_the_leader_reflects_on_their_engagement(cast):
    for other in (cast.liv, cast.ada, cast.sam):
        with pytest.raises(PermissionDenied):
            reflection_save(leader=other, engagement=cast.lee_engagement, wins="Not mine")


def test_database_holds_one_reflection_per_leader_and_week(cast):
    _save(cast)
    existing = WeeklyReflection.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyReflection.objects.create(
            leader=cast.lee, engagement=cast.lee_engagement, iso_year=existing.iso_year, iso_week=existing.iso_week
        )


# --- ISO weeks in the leader's own time zone, across daylight-saving changes ----------------------


def test_sunday_evening_after_clocks_go_back_is_still_the_same_week(cast):
    # New York leaves daylight saving on Sunday 1 November 2026. Sunday 23:30 EST is already Monday
    # 04:30 in UTC, but in Lee's own calendar it is still ISO week 44.
    with time_machine.travel(datetime(2026, 10, 26, 9, 0, tzinfo=NEW_YORK), tick=False):
        _save(cast, wins="Monday: first draft")
    with time_machine.travel(datetime(2026, 11, 1, 23, 30, tzinfo=NEW_YORK), tick=False):
        result = _save(cast, wins="Sunday night: final version")

    assert not result.created
    reflection = WeeklyReflection.objects.get()
    assert (reflection.iso_year, reflection.iso_week) == (2026, 44)
    assert reflection.wins == "Sunday night: final version"


def test_monday_after_the_change_starts_a_new_week(cast):
    with time_machine.travel(datetime(2026, 11, 1, 23, 30, tzinfo=NEW_YORK), tick=False):
        _save(cast, wins="Week 44")
    with time_machine.travel(datetime(2026, 11, 2, 0, 15, tzinfo=NEW_YORK), tick=False):
        result = _save(cast, wins="Week 45")

    assert result.created
    assert list(WeeklyReflection.objects.order_by("iso_week").values_list("iso_week", "wins")) == [
        (44, "Week 44"),
        (45, "Week 45"),
    ]


def test_spring_forward_sunday_belongs_to_the_week_that_started_on_monday(cast):
    # Clocks go forward in New York on Sunday 8 March 2026.
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=NEW_YORK), tick=False):
        _save(cast, wins="Monday")
    with time_machine.travel(datetime(2026, 3, 8, 23, 45, tzinfo=NEW_YORK), tick=False):
        result = _save(cast, wins="Sunday")

    assert not result.created
    assert WeeklyReflection.objects.get().iso_week == 10


def test_the_week_follows_the_leaders_calendar_not_the_servers(cast):
    # Monday 02:00 UTC is still Sunday evening in New York: week 47 for Lee, week 48 in UTC.
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    assert iso_week_of(moment, NEW_YORK) == (2026, 47)
    assert iso_week_of(moment, UTC) == (2026, 48)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata"])
def test_no_week_is_skipped_or_doubled_through_a_year_of_hours(zone):
    tz = ZoneInfo(zone)
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    hours_per_week: dict[tuple[int, int], int] = {}
    for h in range(0, 52 * 7 * 24, 1):
        week = iso_week_of(start + timedelta(hours=h), tz)
        hours_per_week[week] = hours_per_week.get(week, 0) + 1
    weeks = sorted(hours_per_week)
    inner = weeks[1:-1]  # first and last weeks are cut by the sampled range
    assert [w for _, w in inner] == list(range(inner[0][1], inner[0][1] + len(inner)))
    assert all(hours_per_week[w] in (167, 168, 169) for w in inner)


# --- Self-ratings ---------------------------------------------------------------------------------


def test_ratings_are_stored_per_goal_and_can_be_changed_or_cleared(cast):
    calm, delegate = cast.lee_goals
    _save(cast, ratings={calm.pk: 4, delegate.pk: 6})
    _save(cast, ratings={calm.pk: 7, delegate.pk: None})

    assert list(SelfRating.objects.values_list("goal_id", "score")) == [(calm.pk, 7)]


@pytest.mark.parametrize("score", [0, 11, -1, 100])
def test_a_rating_outside_one_to_ten_is_refused(cast, score):
    with pytest.raises(ValidationError) as exc:
        _save(cast, ratings={cast.lee_goals[0].pk: score})

    assert "1 to 10" in exc.value.messages[0]
    assert not WeeklyReflection.objects.exists()


def test_a_rating_for_another_engagements_goal_is_refused(cast):
    with pytest.raises(ValidationError):
        _save(cast, ratings={cast.liv_goals[0].pk: 5})


def test_a_rating_alone_is_enough_for_a_reflection(cast):
    _save(cast, wins="", ratings={cast.lee_goals[0].pk: 5})

    assert WeeklyReflection.objects.get().ratings.count() == 1


# --- Topics become agenda items of the next scheduled session --------------------------------------


def _reflection_items(cast):
    return list(
        AgendaItem.objects.filter(session=cast.lee_next_session, source=AgendaItem.Source.REFLECTION)
        .order_by("pk")
        .values_list("text", flat=True)
    )


def test_each_topic_becomes_an_agenda_item_of_the_next_session(cast):
    result = _save(cast, topics="How to say no to the VP\n\n- Delegating the budget\n")

    assert result.topics_placed == ["How to say no to the VP", "Delegating the budget"]
    assert result.session == cast.lee_next_session
    assert _reflection_items(cast) == ["How to say no to the VP", "Delegating the budget"]
    item = AgendaItem.objects.get(text="Delegating the budget")
    assert item.author == cast.lee


def test_editing_the_reflection_does_not_duplicate_its_topics(cast):
    _save(cast, topics="How to say no to the VP")
    _save(cast, topics="How to say no to the VP\nhow to say NO to the vp")
    _save(cast, topics="How to say no to the VP")

    assert _reflection_items(cast) == ["How to say no to the VP"]
    assert ReflectionTopic.objects.count() == 1


def test_a_topic_removed_from_the_reflection_leaves_the_agenda(cast):
    _save(cast, topics="Keep this\nDrop this")
    _save(cast, topics="Keep this\nA new one")

    assert _reflection_items(cast) == ["Keep this", "A new one"]


def test_a_topic_the_coach_removed_from_the_agenda_is_not_put_back(cast):
    _save(cast, topics="Sensitive topic")
    agenda_item_delete(item=AgendaItem.objects.get(text="Sensitive topic"), user=cast.ada)

    _save(cast, topics="Sensitive topic", wins="Edited wins")

    assert _reflection_items(cast) == []


def test_topics_wait_when_no_session_is_booked_and_join_the_next_one(cast):
    Session.objects.filter(pk=cast.lee_next_session.pk).update(status=Session.Status.CANCELLED)

    waiting = _save(cast, topics="Pressure from finance")
    assert waiting.topics_waiting == ["Pressure from finance"]
    assert not AgendaItem.objects.filter(source=AgendaItem.Source.REFLECTION).exists()

    Session.objects.filter(pk=cast.lee_next_session.pk).update(status=Session.Status.SCHEDULED)
    placed = _save(cast, topics="Pressure from finance")

    assert placed.topics_placed == ["Pressure from finance"]
    assert _reflection_items(cast) == ["Pressure from finance"]


def test_more_than_five_topics_are_refused(cast):
    with pytest.raises(ValidationError) as exc:
        _save(cast, topics="\n".join(f"Topic {n}" for n in range(6)))

    assert "at most 5" in exc.value.message_dict["topics"][0]
    assert not AgendaItem.objects.filter(source=AgendaItem.Source.REFLECTION).exists()
