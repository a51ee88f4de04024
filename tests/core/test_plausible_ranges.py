"""Dates, times, numbers and texts people type stay plausible at three levels.

The form refuses with a message next to the field and keeps what was typed; the service refuses
with a ValidationError; the database refuses a raw write. A date like 9999-12-31 never gets in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.limits import LONG_TEXT, SHORT_TEXT, plausible_window
from coaching.models import PartnershipCheckIn
from coaching.services import checkin_submit
from engagements import services as engagement_services
from engagements.forms import SessionForm
from engagements.models import Engagement, Goal, Session
from fieldwork import services as fieldwork_services
from fieldwork.forms import CommitmentForm
from fieldwork.models import REASON_MAX, Commitment, FieldworkTemplate, PracticeLog, WeeklyReflection
from stakeholders import services as stakeholder_services
from stakeholders.forms import RoundForm
from stakeholders.models import TEXT_MAX, FeedbackResponse, FeedbackRound, GoalScore
from tests.factories import CommitmentFactory, FeedbackRoundFactory, PracticeLogFactory, SessionFactory

pytestmark = pytest.mark.django_db

FAR_FUTURE = "9999-12-31"
TODAY = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


# --- The form: a message next to the field, and the typed value kept -------------------------------


def _form_cases(cast):
    engagement, past = cast.lee_engagement, cast.lee_past_session
    p = f"new{past.pk}-"
    commitment = CommitmentFactory(session=past, goal=cast.lee_goals[0])
    return {
        "session start": (
            "ada",
            f"/engagements/{engagement.pk}/sessions/new/",
            {"starts_at": f"{FAR_FUTURE}T10:00", "duration_minutes": "60", "kind": "regular", "mode": "video"},
            f"{FAR_FUTURE}T10:00",
            "Choose a date between",
        ),
        "engagement start": (
            "ada",
            "/engagements/new/",
            {
                "leader_name": "Nia Novak",
                "leader_email": "nia@example.com",
                "organisation": "Harbour Freight",
                "start_date": FAR_FUTURE,
                "planned_end_date": FAR_FUTURE,
                "planned_sessions": "6",
                "cadence_days": "14",
            },
            FAR_FUTURE,
            "Choose a date between",
        ),
        "commitment due date": (
            "ada",
            f"/sessions/{past.pk}/fieldwork/new/",
            {
                f"{p}text": "Breathe first",
                f"{p}target_count": "3",
                f"{p}goal": cast.lee_goals[0].pk,
                f"{p}due": "date",
                f"{p}due_date": FAR_FUTURE,
            },
            FAR_FUTURE,
            "Choose a date between",
        ),
        "commitment target count": (
            "ada",
            f"/sessions/{past.pk}/fieldwork/new/",
            {
                f"{p}text": "Breathe first",
                f"{p}target_count": "5000",
                f"{p}goal": cast.lee_goals[0].pk,
                f"{p}due": "next_session",
            },
            'value="5000"',
            "Choose a number of attempts from 1 to 50",
        ),
        "feedback round opening day": (
            "ada",
            f"/engagements/{engagement.pk}/feedback/rounds/new/",
            {"kind": "baseline", "opens_on": FAR_FUTURE, "closes_on": FAR_FUTURE},
            FAR_FUTURE,
            "Choose a date between",
        ),
        "practice log time": (
            "lee",
            f"/commitments/{commitment.pk}/log/",
            {"mode": "quick", "occurred_at": "1999-01-01T10:00", "note": "Paused first."},
            "1999-01-01T10:00",
            "Choose a date between",
        ),
        "practice log text": (
            "lee",
            f"/commitments/{commitment.pk}/log/?mode=full",
            {"mode": "full", "occurred_at": "2026-12-03T10:00", "what_tried": "w" * (SHORT_TEXT + 1)},
            "w" * (SHORT_TEXT + 1),
            "at most 2000 characters",
        ),
        "goal description": (
            "ada",
            f"/engagements/{engagement.pk}/goals/new/",
            {"title": "Run shorter meetings", "description": "d" * (SHORT_TEXT + 1), "why_it_matters": "Time."},
            "d" * (SHORT_TEXT + 1),
            "at most 2000 characters",
        ),
        "session notes": (
            "ada",
            f"/sessions/{past.pk}/notes/",
            {"shared_summary": "", "private_notes": "n" * (LONG_TEXT + 1)},
            "n" * (LONG_TEXT + 1),
            "at most 10000 characters",
        ),
        "weekly reflection": (
            "lee",
            "/reflection/",
            {"wins": "r" * (SHORT_TEXT + 1), "struggles": "", "topics": ""},
            "r" * (SHORT_TEXT + 1),
            "at most 2000 characters",
        ),
        "fieldwork template": (
            "ada",
            "/fieldwork/library/",
            {"title": "Pause", "description": "t" * (SHORT_TEXT + 1), "goal_theme": ""},
            "t" * (SHORT_TEXT + 1),
            "at most 2000 characters",
        ),
    }


FORM_CASES = [
    "session start",
    "engagement start",
    "commitment due date",
    "commitment target count",
    "feedback round opening day",
    "practice log time",
    "practice log text",
    "goal description",
    "session notes",
    "weekly reflection",
    "fieldwork template",
]


@pytest.mark.parametrize("case", FORM_CASES)
def test_the_form_refuses_an_implausible_value_with_a_message_and_keeps_it(case, cast, client_for):
    person, url, data, kept, message = _form_cases(cast)[case]

    response = client_for(person).post(url, data)

    assert response.status_code in (200, 422)
    html = response.content.decode()
    assert message in html
    assert kept in html


def test_the_form_message_names_the_plausible_window(cast, client_for):
    first, last = plausible_window()
    person, url, data, _, _ = _form_cases(cast)["session start"]
    html = client_for(person).post(url, data).content.decode()
    assert f"Choose a date between {first.day} {first:%B %Y} and {last.day} {last:%B %Y}." in html
    assert (first, last) == (date(2021, 12, 4), date(2029, 12, 4))


# --- The service: a ValidationError ------------------------------------------------------------------


def _service_calls(cast):
    engagement, past = cast.lee_engagement, cast.lee_past_session
    far = date(9999, 12, 31)
    commitment = CommitmentFactory(session=past, goal=cast.lee_goals[0])
    return {
        "session start": (
            "starts_at",
            lambda: engagement_services.session_schedule(
                engagement=engagement, starts_at=datetime(9999, 12, 31, 10, tzinfo=UTC)
            ),
        ),
        "session start long ago": (
            "starts_at",
            lambda: engagement_services.session_schedule(
                engagement=engagement, starts_at=TODAY - timedelta(days=6 * 366), allow_past=True
            ),
        ),
        "engagement start": (
            "start_date",
            lambda: engagement_services.engagement_create(
                coach=cast.ada,
                leader_email="nia@example.com",
                leader_name="Nia",
                organisation="Harbour",
                start_date=far - timedelta(days=30),
                planned_end_date=far,
                planned_sessions=6,
                cadence_days=14,
            ),
        ),
        "engagement longer than three years": (
            "planned_end_date",
            lambda: engagement_services.engagement_update(
                engagement=engagement,
                organisation="Acme",
                start_date=TODAY.date(),
                planned_end_date=TODAY.date() + timedelta(days=4 * 365),
                planned_sessions=6,
                cadence_days=14,
            ),
        ),
        "commitment due date": (
            "due_date",
            lambda: fieldwork_services.commitment_create(
                session=past, author=cast.ada, goal=cast.lee_goals[0], text="Breathe", target_count=3, due_date=far
            ),
        ),
        "commitment target count": (
            "target_count",
            lambda: fieldwork_services.commitment_create(
                session=past, author=cast.ada, goal=cast.lee_goals[0], text="Breathe", target_count=51
            ),
        ),
        "feedback round opening day": (
            "opens_on",
            lambda: stakeholder_services.round_create(
                engagement=engagement,
                created_by=cast.ada,
                kind="baseline",
                opens_on=far - timedelta(days=5),
                closes_on=far,
            ),
        ),
        "practice log text": (
            "what_tried",
            lambda: fieldwork_services.practice_log(
                commitment=commitment, author=cast.lee, what_tried="w" * (SHORT_TEXT + 1), now=TODAY
            ),
        ),
        "goal description": (
            "description",
            lambda: engagement_services.goal_save(
                engagement=engagement, title="Shorter meetings", why_it_matters="Time.", description="d" * 2001
            ),
        ),
        "session notes": (
            "private_notes",
            lambda: engagement_services.session_write_notes(
                session=past, shared_summary="", private_notes="n" * (LONG_TEXT + 1), summary_shared_with_sponsor=False
            ),
        ),
        "review reason": (
            "reason",
            lambda: fieldwork_services.commitment_review(
                commitment=commitment,
                session=cast.lee_next_session,
                reviewer=cast.ada,
                outcome="partly",
                reason="r" * (REASON_MAX + 1),
            ),
        ),
        "weekly reflection": (
            "wins",
            lambda: fieldwork_services.reflection_save(
                leader=cast.lee, engagement=engagement, wins="w" * (SHORT_TEXT + 1), now=TODAY
            ),
        ),
        "fieldwork template": (
            "description",
            lambda: fieldwork_services.template_save(coach=cast.ada, title="Pause", description="t" * (SHORT_TEXT + 1)),
        ),
    }


SERVICE_CASES = [
    "session start",
    "session start long ago",
    "engagement start",
    "engagement longer than three years",
    "commitment due date",
    "commitment target count",
    "feedback round opening day",
    "practice log text",
    "goal description",
    "session notes",
    "review reason",
    "weekly reflection",
    "fieldwork template",
]


@pytest.mark.parametrize("case", SERVICE_CASES)
def test_the_service_refuses_an_implausible_value(case, cast):
    field, call = _service_calls(cast)[case]

    with pytest.raises(ValidationError) as refused:
        call()

    assert field in refused.value.message_dict


def test_a_check_in_comment_over_the_limit_is_refused_by_the_service(cast):
    for days in (14, 21):
        SessionFactory(engagement=cast.lee_engagement, starts_at=TODAY - timedelta(days=days), status="held")
    with pytest.raises(ValidationError) as refused:
        checkin_submit(engagement=cast.lee_engagement, leader=cast.lee, score=4, comment="c" * 2001)
    assert "comment" in refused.value.message_dict
    assert not PartnershipCheckIn.objects.exists()


# --- The database: a raw write fails ------------------------------------------------------------------


def _raw_writes(cast):
    far_day = date(9999, 12, 31)
    far_moment = datetime(9999, 12, 31, tzinfo=UTC)
    engagement, past = cast.lee_engagement, cast.lee_past_session
    commitment = CommitmentFactory(session=past, goal=cast.lee_goals[0])
    log = PracticeLogFactory(commitment=commitment, author=cast.lee)
    feedback_round = FeedbackRoundFactory(engagement=engagement)
    reflection = WeeklyReflection.objects.create(
        leader=cast.lee, engagement=engagement, iso_year=2026, iso_week=49, wins="A calm week."
    )
    template = FieldworkTemplate.objects.create(coach=cast.ada, title="Pause")
    return {
        "engagement start": (Engagement, engagement.pk, {"start_date": date(1999, 1, 1)}),
        "engagement end": (Engagement, engagement.pk, {"planned_end_date": far_day}),
        "planned sessions": (Engagement, engagement.pk, {"planned_sessions": 61}),
        "anonymity threshold": (Engagement, engagement.pk, {"anonymity_threshold": 11}),
        "session start": (Session, past.pk, {"starts_at": far_moment}),
        "session duration": (Session, past.pk, {"duration_minutes": 481}),
        "session notes": (Session, past.pk, {"private_notes": "n" * (LONG_TEXT + 1)}),
        "goal description": (Goal, cast.lee_goals[0].pk, {"description": "d" * (SHORT_TEXT + 1)}),
        "commitment due date": (Commitment, commitment.pk, {"due_at_next_session": False, "due_date": far_day}),
        "commitment target count": (Commitment, commitment.pk, {"target_count": 51}),
        "review reason": (Commitment, commitment.pk, {"review_reason": "r" * (REASON_MAX + 1)}),
        "practice log time": (PracticeLog, log.pk, {"occurred_at": far_moment}),
        "practice log text": (PracticeLog, log.pk, {"will_adjust": "w" * (SHORT_TEXT + 1)}),
        "feedback round opening day": (FeedbackRound, feedback_round.pk, {"opens_on": date(1999, 1, 1)}),
        "feedback round closing day": (FeedbackRound, feedback_round.pk, {"closes_on": far_day}),
        "next round day": (FeedbackRound, feedback_round.pk, {"next_round_on": far_day}),
        "reflection text": (WeeklyReflection, reflection.pk, {"topics": "t" * (SHORT_TEXT + 1)}),
        "reflection year": (WeeklyReflection, reflection.pk, {"iso_year": 9999}),
        "template description": (FieldworkTemplate, template.pk, {"description": "t" * (SHORT_TEXT + 1)}),
    }


RAW_WRITES = [
    "engagement start",
    "engagement end",
    "planned sessions",
    "anonymity threshold",
    "session start",
    "session duration",
    "session notes",
    "goal description",
    "commitment due date",
    "commitment target count",
    "review reason",
    "practice log time",
    "practice log text",
    "feedback round opening day",
    "feedback round closing day",
    "next round day",
    "reflection text",
    "reflection year",
    "template description",
]


@pytest.mark.parametrize("case", RAW_WRITES)
def test_the_database_refuses_a_raw_write_outside_the_range(case, cast):
    model, pk, values = _raw_writes(cast)[case]

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)


def test_the_database_refuses_over_long_stakeholder_answers(cast):
    from tests.factories import StakeholderFactory

    stakeholder = StakeholderFactory(engagement=cast.lee_engagement, goals=cast.lee_goals)
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    stakeholder_services.round_open(feedback_round=feedback_round, notify=False)
    request = feedback_round.requests.get(stakeholder=stakeholder)
    response = FeedbackResponse.objects.create(request=request, relationship="peer")
    score = GoalScore.objects.create(response=response, goal=cast.lee_goals[0], score=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackResponse.objects.filter(pk=response.pk).update(keep_doing="k" * (TEXT_MAX + 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalScore.objects.filter(pk=score.pk).update(suggestion="s" * (TEXT_MAX + 1))


def test_the_database_accepts_values_at_the_limits(cast):
    engagement, past = cast.lee_engagement, cast.lee_past_session
    Session.objects.filter(pk=past.pk).update(private_notes="n" * LONG_TEXT, duration_minutes=480)
    Goal.objects.filter(pk=cast.lee_goals[0].pk).update(description="d" * SHORT_TEXT)
    Engagement.objects.filter(pk=engagement.pk).update(start_date=date(2000, 1, 1), planned_end_date=date(2100, 12, 31))
    assert Session.objects.get(pk=past.pk).private_notes == "n" * LONG_TEXT


# --- Hypothesis: whatever date is typed, a valid form holds a plausible one ----------------------------

DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
HYPOTHESIS = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(day=DATES)
def test_a_session_form_is_valid_only_for_a_start_in_the_plausible_window(day):
    first, last = plausible_window()
    form = SessionForm(
        {"starts_at": f"{day:%Y-%m-%d}T10:00", "duration_minutes": "60", "kind": "regular", "mode": "video"}
    )
    assert form.is_valid() == (first <= day <= last)
    if not form.is_valid():
        assert form.errors["starts_at"]


@HYPOTHESIS
@given(day=DATES)
def test_a_commitment_form_is_valid_only_for_a_due_date_in_the_plausible_window(day):
    first, last = plausible_window()
    data = {"text": "Breathe", "target_count": "3", "due": "date", "due_date": f"{day:%Y-%m-%d}"}
    form = CommitmentForm(data, goals=[])
    assert form.is_valid() == (first <= day <= last)


@HYPOTHESIS
@given(day=DATES, days_open=st.integers(min_value=1, max_value=30))
def test_a_round_form_is_valid_only_for_days_in_the_plausible_window(day, days_open):
    first, last = plausible_window()
    closes = min(day + timedelta(days=days_open), date(9999, 12, 31))
    form = RoundForm({"kind": "baseline", "opens_on": f"{day:%Y-%m-%d}", "closes_on": f"{closes:%Y-%m-%d}"})
    assert form.is_valid() == (first <= day and closes <= last and closes > day)


# --- Migrating: rows written before the limits are brought inside them ----------------------------------

BEFORE = [
    ("engagements", "0003_engagement_awaiting_leader"),
    ("fieldwork", "0001_initial"),
    ("coaching", "0001_initial"),
    ("stakeholders", "0003_request_emails_through_outbox_and_address_changes"),
]


@pytest.mark.django_db(transaction=True)
def test_migrating_brings_rows_written_before_the_limits_inside_them(cast):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldEngagement = old.get_model("engagements", "Engagement")
    OldSession = old.get_model("engagements", "Session")
    OldGoal = old.get_model("engagements", "Goal")
    OldEngagement.objects.filter(pk=cast.liv_engagement.pk).update(
        start_date=date(1990, 1, 1), planned_end_date=date(9999, 12, 31)
    )
    OldSession.objects.filter(pk=cast.lee_past_session.pk).update(starts_at=datetime(9999, 12, 31, tzinfo=UTC))
    OldGoal.objects.filter(pk=cast.lee_goals[0].pk).update(description="d" * 5000)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    engagement = Engagement.objects.get(pk=cast.liv_engagement.pk)
    assert (engagement.start_date, engagement.planned_end_date) == (date(2000, 1, 1), date(2100, 12, 31))
    assert Session.objects.get(pk=cast.lee_past_session.pk).starts_at == datetime(2100, 12, 31, tzinfo=UTC)
    assert Goal.objects.get(pk=cast.lee_goals[0].pk).description == "d" * SHORT_TEXT
    assert timezone.now() == TODAY
