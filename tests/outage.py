"""Helpers for tests of outages: point the site's cache at a Redis that refuses or hangs."""

from __future__ import annotations


def cache_at_port(settings, port: int) -> None:
    """The production cache configuration (fail-open Redis with its timeouts) at 127.0.0.1:`port`."""
    settings.CACHES = {
        "default": {
            "BACKEND": "coaching.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": settings.REDIS_CONNECTION_OPTIONS,
        }
    }
