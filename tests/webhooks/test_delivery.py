"""Webhook deliveries against a real HTTP receiver: signed, retried with backoff, then failed; facts only."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from engagements import services as engagement_services
from engagements.models import Engagement, Session
from stakeholders import services as stakeholder_services
from stakeholders.models import FeedbackRound
from tests.factories import FeedbackRoundFactory, StakeholderFactory
from tests.privacy.secrets import seed_private_content
from tests.webhooks.receiver import Receiver
from webhooks import services
from webhooks.models import Delivery, Endpoint


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOKS_MAX_ATTEMPTS = 3


@pytest.fixture
def receiver():
    receivers = []

    def start(*answers: int) -> Receiver:
        receivers.append(Receiver(answers=list(answers)).start())
        return receivers[-1]

    yield start
    for r in receivers:
        r.stop()


def _verify(secret: str, header: str, body: bytes) -> bool:
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def _book(cast) -> Session:
    return engagement_services.session_schedule(
        engagement=cast.lee_engagement, starts_at=timezone.now() + timedelta(days=3), location="Room 7, Acme HQ"
    )


def test_a_booked_session_reaches_the_coachs_receiver_signed_with_its_secret(
    cast, receiver, django_capture_on_commit_callbacks
):
    server = receiver(200)
    endpoint = services.endpoint_register(owner=cast.ada, url=server.url)
    with django_capture_on_commit_callbacks(execute=True):
        session = _book(cast)

    assert len(server.requests) == 1
    received = server.requests[0]
    header = received.headers[services.SIGNATURE_HEADER]
    assert _verify(services.endpoint_secret(endpoint=endpoint), header, received.body)
    assert not _verify("another secret", header, received.body)
    payload = json.loads(received.body)
    assert payload["event"] == "session.booked"
    assert payload["data"]["session_id"] == session.pk and payload["data"]["status"] == "scheduled"
    assert "Room 7" not in received.body.decode()  # the place someone typed is not a fact we send
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_failing_receiver_is_retried_with_backoff_then_the_delivery_is_failed(
    cast, receiver, django_capture_on_commit_callbacks
):
    server = receiver(500)
    services.endpoint_register(owner=cast.ada, url=server.url)
    with django_capture_on_commit_callbacks(execute=True):
        _book(cast)

    assert len(server.requests) == 3  # WEBHOOKS_MAX_ATTEMPTS
    assert len({r.headers[services.SIGNATURE_HEADER] for r in server.requests}) >= 1
    assert len({json.loads(r.body)["id"] for r in server.requests}) == 1  # the same event every time
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 3, 500)
    assert delivery.last_error == "HTTP 500"


def test_a_receiver_that_fails_once_gets_the_event_on_the_second_attempt(
    cast, receiver, django_capture_on_commit_callbacks
):
    server = receiver(503, 204)
    services.endpoint_register(owner=cast.ada, url=server.url)
    with django_capture_on_commit_callbacks(execute=True):
        _book(cast)
    assert len(server.requests) == 2
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 204)


def test_an_unreachable_receiver_is_failed_with_the_reason(cast, receiver, django_capture_on_commit_callbacks):
    server = receiver(200)
    url = server.url
    server.stop()
    services.endpoint_register(owner=cast.ada, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        _book(cast)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 3 and delivery.last_status_code is None
    assert "Connection refused" in delivery.last_error


def test_the_backoff_doubles_up_to_its_cap(settings):
    settings.WEBHOOKS_RETRY_BACKOFF, settings.WEBHOOKS_RETRY_BACKOFF_MAX = 30, 100
    assert [services.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_a_retry_is_recorded_with_its_next_attempt(cast, receiver):
    server = receiver(500)
    services.endpoint_register(owner=cast.ada, url=server.url)
    [delivery_id] = services.webhook_event_owe(event="session.booked", coach_id=cast.ada.pk, facts={"session_id": 1})
    assert services.webhook_deliver(delivery_id=delivery_id) == "retry"
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=29)


def test_a_delivery_is_claimed_once(cast, receiver):
    server = receiver(200)
    services.endpoint_register(owner=cast.ada, url=server.url)
    [delivery_id] = services.webhook_event_owe(event="session.booked", coach_id=cast.ada.pk, facts={})
    assert services.webhook_deliver(delivery_id=delivery_id) == "delivered"
    assert services.webhook_deliver(delivery_id=delivery_id) == "not claimed"
    Delivery.objects.filter(pk=delivery_id).update(status="sending")
    assert services.webhook_deliver(delivery_id=delivery_id) == "not claimed"
    assert len(server.requests) == 1


def test_events_go_to_the_coachs_and_the_practices_addresses_only(cast, receiver, django_capture_on_commit_callbacks):
    ada_server, ben_server, practice_server = receiver(200), receiver(200), receiver(200)
    services.endpoint_register(owner=cast.ada, url=ada_server.url)
    services.endpoint_register(owner=cast.ben, url=ben_server.url)
    practice = services.endpoint_register(owner=cast.pam, url=practice_server.url)
    assert practice.practice == cast.practice
    with django_capture_on_commit_callbacks(execute=True):
        _book(cast)
    assert (len(ada_server.requests), len(ben_server.requests), len(practice_server.requests)) == (1, 0, 1)


def test_each_service_owes_its_event(cast, receiver, django_capture_on_commit_callbacks):
    server = receiver(200)
    services.endpoint_register(owner=cast.ada, url=server.url)
    with django_capture_on_commit_callbacks(execute=True):
        session = _book(cast)
        engagement_services.session_reschedule(
            session=session,
            starts_at=session.starts_at + timedelta(days=1),
            duration_minutes=60,
            mode=session.mode,
            kind=session.kind,
            location="",
        )
        engagement_services.session_cancel(session=session)
        engagement_services.session_record_outcome(session=cast.lee_past_session, status="held")
        engagement_services.session_record_outcome(session=cast.lee_past_session, status="no_show")
        StakeholderFactory(engagement=cast.lee_engagement)
        feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
        stakeholder_services.round_open(feedback_round=feedback_round, notify=False)
        stakeholder_services.round_close(feedback_round=feedback_round)
        engagement_services.engagement_set_status(engagement=cast.lee_engagement, status=Engagement.Status.PAUSED)
        engagement_services.engagement_set_status(engagement=cast.lee_engagement, status=Engagement.Status.ACTIVE)
        engagement_services.engagement_set_status(engagement=cast.lee_engagement, status=Engagement.Status.COMPLETED)
    events = [json.loads(r.body)["event"] for r in server.requests]
    assert events == [
        "session.booked",
        "session.moved",
        "session.cancelled",
        "session.held",
        "session.no_show",
        "round.closed",
        "engagement.completed",
    ]


def test_payloads_carry_no_private_text(cast, receiver, django_capture_on_commit_callbacks):
    texts = seed_private_content(cast).texts
    server = receiver(200)
    services.endpoint_register(owner=cast.ada, url=server.url)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.session_record_outcome(session=cast.lee_past_session, status="held")
        stakeholder_services.round_close(
            feedback_round=FeedbackRound.objects.get(engagement=cast.lee_engagement, status="open")
        )
    bodies = " ".join(r.body.decode() for r in server.requests)
    assert len(server.requests) == 2
    assert [name for name, text in texts.items() if text in bodies] == []


def test_a_switched_off_address_gets_nothing_more(cast, receiver, django_capture_on_commit_callbacks):
    server = receiver(200)
    endpoint = services.endpoint_register(owner=cast.ada, url=server.url)
    services.endpoint_deactivate(endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        _book(cast)
    assert server.requests == [] and not Delivery.objects.exists()
    assert Endpoint.objects.get().is_active is False
