"""Celery entry points of the outbox. They take ids, call a service and retry only transient errors."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import services
from .delivery import TransientDeliveryError


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
