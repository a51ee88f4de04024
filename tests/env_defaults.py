"""Environment defaults for the test suite, loaded as a pytest plugin before Django settings.

`pyproject.toml` loads this module with `-p tests.env_defaults`, so it runs before pytest-django
imports `coaching.settings`. Only `setdefault` is used: a value exported by the caller (CI sets
DATABASE_URL and REDIS_URL) always wins.
"""

import os

# Playwright's sync API drives the browser from an asyncio event loop that stays registered as the
# running loop of the main thread for the whole session (once the session-scoped browser has started).
# Django then refuses every ORM call from that thread (SynchronousOnlyOperation), including the
# fixtures and teardown of tests that run after the end-to-end tests in the same pytest process.
# The site has no async views, so switching the check off for the whole test process is safe and far
# simpler than scoping it to tests/e2e/.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Run Celery tasks in-process. Without a worker, tasks enqueued by tests (on commit in live-server
# and transactional tests) would otherwise pile up in the broker. With the embedded default broker
# that is the shared folder var/celery/queue, which the next `make run` worker would consume against
# the development database. Tests that need a real worker (marker `integration`) switch this off
# for themselves (`celery_app.conf.task_always_eager = False`).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

# A fixed Fernet key for calendar passwords (booking); production sets its own.
os.environ.setdefault("BOOKING_ENCRYPTION_KEY", "dGVzdC1vbmx5LWtleS1mb3ItY2FsZGF2LXNlY3JldHM=")
