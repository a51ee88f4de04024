"""Celery entry points of the outbox. They take ids, call a service and retry only transient errors."""

from __future__ import annotations

import logging
from collections import Counter

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from . import services
from .delivery import TransientDeliveryError

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tick", ignore_result=True)
def tick() -> dict:
    """Run by the one static beat entry every minute; safe to run twice at the same moment."""
    result = services.tick()
    return {
        "offered": result.offered,
        "released": result.released,
        "enqueued": result.enqueued,
        "failures": result.failures,
    }


@shared_task(
    name="notifications.send",
    ignore_result=True,
    # Acknowledged only once done, and given back to the broker if the worker process dies: the row's
    # conditional claim makes a redelivered message harmless.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=settings.NOTIFICATIONS_RETRY_BACKOFF,
    retry_backoff_max=settings.NOTIFICATIONS_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.NOTIFICATIONS_MAX_ATTEMPTS,
)
def send_notification(notification_id: int) -> str:
    return services.notification_deliver(notification_id=notification_id)


@shared_task(
    name="notifications.send_batch",
    ignore_result=True,
    # As for one send: a redelivered batch finds the rows it already handled claimed or done and
    # passes over them, because each row is claimed with the same conditional update.
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_notification_batch(notification_ids: list[int]) -> dict:
    """Sends a batch of rows the tick enqueued together, one after the other.

    One row never stops the others: a temporary refusal hands that row to the single-send task, which
    retries it with the usual backoff (the row is already back to pending, its attempt counted), and
    an unexpected error is logged and leaves the row to the tick's "stuck in sending" rule.
    """
    outcomes: Counter = Counter()
    for notification_id in notification_ids:
        try:
            outcomes[services.notification_deliver(notification_id=notification_id) or "unclaimed"] += 1
        except TransientDeliveryError:
            outcomes["retrying"] += 1
            _retry_alone(notification_id)
        except Exception:  # a bug or a lost database connection on one row: the rest of the batch goes on
            outcomes["error"] += 1
            logger.exception("Sending notification %s failed", notification_id)
    return dict(outcomes)


def _retry_alone(notification_id: int) -> None:
    """Schedules the first retry of one row as its own send task, counted as that task's first retry."""
    countdown = get_exponential_backoff_interval(
        factor=settings.NOTIFICATIONS_RETRY_BACKOFF,
        retries=0,
        maximum=settings.NOTIFICATIONS_RETRY_BACKOFF_MAX,
        full_jitter=True,
    )
    try:
        send_notification.apply_async((notification_id,), countdown=countdown, retries=1)
    except Exception:  # broker gone: the row is pending and marked, so the tick enqueues it after the timeout
        logger.exception("Could not schedule a retry of notification %s", notification_id)
