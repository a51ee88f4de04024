"""Settings for the Celery worker and beat processes the integration tests start.

The product's settings, read from the environment the test sets (DATABASE_URL of a fresh database,
REDIS_URL, EMAIL_URL of the test's SMTP server, short notification timings), plus two things only a
test needs: a Redis key prefix, so the test's queues cannot meet another worker's, and a beat
schedule file in the test's temporary directory.
"""

import os

from coaching.settings import *  # noqa: F403
from coaching.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": os.environ["INTEGRATION_KEY_PREFIX"],
}
CELERY_BEAT_SCHEDULE_FILENAME = os.path.join(os.environ["INTEGRATION_TMP"], "celerybeat-schedule")
