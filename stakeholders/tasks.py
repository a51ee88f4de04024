"""Celery entry points for stakeholder feedback. They carry ids only and call a service."""

from __future__ import annotations

from celery import shared_task

from . import services

RETRY_BASE_SECONDS = 30


@shared_task(bind=True, max_retries=services.MAX_SEND_ATTEMPTS, ignore_result=True)
def send_feedback_request(self, request_id: int):
    """E-mails one stakeholder their private link. A transient SMTP error retries with backoff
    (30 s, 60 s, 120 s); after the last attempt the request is marked failed with the error kept."""
    outcome = services.request_send(request_id=request_id)
    if outcome == "retry":
        # throw=False: the worker schedules the retry and this run ends quietly; in eager mode (tests,
        # a laptop without a worker) Celery runs the retry at once instead of raising into the caller.
        return self.retry(countdown=RETRY_BASE_SECONDS * 2**self.request.retries, throw=False)
    return outcome


@shared_task(ignore_result=True)
def open_due_feedback_rounds() -> int:
    """Opens planned rounds whose opening day has come. Safe to run every few minutes."""
    return len(services.rounds_open_due())
