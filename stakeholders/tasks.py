"""Celery entry points for stakeholder feedback. Request e-mails go through the outbox (notifications.tasks)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def open_due_feedback_rounds() -> int:
    """Opens planned rounds whose opening day has come. Safe to run every few minutes."""
    return len(services.rounds_open_due())
