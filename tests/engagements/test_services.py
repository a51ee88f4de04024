"""Engagement, goal, session and agenda services: the rules hold whatever page calls them."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Invitation, User
from engagements import services
from engagements.models import AgendaItem, Engagement, Session
from tests.accounts.outbox import invitation_path, send_owed_invitations
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def _create(coach, **overrides):
    kwargs = dict(
        coach=coach,
        leader_email="new.leader@example.com",
        leader_name="Nia Leader",
        organisation="Globex",
        start_date=date(2026, 12, 1),
        planned_end_date=date(2027, 5, 1),
        planned_sessions=6,
        cadence_days=14,
        sponsors=[("Sid Sponsor", "sid@example.com")],
    )
    kwargs.update(overrides)
    return services.engagement_create(**kwargs)


def test_engagement_create_makes_accounts_and_one_invitation_each_for_new_people(cast):
    result = _create(cast.ada)
    engagement = result.engagement
    assert engagement.leader.email == "new.leader@example.com"
    assert not engagement.leader.has_usable_password()
    assert list(engagement.sponsors.values_list("email", flat=True)) == ["sid@example.com"]
    roles = sorted(
        Invitation.objects.filter(user__in=[engagement.leader, *engagement.sponsors.all()]).values_list(
            "role", flat=True
        )
    )
    assert roles == ["leader", "sponsor"]


def test_invitations_are_sent_with_a_link_that_is_not_stored(cast):
    _create(cast.ada)
    assert send_owed_invitations() == ["sent", "sent"]
    assert len(mail.outbox) == 2
    token = invitation_path(mail.outbox[0]).rstrip("/").rsplit("/", 1)[-1]
    assert len(token) >= 40  # 256-bit HMAC, URL-safe
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert not Invitation.objects.filter(link_nonce=token).exists()


def test_an_existing_leader_is_invited_and_the_engagement_waits_for_them(cast):
    result = _create(cast.ada, leader_email=cast.liv.email, leader_name="Liv", sponsors=[])
    assert result.engagement.leader == cast.liv and result.engagement.awaiting_leader
    assert [i.user for i in result.invitations] == [cast.liv]
    assert result.engagement not in Engagement.objects.visible_to(cast.liv)


def test_only_coaches_create_engagements(cast):
    with pytest.raises(PermissionDenied):
        _create(cast.lee)


def test_a_coach_cannot_coach_themself(cast):
    with pytest.raises(ValidationError):
        _create(cast.ada, leader_email=cast.ada.email)


def test_the_database_refuses_an_end_before_the_start(cast):
    with pytest.raises(ValidationError):
        _create(cast.ada, planned_end_date=date(2026, 11, 1))
    assert not Engagement.objects.filter(organisation="Globex").exists()


@pytest.mark.parametrize("planned", [0, 61])
def test_planned_sessions_are_between_one_and_sixty(cast, planned):
    with pytest.raises(ValidationError):
        _create(cast.ada, planned_sessions=planned)


def test_a_sponsor_cannot_be_added_twice(cast):
    with pytest.raises(ValidationError):
        services.sponsor_add(engagement=cast.lee_engagement, name="Sam", email="SAM@example.com")


def test_status_moves_follow_the_lifecycle(cast):
    engagement = cast.lee_engagement
    services.engagement_set_status(engagement=engagement, status=Engagement.Status.PAUSED)
    services.engagement_set_status(engagement=engagement, status=Engagement.Status.ACTIVE)
    services.engagement_set_status(engagement=engagement, status=Engagement.Status.COMPLETED)
    with pytest.raises(ValidationError):
        services.engagement_set_status(engagement=engagement, status=Engagement.Status.PAUSED)
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.COMPLETED


def test_an_engagement_has_at_most_three_goals(cast):
    engagement = cast.lee_engagement  # two goals already
    services.goal_save(engagement=engagement, title="Third", why_it_matters="Because")
    with pytest.raises(ValidationError, match="at most 3"):
        services.goal_save(engagement=engagement, title="Fourth", why_it_matters="Because")
    assert engagement.goals.count() == 3


def test_goal_titles_are_unique_within_an_engagement(cast):
    with pytest.raises(ValidationError):
        services.goal_save(engagement=cast.lee_engagement, title=cast.lee_goals[0].title.upper(), why_it_matters="x")


@time_machine.travel("2026-11-20 09:00Z", tick=False)
def test_sessions_are_scheduled_in_the_future_only(cast):
    with pytest.raises(ValidationError):
        services.session_schedule(engagement=cast.lee_engagement, starts_at=timezone.now() - timedelta(hours=1))
    session = services.session_schedule(engagement=cast.lee_engagement, starts_at=timezone.now() + timedelta(days=2))
    assert session.status == Session.Status.SCHEDULED


def test_a_finished_engagement_takes_no_new_sessions(cast):
    services.engagement_set_status(engagement=cast.lee_engagement, status=Engagement.Status.ENDED_EARLY)
    with pytest.raises(ValidationError, match="ended"):
        services.session_schedule(engagement=cast.lee_engagement, starts_at=timezone.now() + timedelta(days=1))


@pytest.mark.parametrize("status", [Session.Status.HELD, Session.Status.NO_SHOW, Session.Status.LATE_CANCEL])
def test_no_outcome_can_be_recorded_on_a_future_session(cast, status):
    session = cast.lee_next_session
    with pytest.raises(ValidationError, match="has not started yet"):
        services.session_record_outcome(session=session, status=status)
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
    assert session.outcome_recorded_at is None


def test_a_cancelled_session_gets_no_outcome(cast):
    session = services.session_cancel(session=cast.lee_next_session)
    with pytest.raises(ValidationError):
        services.session_record_outcome(session=session, status=Session.Status.NO_SHOW)


def test_rescheduling_moves_only_scheduled_sessions(cast):
    with pytest.raises(ValidationError):
        services.session_reschedule(
            session=cast.lee_past_session,
            starts_at=timezone.now() + timedelta(days=3),
            duration_minutes=60,
            mode="video",
            kind="regular",
            location="",
        )


def test_a_summary_is_released_to_the_sponsor_only_when_shared(cast):
    session = cast.lee_past_session
    with pytest.raises(ValidationError):
        services.session_release_summary(session=session)
    services.session_write_notes(
        session=session, shared_summary="Agreed plan", private_notes="mine", summary_shared_with_sponsor=True
    )
    services.session_release_summary(session=session)
    assert session.sponsor_sees_summary


def test_editing_a_released_summary_withdraws_the_release(cast):
    session = cast.lee_past_session
    services.session_write_notes(
        session=session, shared_summary="Agreed plan", private_notes="", summary_shared_with_sponsor=True
    )
    services.session_release_summary(session=session)
    services.session_write_notes(
        session=session, shared_summary="Agreed plan, amended", private_notes="", summary_shared_with_sponsor=True
    )
    session.refresh_from_db()
    assert session.summary_released_at is None
    assert not session.sponsor_sees_summary


def test_agenda_items_need_text_and_a_scheduled_session(cast):
    with pytest.raises(ValidationError):
        services.agenda_item_add(session=cast.lee_next_session, author=cast.lee, text="   ")
    with pytest.raises(ValidationError):
        services.agenda_item_add(session=cast.lee_past_session, author=cast.lee, text="Too late")
    item = services.agenda_item_add(session=cast.lee_next_session, author=cast.lee, text="  My   topic ")
    assert item.text == "My topic"
    assert item.source == AgendaItem.Source.LEADER


def test_only_the_author_or_the_coach_removes_an_agenda_item(cast):
    item = services.agenda_item_add(session=cast.lee_next_session, author=cast.ada, text="Coach topic", source="coach")
    with pytest.raises(PermissionDenied):
        services.agenda_item_delete(item=item, user=cast.lee)
    services.agenda_item_delete(item=cast.lee_agenda_item, user=cast.ada)
    assert not AgendaItem.objects.filter(pk=cast.lee_agenda_item.pk).exists()


def test_progress_counts_held_sessions_only(cast):
    SessionFactory(
        engagement=cast.lee_engagement, starts_at=timezone.now() - timedelta(days=3), status=Session.Status.NO_SHOW
    )
    engagement = cast.lee_engagement
    assert engagement.progress(1) == round(100 / engagement.planned_sessions)
    assert engagement.progress(999) == 100


def test_users_log_in_with_a_lower_case_email():
    user = User.objects.create_user(email="Mixed.Case@Example.COM", password="x" * 12, full_name="M")
    assert user.email == "mixed.case@example.com"


@pytest.mark.django_db
def test_a_cancellation_inside_the_window_counts_as_late_and_outside_it_does_not(cast):
    session = cast.lee_next_session
    window = timedelta(hours=session.engagement.cancellation_window_hours)
    just_inside = session.starts_at - window + timedelta(minutes=1)
    assert services.session_cancel(session=session, now=just_inside).status == Session.Status.LATE_CANCEL

    other = services.session_schedule(engagement=session.engagement, starts_at=session.starts_at + timedelta(days=7))
    just_outside = other.starts_at - window - timedelta(minutes=1)
    assert services.session_cancel(session=other, now=just_outside).status == Session.Status.CANCELLED


@pytest.mark.django_db
def test_a_session_that_has_started_cannot_be_cancelled(cast):
    session = cast.lee_next_session
    with pytest.raises(ValidationError):
        services.session_cancel(session=session, now=session.starts_at)
