"""The cache fails open: with Redis refused or hung it reads as a miss, accepts writes, logs one
warning and leaves Redis alone for a while, so rate limits let people through instead of failing."""

from __future__ import annotations

import logging
import os
import time

import pytest
from django.conf import settings

from coaching.cache import FailOpenRedisCache
from tests.silent_server import closed_port, silent_server


def _cache_at(location: str) -> FailOpenRedisCache:
    return FailOpenRedisCache(location, {"OPTIONS": settings.REDIS_CONNECTION_OPTIONS, "KEY_PREFIX": "fail-open-test"})


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "coaching.cache" and r.levelno == logging.WARNING]


def test_a_refused_redis_reads_as_a_miss_and_accepts_every_write(caplog):
    cache = _cache_at(f"redis://127.0.0.1:{closed_port()}/0")

    with caplog.at_level(logging.WARNING, logger="coaching.cache"):
        results = (
            cache.get("k", "default"),
            cache.add("lock", True, timeout=10),
            cache.incr("counter"),
            cache.set("k", 1),
            cache.get_many(["a", "b"]),
            cache.has_key("k"),
            cache.delete("k"),
        )

    assert results == ("default", True, 1, None, {}, False, False)
    (warning,) = _warnings(caplog)
    assert "rate limits are not counted" in warning and "ConnectionError" in warning


def test_a_hung_redis_costs_one_socket_timeout_then_nothing(caplog):
    with silent_server() as port, caplog.at_level(logging.WARNING, logger="coaching.cache"):
        cache = _cache_at(f"redis://127.0.0.1:{port}/0")
        started = time.monotonic()
        first = cache.add("lock", True)
        first_took = time.monotonic() - started
        started = time.monotonic()
        rest = [cache.incr(f"counter-{i}") for i in range(20)]
        rest_took = time.monotonic() - started

    assert first is True and rest == [1] * 20
    assert first_took < settings.REDIS_SOCKET_TIMEOUT + 1
    assert rest_took < 0.5
    (warning,) = _warnings(caplog)
    assert "TimeoutError" in warning


def test_redis_is_tried_again_after_the_pause(caplog, monkeypatch):
    cache = _cache_at(f"redis://127.0.0.1:{closed_port()}/0")
    monkeypatch.setattr(cache, "retry_after", 0.2)

    with caplog.at_level(logging.WARNING, logger="coaching.cache"):
        cache.get("k")
        cache.get("k")
        time.sleep(0.3)
        cache.get("k")

    assert len(_warnings(caplog)) == 2


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="Needs REDIS_URL: counts in a real Redis.")
def test_with_redis_up_it_counts_and_still_reports_a_missing_counter(caplog):
    cache = _cache_at(os.environ["REDIS_URL"])
    key = f"counter-{time.time_ns()}"

    with caplog.at_level(logging.WARNING, logger="coaching.cache"):
        assert cache.add(key, 0, timeout=10) is True
        assert [cache.incr(key) for _ in range(3)] == [1, 2, 3]
        assert cache.add(key, 0, timeout=10) is False
        cache.delete(key)
        with pytest.raises(ValueError):  # a missing key is not an outage: callers handle it
            cache.incr(key)
        assert cache.ping() is True

    assert _warnings(caplog) == []
