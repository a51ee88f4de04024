"""Celery entry points for exports. They take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="exports.build", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def build_export(export_id: int) -> str:
    return services.export_build(export_id=export_id)
