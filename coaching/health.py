"""Liveness of the database, the broker and the cache, for `GET /healthz` and for operators.

`CHECKS` names each check; a check returns `{"ok": True, ...facts}` or raises. All checks run at
once, each in its own thread with its own connection, and the report is ready after at most
`DEADLINE_SECONDS`: a server that accepts the connection and never answers makes its check time out
("no answer within 2.5 s") instead of holding the request until the worker is killed. A thread left
behind ends by itself at its connection's own timeout (settings: DB_CONNECT_TIMEOUT,
REDIS_SOCKET_TIMEOUT).

`DETAILS` adds facts for staff that are not pass/fail (they never change the status). They run in
the request's own thread after every check passed, so they may use the ORM like any selector:
`DETAILS["name"] = some_selector` is all it takes to add one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections

DEADLINE_SECONDS = 2.5


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def database_state() -> dict:
    """`SELECT 1` on a connection of its own (closed afterwards), so the check can run in any thread."""
    started = time.monotonic()
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        vendor = connection.vendor
    finally:
        connection.close()
    return {"ok": True, "vendor": vendor, "ms": round(1000 * (time.monotonic() - started), 1)}


def broker_state() -> dict:
    from coaching.celery import app

    started = time.monotonic()
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=DEADLINE_SECONDS)
        transport = conn.transport_cls
    return {"ok": True, "transport": str(transport), "ms": round(1000 * (time.monotonic() - started), 1)}


def cache_state() -> dict:
    """Asks Redis directly (the cache itself fails open and would always look fine); any other backend
    takes a write and a read."""
    started = time.monotonic()
    cache = caches["default"]
    if hasattr(cache, "ping"):
        cache.ping()
    else:
        cache.set("healthz", "ok", timeout=10)
        if cache.get("healthz") != "ok":
            raise RuntimeError("the cache did not return what was just written")
    backend = f"{type(cache).__module__}.{type(cache).__name__}"
    return {"ok": True, "backend": backend, "ms": round(1000 * (time.monotonic() - started), 1)}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": database_state,
    "broker": broker_state,
    "cache": cache_state,
}


def outbox_failures() -> dict:
    """Counts of outbox rows and source rows that failed (`notifications.selectors`), for staff only."""
    from notifications.selectors import source_failures_summary

    return source_failures_summary()


DETAILS: dict[str, Callable[[], Any]] = {"outbox_failures": outbox_failures}


def _guarded(check: Callable[[], dict]) -> Callable[[], dict]:
    def run() -> dict:
        try:
            return check()
        except Exception as exc:
            return {"ok": False, "error": _error(exc)}

    return run


def run_checks(*, deadline: float = DEADLINE_SECONDS) -> dict[str, dict]:
    """Every check of `CHECKS`, in parallel, each answered within `deadline` seconds."""
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="healthz")
    try:
        futures = {name: pool.submit(_guarded(check)) for name, check in CHECKS.items()}
        ends_at = time.monotonic() + deadline
        results = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=max(0.0, ends_at - time.monotonic()))
            except FutureTimeout:
                results[name] = {"ok": False, "error": f"no answer within {deadline:g} s"}
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def report(*, detailed: bool) -> tuple[bool, dict]:
    """(healthy, body): the body says only "ok" or "unavailable" unless `detailed` (staff)."""
    checks = run_checks()
    healthy = all(result["ok"] for result in checks.values())
    body: dict[str, Any] = {"status": "ok" if healthy else "unavailable"}
    if detailed:
        body["checks"] = checks
        if healthy:
            for name, detail in DETAILS.items():
                try:
                    body[name] = detail()
                except Exception as exc:
                    body[name] = {"error": _error(exc)}
    return healthy, body
