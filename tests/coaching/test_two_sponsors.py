"""An engagement with two sponsors appears once everywhere, and its messages go once to each person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from coaching import selectors
from engagements.models import Engagement, Session
from engagements.notifications import find_session_reminders
from engagements.selectors import engagements_for_coach
from notifications import services as outbox
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sponsors(cast):
    """Lee's engagement sponsored by Sam and by Sue (Sue also sponsors Liv's)."""
    cast.lee_engagement.sponsors.add(cast.sue)
    return cast


def _pks(engagements) -> list[int]:
    return [e.pk for e in engagements]


def test_each_person_sees_an_engagement_with_two_sponsors_once(two_sponsors):
    c = two_sponsors
    pk = c.lee_engagement.pk
    for person in (c.ada, c.lee, c.sam, c.sue):
        assert _pks(Engagement.objects.visible_to(person)).count(pk) == 1, person
    assert Session.objects.visible_to(c.ada).filter(pk=c.lee_next_session.pk).count() == 1


def test_the_sponsor_home_lists_it_once_per_sponsor_with_counts_not_doubled(two_sponsors, client_for):
    c = two_sponsors
    for name, expected in (("sam", [c.lee_engagement.pk]), ("sue", sorted([c.lee_engagement.pk, c.liv_engagement.pk]))):
        engagements = client_for(name).get("/sponsor/").context["engagements"]
        assert sorted(_pks(engagements)) == expected
        (lee_card,) = [e for e in engagements if e.pk == c.lee_engagement.pk]
        assert lee_card.held_count == 1


def test_the_coach_home_and_the_coachs_list_show_it_once(two_sponsors, client_for):
    c = two_sponsors
    assert _pks(selectors.coach_home(coach=c.ada)["engagements"]) == [c.lee_engagement.pk]
    assert _pks(client_for("ada").get("/coach/").context["engagements"]) == [c.lee_engagement.pk]
    listed = list(engagements_for_coach(coach=c.ada))
    assert _pks(listed) == [c.lee_engagement.pk]
    assert listed[0].held_count == 1
    sponsors = sorted(s.email for s in listed[0].sponsors.all())
    assert sponsors == ["sam@example.com", "sol@example.com", "sue@example.com", "vic@example.com"]


def test_the_leader_home_shows_it_once(two_sponsors):
    assert _pks(selectors.leader_home(leader=two_sponsors.lee)["engagements"]) == [two_sponsors.lee_engagement.pk]


def test_the_practice_admin_counts_it_once(two_sponsors, client_for):
    c = two_sponsors
    overview = selectors.practice_overview(practice=c.ada.practice)
    counts = {coach.email: dict(coach.counts) for coach in overview["coaches"]}
    status = c.lee_engagement.get_status_display()
    assert counts["ada@example.com"][status] == 1
    assert dict(overview["totals"])[status] == 2  # Lee's and Liv's
    page = client_for("pam").get("/practice/")
    assert dict(page.context["totals"])[status] == 2


def test_the_outbox_sends_one_reminder_to_the_leader_and_one_to_the_coach_despite_two_sponsors(
    two_sponsors, django_capture_on_commit_callbacks
):
    import time_machine

    c = two_sponsors
    due = c.lee_next_session.starts_at - timedelta(days=1)
    specs = [s for s in find_session_reminders(due) if s.context["session_id"] == c.lee_next_session.pk]
    assert sorted(s.recipient_id for s in specs) == sorted([c.lee.pk, c.ada.pk])
    with time_machine.travel(due, tick=False), django_capture_on_commit_callbacks(execute=True):
        outbox.tick()
    reminders = Notification.objects.filter(kind=Kind.SESSION_REMINDER, engagement_id=c.lee_engagement.pk)
    assert sorted(r.recipient_id for r in reminders) == sorted([c.lee.pk, c.ada.pk])
    to = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Reminder"))
    assert to == ["ada@example.com", "lee@example.com"]
