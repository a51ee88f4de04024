"""The per-engagement outbox: the coach sees what was sent to whom and when, and what failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifications.models import Notification
from tests.notifications.factories import NotificationFactory

Status = Notification.Status
DUE = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def url(engagement) -> str:
    return f"/engagements/{engagement.pk}/outbox/"


def add_rows(cast, n: int) -> None:
    e = cast.lee_engagement
    for i in range(n):
        NotificationFactory(
            recipient=cast.lee if i % 2 else cast.ada,
            engagement_id=e.pk,
            due_at=DUE + timedelta(minutes=i),
            status=Status.SENT,
            sent_at=DUE + timedelta(minutes=i, seconds=5),
            attempts=1,
        )


@pytest.mark.django_db
def test_the_coach_sees_kind_recipient_due_status_attempts_error_and_sent_time(cast, client_for):
    e = cast.lee_engagement
    NotificationFactory(
        recipient=cast.lee,
        engagement_id=e.pk,
        due_at=DUE,
        status=Status.SENT,
        sent_at=DUE + timedelta(seconds=5),
        attempts=3,
        last_error="SMTPResponseException: 451 4.3.0 Try again later",
    )
    NotificationFactory(
        recipient=None,
        recipient_email="pat@example.com",
        kind="stakeholder_nudge",
        engagement_id=e.pk,
        due_at=DUE,
        status=Status.FAILED,
        attempts=5,
        last_error="Recipient refused (pat@example.com: 550 No such user)",
    )
    NotificationFactory(
        recipient=None,
        recipient_email="quinn@example.com",
        kind="stakeholder_nudge",
        engagement_id=e.pk,
        due_at=DUE,
        status=Status.SENT,
        sent_at=DUE,
        attempts=1,
    )
    NotificationFactory(recipient=cast.liv, engagement_id=cast.liv_engagement.pk, due_at=DUE)  # another engagement
    response = client_for("ada").get(url(e))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Session reminder" in page and "Lee Lindqvist" in page and "(leader)" in page
    assert "Earlier attempt: SMTPResponseException: 451 4.3.0 Try again later" in page
    assert "Error: Recipient refused (pat@example.com: 550 No such user)" in page
    assert "quinn@example.com" in page and "(stakeholder)" in page
    assert "Liv" not in page.split("<main")[1]
    # Times in the coach's own zone (London: GMT in March).
    assert "10 Mar 2026, 09:00" in page
    assert len(response.context["rows"]) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["ben", "lee", "sam", "liv", "sue"])
def test_anyone_but_the_engagements_coach_gets_a_404(cast, client_for, person):
    assert client_for(person).get(url(cast.lee_engagement)).status_code == 404


@pytest.mark.django_db
def test_the_outbox_never_shows_an_email_body(cast, client_for):
    NotificationFactory(recipient=cast.lee, engagement_id=cast.lee_engagement.pk, due_at=DUE, context={"session_id": 1})
    page = client_for("ada").get(url(cast.lee_engagement)).content.decode()
    assert cast.secrets["agenda_item"] not in page
    assert cast.secrets["private_notes"] not in page


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 60])
def test_the_outbox_runs_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries, rows):
    add_rows(cast, rows)
    client = client_for("ada")
    # Session, user, the engagement, the count for the pager, one page of rows with their recipients,
    # and the navigation's two role checks (leads anything? sponsors anything?).
    with django_assert_num_queries(7):
        response = client.get(url(cast.lee_engagement))
    assert len(response.context["rows"]) == min(rows, 50)


@pytest.mark.django_db
def test_the_outbox_pages_through_older_messages(cast, client_for):
    add_rows(cast, 60)
    page2 = client_for("ada").get(url(cast.lee_engagement) + "?page=2")
    assert len(page2.context["rows"]) == 10
    assert "Page 2 of 2" in page2.content.decode()
    assert client_for("ada").get(url(cast.lee_engagement) + "?page=zzz").status_code == 200


@pytest.mark.django_db
def test_the_engagement_page_links_the_coach_to_the_outbox_with_counts(cast, client_for):
    e = cast.lee_engagement
    NotificationFactory(recipient=cast.lee, engagement_id=e.pk, status=Status.FAILED, attempts=5)
    NotificationFactory(recipient=cast.lee, engagement_id=e.pk, status=Status.SENT, sent_at=DUE)
    coach_page = client_for("ada").get(f"/engagements/{e.pk}/").content.decode()
    assert f'href="{url(e)}"' in coach_page
    assert "1 sent" in coach_page and "1 failed" in coach_page
    leader_page = client_for("lee").get(f"/engagements/{e.pk}/").content.decode()
    assert url(e) not in leader_page


@pytest.mark.django_db
def test_times_carry_a_machine_readable_datetime_without_microseconds(cast, client_for):
    due = datetime(2026, 3, 10, 9, 0, 7, 123456, tzinfo=UTC)
    NotificationFactory(
        recipient=cast.lee,
        engagement_id=cast.lee_engagement.pk,
        due_at=due,
        status=Status.SENT,
        sent_at=due + timedelta(seconds=5),
        attempts=1,
    )
    html = client_for("ada").get(url(cast.lee_engagement)).content.decode()
    assert '<time datetime="2026-03-10T09:00:07Z">' in html
    assert '<time datetime="2026-03-10T09:00:12Z">' in html
    assert "123456" not in html
