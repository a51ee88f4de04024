"""Celery entry point for webhook deliveries: takes an id, calls the service, waits and retries as it says."""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import Delivery


@shared_task(name="webhooks.deliver", bind=True, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def deliver(self, delivery_id: int) -> str:
    result = services.webhook_deliver(delivery_id=delivery_id)
    if result == "retry":
        if self.request.is_eager:
            # Run in-process (CELERY_TASK_ALWAYS_EAGER), a task cannot wait: the next attempt runs now.
            return deliver.apply(args=(delivery_id,)).result
        attempts = Delivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(countdown=services.backoff_seconds(attempts), max_retries=None)
    return result


@shared_task(name="webhooks.redeliver", ignore_result=True)
def redeliver() -> int:
    """The beat entry: hands over again the deliveries whose broker message was lost."""
    return services.webhooks_redeliver()
