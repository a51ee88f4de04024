"""WSGI entry point of the benchmark's gunicorn: the site with `bench.settings`.

The stakeholder link page allows 30 requests a minute per link, and the load generator opens one
link over and over. The limit is raised here, in the benchmark's process only, so the
page is measured instead of its "too many requests" answer; the counter in Redis is still kept on
every request, so its cost is part of the measurement.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from bench.limits import raise_link_rate_limit  # noqa: E402

raise_link_rate_limit()
