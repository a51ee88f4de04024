"""Webhook deliveries recorded while the broker was down reach their receiver once it is back.

A real `redis-server` of the test's own is the broker: stopped when the session is booked (the port
refuses), started for the re-delivery beat. The test then plays the worker: it takes the task
messages from Redis and runs them, as a worker would, twice for a message delivered twice.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from engagements import services as engagement_services
from tests.outage import REDIS_SERVER, broker_at, free_port, own_redis, queued_tasks, take_queued_tasks
from tests.webhooks.receiver import Receiver
from webhooks import services, tasks
from webhooks.models import Delivery

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_SERVER, reason="Needs the redis-server program (Debian: redis-server)."),
]


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOKS_MAX_ATTEMPTS = 3


@pytest.fixture
def receiver():
    server = Receiver(answers=[200]).start()
    yield server
    server.stop()


def _book(cast):
    return engagement_services.session_schedule(
        engagement=cast.lee_engagement, starts_at=timezone.now() + timedelta(days=3)
    )


def _deliveries_taken(port: int) -> list[list]:
    """Takes every waiting message from the broker (the booking's invitation e-mails too), as a worker
    that then died; the arguments of the webhook deliveries among them."""
    return [args for name, args in take_queued_tasks(port, "mail") if name == "webhooks.deliver"]


def _work(port: int) -> list[str]:
    """Runs every webhook delivery waiting in the broker, as a worker would; their results."""
    return [
        tasks.deliver.apply(args=args).result
        for name, args in take_queued_tasks(port, "mail")
        if name == "webhooks.deliver"
    ]


def test_a_delivery_recorded_while_the_broker_is_down_is_sent_once_by_the_beat_when_it_is_back(
    cast, receiver, settings
):
    port = free_port()
    services.endpoint_register(owner=cast.ada, url=receiver.url)
    with broker_at(settings, port):
        session = _book(cast)  # the broker is down: nothing listens on the port
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.enqueued_at, delivery.attempts) == ("pending", None, 0)

        with own_redis(port):
            assert tasks.redeliver.apply().result == 1
            assert tasks.redeliver.apply().result == 0  # already on its way: a second beat adds nothing
            message = [(n, args) for n, args in queued_tasks(port, "mail") if n == "webhooks.deliver"]
            assert len(message) == 1
            assert [name for name, _args in queued_tasks(port, "clock")] == []
            assert _work(port) == ["delivered"]
            # The same message delivered twice (a worker lost before it acknowledged) sends nothing more.
            assert [tasks.deliver.apply(args=args).result for _name, args in message] == ["not claimed"]
            assert tasks.redeliver.apply().result == 0

    assert len(receiver.requests) == 1
    payload = json.loads(receiver.requests[0].body)
    assert (payload["event"], payload["data"]["session_id"]) == ("session.booked", session.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_a_message_lost_after_the_hand_over_is_handed_over_again_after_five_minutes_only(cast, receiver, settings):
    port = free_port()
    services.endpoint_register(owner=cast.ada, url=receiver.url)
    with broker_at(settings, port), own_redis(port):
        _book(cast)
        assert len(_deliveries_taken(port)) == 1  # then lost
        assert Delivery.objects.get().enqueued_at is not None

        with time_machine.travel(timezone.now() + timedelta(minutes=4, seconds=50)):
            assert services.webhooks_redeliver() == 0  # maybe still waiting behind other messages
        with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=10)):
            assert services.webhooks_redeliver() == 1
            assert _work(port) == ["delivered"]
            assert services.webhooks_redeliver() == 0
    assert len(receiver.requests) == 1


def test_a_retry_waits_for_its_backoff_before_the_beat_counts_it_as_lost(cast, settings):
    failing = Receiver(answers=[500, 200]).start()
    try:
        port = free_port()
        services.endpoint_register(owner=cast.ada, url=failing.url)
        with broker_at(settings, port), own_redis(port):
            _book(cast)
            # The first attempt fails; the task's retry message is lost with the worker that held it.
            [args] = _deliveries_taken(port)
            assert services.webhook_deliver(delivery_id=args[0]) == "retry"
            due = Delivery.objects.get().next_attempt_at
            with time_machine.travel(due + services.LOST_AFTER - timedelta(seconds=10)):
                assert services.webhooks_redeliver() == 0
            with time_machine.travel(due + services.LOST_AFTER + timedelta(seconds=10)):
                assert services.webhooks_redeliver() == 1
                assert _work(port) == ["delivered"]
    finally:
        failing.stop()
    assert len(failing.requests) == 2
    assert Delivery.objects.get().attempts == 2


def test_a_delivery_whose_worker_died_while_sending_is_sent_again(cast, receiver, settings):
    port = free_port()
    services.endpoint_register(owner=cast.ada, url=receiver.url)
    with broker_at(settings, port), own_redis(port):
        _book(cast)
        _deliveries_taken(port)
        delivery = Delivery.objects.get()
        Delivery.objects.filter(pk=delivery.pk).update(
            status="sending", attempts=1, last_attempt_at=timezone.now()
        )  # claimed, then the worker died
        assert services.webhooks_redeliver() == 0
        with time_machine.travel(timezone.now() + timedelta(minutes=6)):
            assert services.webhooks_redeliver() == 1
            assert _work(port) == ["delivered"]
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_delivered_failed_and_switched_off_deliveries_are_never_handed_over_again(cast, receiver, settings):
    port = free_port()
    endpoint = services.endpoint_register(owner=cast.ada, url=receiver.url)
    with broker_at(settings, port), own_redis(port):
        for _ in range(3):
            _book(cast)
        _deliveries_taken(port)
        first, second, third = Delivery.objects.order_by("pk")
        Delivery.objects.filter(pk=first.pk).update(status="delivered")
        Delivery.objects.filter(pk=second.pk).update(status="failed")
        with time_machine.travel(timezone.now() + timedelta(minutes=6)):
            services.endpoint_deactivate(endpoint=endpoint)  # fails the pending third
            assert services.webhooks_redeliver() == 0
    assert receiver.requests == []
    assert Delivery.objects.get(pk=third.pk).status == "failed"
