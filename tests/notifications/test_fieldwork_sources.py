"""When the fieldwork kinds are due: the weekly reflection prompt and the halfway practice nudge."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from engagements.models import Engagement, Session
from fieldwork import notifications as sources
from notifications import services
from notifications.models import Kind, Notification, NotificationPreference
from tests.factories import (
    CommitmentFactory,
    EngagementFactory,
    PracticeLogFactory,
    SessionFactory,
    UserFactory,
    WeeklyReflectionFactory,
)

Status = Notification.Status
SITE = "http://127.0.0.1:8000"
# Friday 13 March 2026, 16:00 in New York (EDT since 8 March) is 20:00 UTC.
FRIDAY_FOUR_PM_NY = datetime(2026, 3, 13, 20, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def lee(db):
    return UserFactory(full_name="Lee Lindqvist", time_zone="America/New_York")


@pytest.fixture
def engagement(lee) -> Engagement:
    return EngagementFactory(leader=lee, organisation="Acme Logistics")


def rows(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("due_at", "pk"))


# --- Weekly reflection prompt --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reflection_prompt_comes_on_friday_at_four_in_the_leaders_own_time_zone(engagement, run_tick):
    run_tick(FRIDAY_FOUR_PM_NY - MINUTE)
    assert rows(Kind.REFLECTION_PROMPT) == []
    run_tick(FRIDAY_FOUR_PM_NY)
    (prompt,) = rows(Kind.REFLECTION_PROMPT)
    assert (prompt.recipient, prompt.period_key, prompt.status) == (
        engagement.leader,
        "reflection:2026-W11",
        Status.SENT,
    )
    assert prompt.engagement_id == engagement.pk
    (message,) = mail.outbox
    assert message.subject == "Your weekly reflection: how did this week go?"
    assert f"Write this week's reflection: {SITE}/reflection/?engagement={engagement.pk}" in message.body
    assert "(9 March to 15 March)" in message.body


@pytest.mark.django_db
def test_the_link_in_the_prompt_opens_this_weeks_reflection_form(engagement, run_tick, client):
    run_tick(FRIDAY_FOUR_PM_NY)
    client.force_login(engagement.leader)
    with time_machine.travel(FRIDAY_FOUR_PM_NY + MINUTE, tick=False):
        response = client.get(f"/reflection/?engagement={engagement.pk}")
    assert response.status_code == 200
    assert response.templates[0].name == "fieldwork/reflection_form.html"


@pytest.mark.django_db
def test_the_leaders_chosen_day_and_time_are_used(engagement, run_tick):
    NotificationPreference.objects.create(user=engagement.leader, reflection_weekday=0, reflection_time=time(8, 30))
    monday = datetime(2026, 3, 16, 12, 30, tzinfo=UTC)  # 08:30 EDT
    run_tick(FRIDAY_FOUR_PM_NY)
    run_tick(monday - MINUTE)
    assert rows(Kind.REFLECTION_PROMPT) == []
    run_tick(monday)
    assert [r.period_key for r in rows(Kind.REFLECTION_PROMPT)] == ["reflection:2026-W12"]


@pytest.mark.django_db
def test_ticks_every_half_hour_through_the_dst_change_prompt_once_a_week(engagement):
    start = datetime(2026, 3, 1, tzinfo=UTC)  # New York changes clocks on Sunday 8 March 2026
    moment = start
    while moment < start + timedelta(days=21):
        services.notifications_record(specs=sources.find_reflection_prompts(moment), now=moment)
        moment += timedelta(minutes=30)
    prompts = rows(Kind.REFLECTION_PROMPT)
    assert [p.period_key for p in prompts] == ["reflection:2026-W10", "reflection:2026-W11", "reflection:2026-W12"]
    assert [p.due_at.hour for p in prompts] == [21, 20, 20]  # 16:00 EST, then 16:00 EDT


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Engagement.Status.PAUSED, Engagement.Status.COMPLETED, Engagement.Status.DRAFT])
def test_no_prompt_while_the_engagement_is_not_active(engagement, run_tick, status):
    Engagement.objects.filter(pk=engagement.pk).update(status=status)
    run_tick(FRIDAY_FOUR_PM_NY)
    assert rows(Kind.REFLECTION_PROMPT) == []


@pytest.mark.django_db
def test_a_reflection_already_written_this_week_skips_the_prompt(engagement, run_tick):
    WeeklyReflectionFactory(engagement=engagement, iso_year=2026, iso_week=11)
    run_tick(FRIDAY_FOUR_PM_NY)
    (prompt,) = rows(Kind.REFLECTION_PROMPT)
    assert (prompt.status, prompt.skip_reason) == (Status.SKIPPED, "This week's reflection is already written.")
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_prompt_held_back_into_the_next_week_is_skipped(engagement):
    services.notifications_record(specs=sources.find_reflection_prompts(FRIDAY_FOUR_PM_NY), now=FRIDAY_FOUR_PM_NY)
    (prompt,) = rows(Kind.REFLECTION_PROMPT)
    next_monday = datetime(2026, 3, 16, 13, 0, tzinfo=UTC)
    with time_machine.travel(next_monday, tick=False):
        assert services.notification_deliver(notification_id=prompt.pk, now=next_monday) == Status.SKIPPED
    prompt.refresh_from_db()
    assert prompt.skip_reason == "The week this prompt was for is over."


@pytest.mark.django_db
def test_a_tick_half_a_day_late_still_prompts_but_a_day_late_waits_for_next_week(engagement, lee):
    late = list(sources.find_reflection_prompts(FRIDAY_FOUR_PM_NY + timedelta(hours=11)))
    too_late = list(sources.find_reflection_prompts(FRIDAY_FOUR_PM_NY + timedelta(hours=13)))
    assert [s.period_key for s in late] == ["reflection:2026-W11"]
    assert too_late == []


@pytest.mark.django_db
def test_leaders_in_other_zones_are_prompted_at_their_own_four_oclock(engagement, run_tick):
    tokyo = EngagementFactory(leader=UserFactory(time_zone="Asia/Tokyo")).leader
    run_tick(datetime(2026, 3, 13, 7, 0, tzinfo=UTC))  # 16:00 in Tokyo
    assert [r.recipient for r in rows(Kind.REFLECTION_PROMPT)] == [tokyo]


# --- Fieldwork nudge -----------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # the session where the fieldwork was agreed


@pytest.fixture
def codesign(engagement) -> Session:
    held = SessionFactory(engagement=engagement, starts_at=T0, status=Session.Status.HELD)
    SessionFactory(engagement=engagement, starts_at=T0 + timedelta(days=14))
    return held


def commitment(session, **fields):
    return CommitmentFactory(session=session, created_at=T0 + timedelta(minutes=50), **fields)


@pytest.mark.django_db
def test_halfway_to_the_next_session_the_leader_is_nudged_about_commitments_without_practice(codesign, run_tick):
    practised = commitment(codesign, text="Breathe before answering the VP")
    idle = [
        commitment(codesign, text="Ask one question first"),
        commitment(codesign, text="Journal after staff meeting"),
    ]
    PracticeLogFactory(commitment=practised, occurred_at=T0 + timedelta(days=2))
    halfway = T0 + timedelta(minutes=50) + (timedelta(days=14) - timedelta(minutes=50)) / 2
    run_tick(halfway - MINUTE)
    assert rows(Kind.FIELDWORK_NUDGE) == []
    run_tick(halfway)
    (nudge,) = rows(Kind.FIELDWORK_NUDGE)
    assert (nudge.recipient, nudge.period_key, nudge.status) == (
        codesign.engagement.leader,
        f"fieldwork:{codesign.pk}",
        Status.SENT,
    )
    assert nudge.context["commitment_ids"] == [c.pk for c in idle]
    (message,) = mail.outbox
    assert message.subject == "Halfway to your next session: 2 practices to try"
    for c in idle:
        assert (
            f"{c.text} (Weekly team meeting), 3 times\n  Log an attempt: {SITE}/commitments/{c.pk}/log/" in message.body
        )
    assert "Breathe before answering" not in message.body
    run_tick(halfway + timedelta(days=1))
    assert len(rows(Kind.FIELDWORK_NUDGE)) == 1


@pytest.mark.django_db
def test_the_log_link_opens_the_log_form_for_the_leader(codesign, client):
    c = commitment(codesign)
    client.force_login(codesign.engagement.leader)
    assert client.get(f"/commitments/{c.pk}/log/").status_code == 200


@pytest.mark.django_db
def test_no_nudge_when_every_commitment_has_practice_logged(codesign, run_tick):
    PracticeLogFactory(commitment=commitment(codesign), occurred_at=T0 + timedelta(days=1))
    run_tick(T0 + timedelta(days=8))
    assert rows(Kind.FIELDWORK_NUDGE) == []


@pytest.mark.django_db
def test_practice_logged_after_the_nudge_was_recorded_skips_it(codesign, monkeypatch):
    c = commitment(codesign)
    now = T0 + timedelta(days=8)
    services.notifications_record(specs=sources.find_fieldwork_nudges(now), now=now)
    PracticeLogFactory(commitment=c, occurred_at=now)
    (nudge,) = rows(Kind.FIELDWORK_NUDGE)
    with time_machine.travel(now, tick=False):
        assert services.notification_deliver(notification_id=nudge.pk, now=now) == Status.SKIPPED


@pytest.mark.django_db
def test_no_nudge_without_a_next_session_or_after_it_started(engagement, codesign, run_tick):
    commitment(codesign)
    run_tick(T0 + timedelta(days=14, minutes=1))
    assert rows(Kind.FIELDWORK_NUDGE) == []
    Session.objects.filter(engagement=engagement, status=Session.Status.SCHEDULED).delete()
    run_tick(T0 + timedelta(days=8))
    assert rows(Kind.FIELDWORK_NUDGE) == []


@pytest.mark.django_db
def test_a_commitment_due_on_a_date_is_nudged_halfway_to_that_date(engagement, run_tick):
    held = SessionFactory(engagement=engagement, starts_at=T0, status=Session.Status.HELD)
    commitment(held, due_at_next_session=False, due_date=T0.date() + timedelta(days=19))
    end = datetime(2026, 3, 22, 4, 0, tzinfo=UTC)  # midnight in New York after 21 March
    halfway = T0 + timedelta(minutes=50) + (end - T0 - timedelta(minutes=50)) / 2
    run_tick(halfway - MINUTE)
    assert rows(Kind.FIELDWORK_NUDGE) == []
    run_tick(halfway)
    assert len(rows(Kind.FIELDWORK_NUDGE)) == 1


@pytest.mark.django_db
def test_reviewed_commitments_and_paused_engagements_are_not_nudged(engagement, codesign, run_tick):
    c = commitment(codesign)
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.PAUSED)
    run_tick(T0 + timedelta(days=8))
    assert rows(Kind.FIELDWORK_NUDGE) == []
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.ACTIVE)
    type(c).objects.filter(pk=c.pk).update(outcome="done", reviewed_at=T0 + timedelta(days=8))
    run_tick(T0 + timedelta(days=9))
    assert rows(Kind.FIELDWORK_NUDGE) == []


@pytest.mark.django_db
def test_the_nudge_finder_runs_one_query_whatever_the_number_of_commitments(codesign, django_assert_num_queries):
    for _ in range(25):
        commitment(codesign)
    with django_assert_num_queries(1):
        (spec,) = list(sources.find_fieldwork_nudges(T0 + timedelta(days=8)))
    assert len(spec.context["commitment_ids"]) == 25
