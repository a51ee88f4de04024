"""Retention: the notice before erasure, the day of erasure, what erasure leaves, and that one
engagement's failure never stops the others."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from engagements import services as engagement_services
from engagements.models import AgendaItem, Engagement, Goal, Session
from exports import records
from exports import services as export_services
from exports.models import Export
from fieldwork.models import Commitment, PracticeLog, WeeklyReflection
from notifications.models import Kind, Notification
from programs.selectors import program_dashboard, themes_of
from retention import services
from retention.models import Erasure, RetentionPolicy
from stakeholders.models import FeedbackResponse, GoalScore, Stakeholder
from tests.factories import EngagementFactory
from tests.privacy.secrets import seed_private_content

ENDED = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
PERIOD_ENDS = ENDED.date() + relativedelta(months=24)  # the default: 24 months


def _at(day, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _end(engagement: Engagement, ended_at: datetime = ENDED) -> Engagement:
    with time_machine.travel(ended_at, tick=False):
        return engagement_services.engagement_set_status(engagement=engagement, status=Engagement.Status.COMPLETED)


def _run(day, hour: int = 12) -> services.RunResult:
    with time_machine.travel(_at(day, hour), tick=False):
        return services.retention_run()


def _lee_texts(texts: dict[str, str]) -> dict[str, str]:
    """Every private text seeded into Lee's engagement (not Liv's, not the link tokens)."""
    return {k: v for k, v in texts.items() if not k.startswith("liv_") and not k.endswith("_token")}


@pytest.fixture
def seeded(cast):
    return seed_private_content(cast)


def test_the_default_period_is_24_months_and_a_practice_sets_its_own(cast, settings):
    assert settings.RETENTION_DEFAULT_MONTHS == 24
    assert services.months_for(cast.practice.pk) == 24
    services.policy_set(practice=cast.practice, months=6, by=cast.pam)
    assert services.months_for(cast.practice.pk) == 6
    assert services.months_for(None) == 24
    with pytest.raises(Exception, match="1 to 120"):
        services.policy_set(practice=cast.practice, months=121, by=cast.pam)
    with pytest.raises(PermissionDenied):
        services.policy_set(practice=cast.practice, months=12, by=cast.ada)
    assert RetentionPolicy.objects.get(practice=cast.practice).months == 6


def test_completing_and_reopening_an_engagement_keeps_and_clears_its_end(cast):
    engagement = _end(cast.lee_engagement)
    assert engagement.ended_at == ENDED
    engagement_services.engagement_set_status(engagement=engagement, status=Engagement.Status.ACTIVE)
    engagement.refresh_from_db()
    assert engagement.ended_at is None


def test_the_notice_is_recorded_thirty_days_before_the_erasure_exactly_once(cast, seeded):
    _end(cast.lee_engagement)
    notice_day = PERIOD_ENDS - timedelta(days=30)

    assert _run(notice_day - timedelta(days=1), hour=23).notices == 0
    assert not Notification.objects.filter(kind=Kind.RETENTION_NOTICE).exists()
    assert _run(notice_day, hour=0).notices == 1
    assert _run(notice_day, hour=1).notices == 0
    assert _run(notice_day + timedelta(days=3)).notices == 0

    [notice] = Notification.objects.filter(kind=Kind.RETENTION_NOTICE)
    assert (notice.recipient_id, notice.engagement_id) == (cast.lee.pk, cast.lee_engagement.pk)
    assert Erasure.objects.get(engagement=cast.lee_engagement).notice_sent_at.date() == notice_day
    assert not Erasure.objects.get(engagement=cast.lee_engagement).is_erased


def test_the_notice_e_mail_offers_the_export_and_names_the_day(cast, seeded, django_capture_on_commit_callbacks):
    _end(cast.lee_engagement)
    with (
        time_machine.travel(_at(PERIOD_ENDS - timedelta(days=30)), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.retention_run()
    [message] = [m for m in mail.outbox if m.to == [cast.lee.email]]
    body = message.body
    assert PERIOD_ENDS.strftime("%-d %B %Y") in message.subject
    assert "/exports/" in body
    assert f"/engagements/{cast.lee_engagement.pk}/erase/" in body
    assert not any(text in body for text in _lee_texts(seeded.texts).values() if text != "Acme Logistics")


def test_the_engagement_is_kept_the_day_before_and_erased_on_the_day(cast, seeded):
    _end(cast.lee_engagement)
    _run(PERIOD_ENDS - timedelta(days=30))

    assert _run(PERIOD_ENDS - timedelta(days=1), hour=23).erased == 0
    assert Session.objects.filter(private_notes=seeded.texts["private_notes"]).exists()
    assert _run(PERIOD_ENDS, hour=0).erased == 1
    assert not Session.objects.filter(private_notes=seeded.texts["private_notes"]).exists()
    erasure = Erasure.objects.get(engagement=cast.lee_engagement)
    assert (erasure.reason, erasure.erased_by, erasure.erased_at.date()) == ("policy", None, PERIOD_ENDS)


def test_without_a_notice_in_time_erasure_waits_thirty_days_after_it(cast, seeded):
    _end(cast.lee_engagement)
    late = PERIOD_ENDS + timedelta(days=100)  # nothing ran for months (or the period was shortened)
    result = _run(late)
    assert (result.notices, result.erased) == (1, 0)
    assert _run(late + timedelta(days=29)).erased == 0
    assert _run(late + timedelta(days=30)).erased == 1


def test_a_practice_period_counts_from_the_end(cast, seeded):
    services.policy_set(practice=cast.practice, months=6, by=cast.pam)
    _end(cast.lee_engagement)
    six_months = ENDED.date() + relativedelta(months=6)
    assert _run(six_months - timedelta(days=31)).notices == 0
    assert _run(six_months - timedelta(days=30)).notices == 1
    assert _run(six_months - timedelta(days=1)).erased == 0
    assert _run(six_months).erased == 1


def test_an_open_or_reopened_engagement_is_never_erased_and_a_new_end_gets_a_new_notice(cast, seeded):
    _run(PERIOD_ENDS + timedelta(days=400))
    assert not Erasure.objects.exists()  # open: the period has not started

    _end(cast.lee_engagement)
    _run(PERIOD_ENDS - timedelta(days=30))
    with time_machine.travel(_at(PERIOD_ENDS - timedelta(days=20)), tick=False):
        engagement_services.engagement_set_status(engagement=cast.lee_engagement, status=Engagement.Status.ACTIVE)
    assert _run(PERIOD_ENDS).erased == 0
    again = _at(PERIOD_ENDS - timedelta(days=10))
    _end(cast.lee_engagement, again)
    new_end = again.date() + relativedelta(months=24)
    assert _run(new_end - timedelta(days=31)).notices == 0  # the old notice does not count
    assert _run(new_end - timedelta(days=30)).notices == 1
    assert Notification.objects.filter(kind=Kind.RETENTION_NOTICE).count() == 2
    assert _run(new_end).erased == 1


def test_erasure_removes_every_private_text_of_the_engagement_and_only_of_it(cast, seeded):
    if connection.vendor != "postgresql":
        pytest.skip("Reads PostgreSQL's column types; CI runs on PostgreSQL.")
    _end(cast.lee_engagement)
    services.engagement_erase(engagement=cast.lee_engagement, reason="policy")

    texts = _lee_texts(seeded.texts)
    with connection.cursor() as cursor:  # every text column of every table, as stored
        found = []
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                if column.type_code in (25, 1043):  # PostgreSQL text and varchar
                    for name, text in texts.items():
                        query = f'SELECT 1 FROM "{table}" WHERE "{column.name}" = %s LIMIT 1'  # noqa: S608 - catalogue names
                        cursor.execute(query, [text])
                        if cursor.fetchone():
                            found.append(f"{name} in {table}.{column.name}")
    assert found == []
    # Liv's engagement is untouched.
    assert Goal.objects.filter(title=seeded.texts["liv_goal_title"]).exists()
    assert Session.objects.filter(private_notes=seeded.texts["liv_private_notes"]).exists()


def test_erasure_keeps_the_figures_and_dates(cast, seeded):
    e = cast.lee_engagement
    _end(e)
    before = _figures(e)
    services.engagement_erase(engagement=e, reason="policy")
    assert _figures(e) == before
    assert AgendaItem.objects.filter(session__engagement=e).count() == 0
    assert Commitment.objects.filter(engagement=e).exclude(text="—").count() == 0


def _figures(e: Engagement) -> dict:
    return {
        "sessions": list(
            Session.objects.filter(engagement=e).order_by("pk").values_list("starts_at", "kind", "status")
        ),
        "goals": [themes_of(g.title) for g in Goal.objects.filter(engagement=e).order_by("position", "pk")],
        "commitments": list(
            Commitment.objects.filter(engagement=e).order_by("pk").values_list("target_count", "outcome", "forgotten")
        ),
        "logs": PracticeLog.objects.filter(commitment__engagement=e).count(),
        "reflections": list(WeeklyReflection.objects.filter(engagement=e).values_list("iso_year", "iso_week")),
        "scores": sorted(
            GoalScore.objects.filter(response__request__round__engagement=e).values_list("goal_id", "score")
        ),
        "groups": sorted(
            FeedbackResponse.objects.filter(request__round__engagement=e).values_list("relationship", flat=True)
        ),
        "stakeholders": sorted(Stakeholder.objects.filter(engagement=e).values_list("relationship", "status")),
    }


def test_the_sponsor_summary_and_the_program_dashboard_show_the_same_figures_after_erasure(cast, seeded):
    from coaching.summary import engagement_summary

    e = cast.lee_engagement
    _end(e)
    for leader in (cast.liv, *(EngagementFactory().leader for _ in range(2))):  # enough leaders for figures
        Engagement.objects.filter(leader=leader).update(program=e.program)

    def figures():
        summary = engagement_summary(viewer=cast.sam, pk=e.pk)
        facts = {
            f.name: getattr(summary, f.name)
            for f in dataclasses.fields(summary)
            if f.name not in ("goals", "summaries", "three_way_meetings", "generated_at", "fieldwork")
        }
        counts = ("commitments", "logs", "reviewed", "completed")
        facts["fieldwork"] = {k: getattr(summary.fieldwork, k) for k in counts}
        facts["goal_count"] = len(summary.goals)
        dashboard = program_dashboard(program=e.program)
        facts["dashboard"] = {
            f.name: getattr(dashboard, f.name)
            for f in dataclasses.fields(dashboard)
            if f.name not in ("program", "generated_at")
        }
        return facts

    before = figures()
    assert before["dashboard"]["shows_figures"]
    services.engagement_erase(engagement=e, reason="policy")
    assert figures() == before


def test_erasure_is_idempotent(cast, seeded):
    _end(cast.lee_engagement)
    assert services.engagement_erase(engagement=cast.lee_engagement, reason="policy") is True
    first = Erasure.objects.get()
    assert services.engagement_erase(engagement=cast.lee_engagement, reason="leader", by=cast.lee) is False
    again = Erasure.objects.get()
    assert (again.erased_at, again.reason, again.erased_by) == (first.erased_at, "policy", None)
    _run(PERIOD_ENDS + timedelta(days=60))
    assert Erasure.objects.get().erased_at == first.erased_at


def test_an_erased_engagement_cannot_be_reopened_and_the_page_does_not_offer_it(cast, seeded, client_for):
    other = EngagementFactory(coach=cast.ada, status=Engagement.Status.COMPLETED)
    _end(cast.lee_engagement)
    services.engagement_erase(engagement=cast.lee_engagement, reason="policy")

    with pytest.raises(ValidationError, match="cannot be reopened"):
        engagement_services.engagement_set_status(engagement=cast.lee_engagement, status=Engagement.Status.ACTIVE)
    assert Engagement.objects.get(pk=cast.lee_engagement.pk).status == Engagement.Status.COMPLETED
    assert engagement_services.allowed_transitions(cast.lee_engagement) == []
    # An ended engagement that was not erased is reopened as before.
    assert engagement_services.allowed_transitions(other) == [Engagement.Status.ACTIVE]
    engagement_services.engagement_set_status(engagement=other, status=Engagement.Status.ACTIVE)

    page = client_for("ada").get(f"/engagements/{cast.lee_engagement.pk}/").content.decode()
    assert 'name="status"' not in page
    answer = client_for("ada").post(f"/engagements/{cast.lee_engagement.pk}/status/", {"status": "active"}, follow=True)
    assert answer.status_code == 200 and "cannot be reopened" in answer.content.decode()
    assert Engagement.objects.get(pk=cast.lee_engagement.pk).status == Engagement.Status.COMPLETED


def test_a_failing_engagement_does_not_stop_the_others(cast, seeded, caplog, monkeypatch):
    for engagement in (cast.lee_engagement, cast.liv_engagement):
        _end(engagement)
    _run(PERIOD_ENDS - timedelta(days=30))
    real = services._erase_content

    def poisoned(engagement, now):
        if engagement.pk == cast.lee_engagement.pk:
            raise RuntimeError("a row the database refuses")
        real(engagement, now)

    monkeypatch.setattr(services, "_erase_content", poisoned)
    with caplog.at_level(logging.ERROR, logger="retention.services"):
        result = _run(PERIOD_ENDS)
    assert (result.erased, result.failed) == (1, 1)
    assert f"Retention skipped engagement {cast.lee_engagement.pk}" in caplog.text
    lee, liv = Erasure.objects.get(engagement=cast.lee_engagement), Erasure.objects.get(engagement=cast.liv_engagement)
    assert (lee.is_erased, lee.last_error) == (False, "RuntimeError")
    assert liv.is_erased
    assert Session.objects.filter(private_notes=seeded.texts["private_notes"]).exists()  # rolled back whole

    monkeypatch.setattr(services, "_erase_content", real)
    assert _run(PERIOD_ENDS + timedelta(days=1)).erased == 1
    assert Erasure.objects.get(engagement=cast.lee_engagement).last_error == ""


def test_exports_made_before_erasure_are_gone_and_new_ones_hold_nothing_erased(cast, seeded, client_for):
    export = export_services.export_request(owner=cast.lee, kind="leader_record", export_format="json")
    export_services.export_build(export_id=export.pk)
    token = export_services.export_token(export=Export.objects.get(pk=export.pk))
    _end(cast.lee_engagement)
    services.engagement_erase(engagement=cast.lee_engagement, reason="policy")

    assert client_for("lee").get(f"/exports/download/{token}/").status_code == 410
    assert Export.objects.get(pk=export.pk).content is None
    texts = _lee_texts(seeded.texts).values()
    for record in (records.leader_record(leader=cast.lee), records.practice_record(coach=cast.ada)):
        dumped = json.dumps(record, ensure_ascii=False)
        assert [t for t in texts if t in dumped] == []


def test_the_beat_task_decides_on_the_clock_queue_and_a_mail_worker_erases(cast, seeded, settings):
    from retention import tasks

    assert settings.CELERY_TASK_ROUTES["retention.run"] == {"queue": "clock"}
    assert settings.CELERY_TASK_ROUTES["retention.erase"] == {"queue": "mail"}
    _end(cast.lee_engagement)
    _run(PERIOD_ENDS - timedelta(days=30))
    with time_machine.travel(_at(PERIOD_ENDS), tick=False):
        assert tasks.run.apply().result == {"notices": 0, "handed_over": 1, "failed": 0}  # run in-process here
        assert tasks.erase.apply(args=(cast.lee_engagement.pk,)).result == "kept"  # a second message: nothing
    assert Erasure.objects.get(engagement=cast.lee_engagement).reason == "policy"
    assert not Session.objects.filter(private_notes=seeded.texts["private_notes"]).exists()


def test_with_the_broker_down_the_notices_still_go_out_and_the_erasures_wait_for_the_next_run(cast, seeded):
    from tests.factories import EngagementFactory

    _end(cast.lee_engagement)
    _run(PERIOD_ENDS - timedelta(days=30))
    later = EngagementFactory(coach=cast.ben)  # ends later: its notice is due on the day Lee's erasure is
    _end(later, ENDED + timedelta(days=30))
    refused: list[int] = []

    def broker_down(engagement_id: int) -> None:
        refused.append(engagement_id)
        raise ConnectionRefusedError("broker down")

    with time_machine.travel(_at(PERIOD_ENDS), tick=False):
        result = services.retention_run(hand_over=broker_down)
    assert (result.notices, result.handed_over) == (1, 0)
    assert refused == [cast.lee_engagement.pk]
    assert not Erasure.objects.get(engagement=cast.lee_engagement).is_erased
    assert _run(PERIOD_ENDS + timedelta(days=1)).erased == 1
