"""One bad row must not silence a kind of message: failures are isolated per row, logged and counted."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from engagements.models import Session
from fieldwork.models import Commitment
from notifications import registry
from notifications.models import Kind, Notification, SourceFailure
from notifications.registry import DueSpec, Message, Source
from notifications.selectors import source_failures_summary
from tests.factories import CommitmentFactory, EngagementFactory, SessionFactory, UserFactory
from tests.notifications.factories import NotificationFactory

Status = Notification.Status
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # the session where the fieldwork was agreed
NUDGE_TIME = T0 + timedelta(days=8)  # past halfway to the next session, two weeks later
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def poison_due_date(commitment: Commitment, day: date) -> None:
    """Writes a due date straight into the database, past any check constraint on dates.

    The database may forbid such a date (a check constraint); the test then drops that check inside
    its own transaction (PostgreSQL, rolled back afterwards) or tells SQLite to ignore checks for the
    one statement, because the point is what the tick does with a row that got in anyway.
    """
    table = Commitment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key checks before ALTER TABLE
            cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'", [table])
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        cursor.execute(f'UPDATE "{table}" SET due_date = %s WHERE id = %s', [day, commitment.pk])  # noqa: S608
        if connection.vendor != "postgresql":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def codesign_session(leader_name: str) -> Session:
    engagement = EngagementFactory(leader=UserFactory(full_name=leader_name, time_zone="America/New_York"))
    held = SessionFactory(engagement=engagement, starts_at=T0, status=Session.Status.HELD)
    SessionFactory(engagement=engagement, starts_at=T0 + timedelta(days=14))
    return held


def commitment(session: Session, **fields) -> Commitment:
    return CommitmentFactory(session=session, created_at=T0 + timedelta(minutes=50), **fields)


@pytest.mark.django_db
def test_a_commitment_due_at_the_end_of_the_calendar_does_not_silence_other_fieldwork_nudges(run_tick, caplog):
    lee_session, liv_session = codesign_session("Lee Lindqvist"), codesign_session("Liv Larsen")
    poisoned = commitment(lee_session, due_at_next_session=False, due_date=T0.date() + timedelta(days=10))
    poison_due_date(poisoned, date(9999, 12, 31))
    lee_good = commitment(lee_session, text="Ask one question first")
    liv_good = commitment(liv_session, text="Journal after the staff meeting")

    with caplog.at_level(logging.ERROR, logger="notifications.sources"):
        result = run_tick(NUDGE_TIME)

    nudges = {n.recipient: n for n in Notification.objects.filter(kind=Kind.FIELDWORK_NUDGE)}
    assert set(nudges) == {lee_session.engagement.leader, liv_session.engagement.leader}
    assert nudges[lee_session.engagement.leader].context["commitment_ids"] == [lee_good.pk]
    assert nudges[liv_session.engagement.leader].context["commitment_ids"] == [liv_good.pk]
    assert {n.status for n in nudges.values()} == {Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in nudges)
    failure = SourceFailure.objects.get()
    assert (failure.kind, failure.row, failure.stage, failure.count) == (
        Kind.FIELDWORK_NUDGE,
        f"commitment:{poisoned.pk}",
        SourceFailure.Stage.SPEC,
        1,
    )
    assert failure.error.startswith("OverflowError")
    assert result.failures == 1
    assert f"Notification source fieldwork_nudge skipped commitment:{poisoned.pk}" in caplog.text


@pytest.mark.django_db
def test_a_row_that_keeps_failing_is_counted_once_per_tick_with_first_and_last_seen(run_tick):
    session = codesign_session("Lee Lindqvist")
    poisoned = commitment(session, due_at_next_session=False, due_date=T0.date() + timedelta(days=10))
    poison_due_date(poisoned, date(9999, 12, 31))

    run_tick(NUDGE_TIME)
    run_tick(NUDGE_TIME + timedelta(minutes=1))

    failure = SourceFailure.objects.get()
    assert (failure.count, failure.first_seen_at, failure.last_seen_at) == (
        2,
        NUDGE_TIME,
        NUDGE_TIME + timedelta(minutes=1),
    )
    assert source_failures_summary(now=NUDGE_TIME + timedelta(minutes=1)) == {
        "rows": 1,
        "recent": 1,
        "occurrences": 2,
        "by_kind": {Kind.FIELDWORK_NUDGE: 1},
        "failed_notifications": 0,
    }


# --- The registry's per-row form with a source under test control ---------------------------------


class RowSource:
    """A per-row source over plain numbers: row 13 raises while its spec is worked out."""

    def __init__(self, kind: str, rows: list[int], people: dict[int, object]) -> None:
        self.kind, self.rows, self.people = kind, rows, people

    def find_rows(self, now: datetime):
        yield from ((n,) for n in self.rows)

    def spec_for(self, row: tuple, now: datetime) -> DueSpec:
        (n,) = row
        if n == 13:
            raise ValueError("unlucky row")
        person = self.people[n]
        return DueSpec(
            kind=self.kind,
            period_key=f"row:{n}",
            due_at=now,
            recipient_id=person.pk,
            recipient_email=person.email,
            engagement_id=2**64 if n == 14 else n,  # too large for the column: the database refuses it
        )

    def build(self, notification) -> Message:
        if notification.period_key == "row:15":
            raise RuntimeError("template exploded")
        return Message(template="test-note", context={"number": 1}, link="/notes/")


@pytest.fixture
def row_source(only_sources, test_templates):
    def use(rows: list[int]) -> RowSource:
        people = {n: UserFactory(email=f"person{n}@example.com") for n in rows}
        fake = RowSource(Kind.AGENDA_PROMPT, rows, people)
        registry.register(
            Source(kind=fake.kind, find_rows=fake.find_rows, spec_for=fake.spec_for, build=fake.build, row_name="n")
        )
        return fake

    return use


@pytest.mark.django_db
def test_a_row_whose_spec_raises_is_skipped_and_the_rows_after_it_are_recorded_and_sent(row_source, run_tick):
    row_source([12, 13, 16])
    result = run_tick(NOW)
    assert sorted(Notification.objects.values_list("period_key", "status")) == [
        ("row:12", Status.SENT),
        ("row:16", Status.SENT),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["person12@example.com", "person16@example.com"]
    failure = SourceFailure.objects.get()
    assert (failure.row, failure.stage, failure.error) == ("n:13", "spec", "ValueError: unlucky row")
    assert (result.offered, result.failures) == (2, 1)


@pytest.mark.django_db
def test_a_row_the_database_refuses_to_record_is_skipped_and_its_batch_is_still_recorded(row_source, run_tick):
    row_source([12, 14, 16])
    run_tick(NOW)
    assert sorted(Notification.objects.values_list("period_key", flat=True)) == ["row:12", "row:16"]
    failure = SourceFailure.objects.get()
    assert (failure.row, failure.stage) == ("n:14", "record")


@pytest.mark.django_db
def test_a_spec_without_an_address_is_skipped_and_counted_when_recorded(only_sources, run_tick):
    fake = only_sources(Kind.AGENDA_PROMPT)
    fake.spec(email="", due_at=NOW, period="nobody")
    fake.spec(email="pat@example.com", due_at=NOW, period="pat")
    run_tick(NOW)
    assert list(Notification.objects.values_list("period_key", flat=True)) == ["pat"]
    failure = SourceFailure.objects.get()
    assert (failure.kind, failure.stage) == (Kind.AGENDA_PROMPT, "record")
    assert "needs the recipient's e-mail address" in failure.error


@pytest.mark.django_db
def test_a_finder_of_the_older_form_that_raises_keeps_the_rows_it_yielded_before(only_sources, run_tick):
    fake = only_sources(Kind.AGENDA_PROMPT)
    fake.spec(email="pat@example.com", due_at=NOW, period="before")

    def find_due(now):
        yield from fake.specs
        raise OverflowError("date value out of range")

    registry.source_for(Kind.AGENDA_PROMPT).find_due = find_due
    run_tick(NOW)
    assert list(Notification.objects.values_list("period_key", flat=True)) == ["before"]
    failure = SourceFailure.objects.get()
    assert (failure.row, failure.stage, failure.error) == ("", "source", "OverflowError: date value out of range")


@pytest.mark.django_db
def test_a_message_whose_build_raises_is_failed_with_the_error_and_the_others_are_sent(row_source, run_tick):
    row_source([12, 15, 16])
    run_tick(NOW)
    statuses = dict(Notification.objects.values_list("period_key", "status"))
    assert statuses == {"row:12": Status.SENT, "row:15": Status.FAILED, "row:16": Status.SENT}
    assert Notification.objects.get(period_key="row:15").last_error == "RuntimeError: template exploded"
    assert sorted(m.to[0] for m in mail.outbox) == ["person12@example.com", "person16@example.com"]
    assert source_failures_summary()["failed_notifications"] == 1


@pytest.mark.django_db
def test_a_healthy_tick_counts_no_failure(row_source, run_tick):
    row_source([12])
    assert run_tick(NOW).failures == 0
    assert not SourceFailure.objects.exists()


@pytest.mark.django_db
def test_failures_seen_more_than_a_day_ago_are_not_recent(row_source, run_tick):
    row_source([13])
    run_tick(NOW)
    summary = source_failures_summary(now=NOW + timedelta(hours=24, seconds=1))
    assert (summary["rows"], summary["recent"]) == (1, 0)
    assert source_failures_summary(now=NOW + timedelta(hours=23))["recent"] == 1


@pytest.mark.django_db
def test_operators_read_source_failures_in_the_admin_but_cannot_edit_them(admin_client, row_source, run_tick):
    row_source([13])
    run_tick(NOW)
    failure = SourceFailure.objects.get()
    listing = admin_client.get("/admin/notifications/sourcefailure/")
    assert "n:13" in listing.content.decode()
    assert "ValueError: unlucky row" in listing.content.decode()
    assert admin_client.post(f"/admin/notifications/sourcefailure/{failure.pk}/change/", {}).status_code == 403
    NotificationFactory()  # the outbox admin still lists rows next to it
    assert admin_client.get("/admin/notifications/notification/").status_code == 200


def test_a_source_needs_both_halves_of_the_per_row_form():
    with pytest.raises(TypeError, match="both `find_rows` and `spec_for`"):
        Source(kind=Kind.AGENDA_PROMPT, find_rows=lambda now: [], build=lambda n: None)
    with pytest.raises(TypeError, match="needs `build`"):
        Source(kind=Kind.AGENDA_PROMPT, find_due=lambda now: [])
    with pytest.raises(TypeError, match="or `find_due`"):
        Source(kind=Kind.AGENDA_PROMPT, build=lambda n: None)


@pytest.mark.django_db
def test_a_leader_with_an_unknown_time_zone_is_reported_and_other_leaders_are_still_prompted(run_tick):
    from accounts.models import User

    friday_four_pm_new_york = datetime(2026, 3, 13, 20, 0, tzinfo=UTC)
    lee = EngagementFactory(leader=UserFactory(time_zone="America/New_York")).leader
    lost = EngagementFactory(leader=UserFactory(time_zone="Europe/London")).leader
    User.objects.filter(pk=lost.pk).update(time_zone="Mars/Olympus_Mons")

    run_tick(friday_four_pm_new_york)

    assert [n.recipient for n in Notification.objects.filter(kind=Kind.REFLECTION_PROMPT)] == [lee]
    failure = SourceFailure.objects.get()
    assert (failure.kind, failure.row) == (Kind.REFLECTION_PROMPT, "time_zone:Mars/Olympus_Mons")
