"""Liveness of the database and the broker, for `GET /healthz` and for operators."""

from __future__ import annotations

import time

from django.db import connection


def database_state() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "vendor": connection.vendor, "ms": round(1000 * (time.monotonic() - started), 1)}


def broker_state() -> dict:
    from coaching.celery import app

    started = time.monotonic()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "transport": str(transport), "ms": round(1000 * (time.monotonic() - started), 1)}


def outbox_failures() -> dict:
    """Counts of outbox rows that failed (`notifications.selectors.source_failures_summary`), for staff only."""
    from notifications.selectors import source_failures_summary

    return source_failures_summary()
