"""Production settings (coaching.settings, DEBUG off) plus one trivial page, for the benchmark only.

The trivial page (`/bench/trivial/`, see `bench.urls`) goes through the same middleware as every
page (sessions, authentication, CSRF, CSP, the user's time zone) and does nothing else: it is the
floor a page is compared with. Static files are collected into `bench/data/static/`.
"""

from pathlib import Path

from coaching.settings import *  # noqa: F403
from coaching.settings import BASE_DIR, DEBUG

if DEBUG:
    raise RuntimeError("The benchmark measures production settings: unset DEBUG.")

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = Path(BASE_DIR) / "bench" / "data" / "static"
# The API's per-token limit ("600/hour") would answer the load generator with "too many requests"
# after its first seconds; raised so the load measures the endpoints. The counter is still kept.
API_RATE_LIMIT = "1000000000/second"
