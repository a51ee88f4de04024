"""Production settings for the gunicorn the integration tests start: the product's settings, read from
the environment the test sets (DEBUG off, a secret key, DATABASE_URL of a fresh database, REDIS_URL),
with only the collected static files moved into the test's temporary directory."""

import os
from pathlib import Path

from coaching.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["INTEGRATION_TMP"]) / "static"
