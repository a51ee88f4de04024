"""Celery entry points of retention: the beat's hourly run on the clock queue (notices, and which
engagements are due), and one erasure per engagement on the mail queue."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="retention.run", ignore_result=True)
def run() -> dict:
    result = services.retention_run(hand_over=erase.delay)
    return {"notices": result.notices, "handed_over": result.handed_over, "failed": result.failed}


@shared_task(name="retention.erase", ignore_result=True)
def erase(engagement_id: int) -> str:
    return services.engagement_erase_due(engagement_id=engagement_id)
