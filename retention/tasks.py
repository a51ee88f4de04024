"""Celery entry point of retention: the beat's hourly run (notices, then erasures)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="retention.run", ignore_result=True)
def run() -> dict:
    result = services.retention_run()
    return {"notices": result.notices, "erased": result.erased, "failed": result.failed}
