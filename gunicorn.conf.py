"""gunicorn settings for the site (the Procfile and the README's production command use this file).

Command-line flags given alongside (`--bind`, `--workers`, `--control-socket`) override these.

- The access log never holds a working private link: `RedactingLogger` passes every field of a line
  (request line, path, query string, referrer, ...) through `accounts.logs.redact`, the same rule as
  the product's own log filter.
- The server software is not announced: gunicorn's `Server` response header is left out.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accounts.logs import redact  # noqa: E402 - needs the project on the path first

wsgi_app = "coaching.wsgi"
bind = "127.0.0.1:8000"
workers = 2
accesslog = "-"
errorlog = "-"
# A request's path and query string appear here only after redaction (see RedactingLogger).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


class RedactingLogger(Logger):
    """gunicorn's logger, with every private-link secret blanked in access and error lines."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}

    def error(self, msg, *args, **kwargs):
        super().error(redact(msg) if isinstance(msg, str) else msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        super().warning(redact(msg) if isinstance(msg, str) else msg, *args, **kwargs)


logger_class = RedactingLogger


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_default_headers = wsgi.Response.default_headers
wsgi.Response.default_headers = _default_headers_without_server
