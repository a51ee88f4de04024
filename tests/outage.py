"""Helpers for tests of outages: point the site's cache or broker at a Redis that refuses or hangs, or
at a `redis-server` of the test's own that it stops and starts."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager


def cache_at_port(settings, port: int) -> None:
    """The production cache configuration (fail-open Redis with its timeouts) at 127.0.0.1:`port`."""
    settings.CACHES = {
        "default": {
            "BACKEND": "coaching.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": settings.REDIS_CONNECTION_OPTIONS,
        }
    }


REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def own_redis(port: int) -> Iterator[subprocess.Popen]:
    """A `redis-server` of the test's own on 127.0.0.1:`port` (nothing saved to disk), stopped at the end."""
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"redis-server did not start on port {port}") from None
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def broker_at(settings, port: int) -> Iterator[None]:
    """Celery's broker at redis://127.0.0.1:`port`/0 with the production timeouts, tasks published for
    real (not run in-process); everything is put back at the end."""
    from coaching.celery import app

    original = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_timeout)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.broker_transport_options = {**settings.REDIS_CONNECTION_OPTIONS}
    app.conf.broker_connection_timeout = settings.REDIS_CONNECT_TIMEOUT
    app._after_fork()  # new connection and producer pools for the new address
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_timeout = original
        app.conf.task_always_eager = eager
        app._after_fork()


def queued_tasks(port: int, queue: str) -> list[tuple[str, list]]:
    """(task name, args) of every message waiting in `queue` of the Redis at `port`, oldest first."""
    import redis

    raw = redis.Redis(host="127.0.0.1", port=port).lrange(queue, 0, -1)
    messages = [json.loads(m) for m in reversed(raw)]  # kombu pushes on the left, pops on the right
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def take_queued_tasks(port: int, queue: str) -> list[tuple[str, list]]:
    """Like `queued_tasks`, and empties the queue: the test plays the worker that received them."""
    import redis

    tasks = queued_tasks(port, queue)
    redis.Redis(host="127.0.0.1", port=port).delete(queue)
    return tasks
