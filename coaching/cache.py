"""The site's cache on Redis, failing open while Redis is unreachable.

The site keeps rate-limit counters in its cache (allauth's sign-in limits, the stakeholder link's
limits in `stakeholders/views.py`, the unsubscribe limit in `notifications/views.py`) and page
fragments with their data versions (`coaching/pagecache.py`, which renders from the database when
the cache does not answer). Losing a counter for a while lets a few more attempts through; refusing
every sign-in and losing a stakeholder's answer because Redis is down is far worse. So when Redis
cannot be reached or does not answer within its socket timeout, this backend behaves like an empty
cache that accepts every write: a read returns the default, `add` reports success (so allauth's lock
is taken and its limit passes), `incr` starts a fresh counter. It logs one warning and then leaves
Redis alone for `retry_after` seconds, so a hung Redis costs one request one timeout, not every
request several.

Do not put anything in this cache whose loss matters (sessions, tokens, work in progress): it would
silently disappear during an outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Refused, reset, unreachable or silent: what an outage looks like from here. A programming error
# (a wrong type, a bad command) is not an outage and still raises.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache that behaves like an empty, accepting cache while Redis is unreachable."""

    # Seconds to skip Redis after a failure before trying it again.
    retry_after = 30.0

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._skip_until = 0.0

    def _fail_open(self, operation: str, fallback: T, call: Callable[..., T], *args: Any) -> T:
        if time.monotonic() < self._skip_until:
            return fallback
        try:
            return call(*args)
        except UNREACHABLE as exc:
            self._skip_until = time.monotonic() + self.retry_after
            logger.warning(
                "Cache unreachable (%s during %s): rate limits are not counted for the next %d s. %s",
                type(exc).__name__,
                operation,
                self.retry_after,
                str(exc)[:200],
            )
            return fallback

    def ping(self) -> bool:
        """Asks Redis itself on a connection of its own, never failing open: for the health check."""
        client = redis.Redis.from_url(self._servers[0], **self._options)
        try:
            return bool(client.ping())
        finally:
            client.close()

    # Reads: a miss.
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._fail_open("get", default, super().get, key, default, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        return self._fail_open("get_many", {}, super().get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._fail_open("has_key", False, super().has_key, key, version)

    # Writes: accepted and forgotten.
    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._fail_open("add", True, super().add, key, value, timeout, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._fail_open("set", None, super().set, key, value, timeout, version)

    def set_many(self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list:
        return self._fail_open("set_many", [], super().set_many, data, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._fail_open("touch", False, super().touch, key, timeout, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A fresh counter: the request counts as the first in its window.
        return self._fail_open("incr", delta, super().incr, key, delta, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._fail_open("delete", False, super().delete, key, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._fail_open("delete_many", None, super().delete_many, keys, version)

    def clear(self) -> bool:
        return self._fail_open("clear", False, super().clear)
