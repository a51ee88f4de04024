"""Request e-mails go through the outbox: one row per send, the truth on the coach's page, nothing stranded.

Opening a round, "send again" and a change of address each record an outbox row
(`request:<id>:send:<n>`); the outbox's worker sends it with a Message-ID of its own. A double click
records nothing twice, and a broker that is down leaves the row pending for the next tick.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core import mail

from notifications.models import Kind, Notification
from notifications.services import message_id, tick
from notifications.tasks import send_notification
from stakeholders import services, tasks
from stakeholders.models import FeedbackRequest
from tests.factories import FeedbackRoundFactory
from tests.stakeholders.conftest import request_of


def _rows(request) -> list[Notification]:
    return list(
        Notification.objects.filter(kind=Kind.STAKEHOLDER_REQUEST, context__request_id=request.pk).order_by("pk")
    )


@pytest.fixture
def opened(cast, lee_roster, django_capture_on_commit_callbacks):
    """A round opened by the coach: every stakeholder's e-mail recorded and sent through the outbox."""
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_open(feedback_round=feedback_round)
    return feedback_round


def test_opening_a_round_records_one_outbox_row_per_stakeholder_and_sends_it(opened, lee_roster):
    request = request_of(opened, lee_roster.peer[0])

    (row,) = _rows(request)
    assert (row.period_key, row.status, row.recipient_email) == (
        f"request:{request.pk}:send:1",
        "sent",
        "peer1@acme.example",
    )
    assert Notification.objects.filter(kind=Kind.STAKEHOLDER_REQUEST).count() == 8
    message = next(m for m in mail.outbox if m.to == ["peer1@acme.example"])
    assert message.extra_headers["Message-ID"] == message_id(row)
    (token,) = re.findall(r"/f/([A-Za-z0-9_-]{43})/", message.body)[:1]
    assert services.request_find(token=token) == request
    request.refresh_from_db()
    assert request.sent_at is not None


def test_send_again_records_a_new_row_and_a_double_click_records_none(
    opened, lee_roster, client_for, django_capture_on_commit_callbacks
):
    request = request_of(opened, lee_roster.peer[0])
    client = client_for("ada")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/feedback/requests/{request.pk}/resend/", {"send": "1"})
        client.post(f"/feedback/requests/{request.pk}/resend/", {"send": "1"})  # the same page, clicked twice

    assert [r.period_key for r in _rows(request)] == [f"request:{request.pk}:send:1", f"request:{request.pk}:send:2"]
    assert len(mail.outbox) == 1
    assert first.status_code == 302
    page = client.get(first["Location"]).content.decode()
    assert "is queued" in page  # what the row said when the coach clicked
    assert "E-mailed" in page  # what the row says now that the worker has sent it


def test_with_the_broker_down_send_again_says_queued_and_the_next_tick_sends_it(
    opened, lee_roster, client_for, django_capture_on_commit_callbacks
):
    request = request_of(opened, lee_roster.peer[0])
    client = client_for("ada")
    mail.outbox.clear()

    with mock.patch.object(send_notification, "delay", side_effect=ConnectionRefusedError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/feedback/requests/{request.pk}/resend/", {"send": "1"})
        page = client.get(response["Location"]).content.decode()

    assert "is queued" in page and "on its way" not in page
    assert "E-mail queued" in page
    row = _rows(request)[-1]
    assert (row.status, row.enqueued_at) == ("pending", None)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        tick()

    row.refresh_from_db()
    assert row.status == "sent"
    # The tick runs on the real clock: other messages due at this hour (a leader's weekly prompt) may go too.
    assert [m.to for m in mail.outbox].count(["peer1@acme.example"]) == 1


def test_a_failed_send_shows_its_error_on_the_coachs_page(opened, lee_roster, client_for):
    request = request_of(opened, lee_roster.peer[0])
    Notification.objects.filter(pk=_rows(request)[0].pk).update(status="failed", last_error="550 Mailbox unknown")

    page = client_for("ada").get(f"/feedback/rounds/{opened.pk}/").content.decode()

    assert "E-mail could not be sent: 550 Mailbox unknown" in page
    assert "E-mails that did not go out" in page


def test_an_older_send_replaced_by_a_newer_one_is_skipped(cast, lee_roster, django_capture_on_commit_callbacks):
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
    with mock.patch.object(send_notification, "delay", side_effect=ConnectionRefusedError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            services.round_open(feedback_round=feedback_round)
            services.request_resend(request=request_of(feedback_round, lee_roster.peer[0]))

    with django_capture_on_commit_callbacks(execute=True):
        tick()

    first, second = _rows(request_of(feedback_round, lee_roster.peer[0]))
    assert (first.status, second.status) == ("skipped", "sent")
    assert len([m for m in mail.outbox if m.to == ["peer1@acme.example"]]) == 1


def test_no_send_status_is_kept_in_the_stakeholders_app():
    names = {f.name for f in FeedbackRequest._meta.get_fields()}
    assert not names & {"send_status", "send_attempts", "send_error"}
    assert not hasattr(tasks, "send_feedback_request")


def test_open_due_rounds_task_reports_how_many_opened(db):
    assert tasks.open_due_feedback_rounds.delay().get() == 0


def test_beat_opens_planned_rounds_with_a_registered_task():
    from django.conf import settings

    from coaching.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["stakeholders-open-due-rounds"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
