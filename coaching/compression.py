"""Compressed HTML pages, with the BREACH attack kept in mind. Only HTML: API answers, downloads and
calendar feeds go as they are.

BREACH recovers a secret from the size of compressed responses when a page holds the secret next to
text an attacker chooses. Pages are compressed (Django's `GZipMiddleware`) because:

- the CSRF token in forms is masked afresh for every response, so it never repeats;
- Django adds a random-length filler to the header of every compressed response ("Heal The BREACH"),
  which hides the size differences the attack measures;
- a page whose own address carries a private-link secret (the paths `accounts.logs.redact` knows:
  stakeholder links, invitations, unsubscribe links, e-mail confirmation and password reset keys)
  is sent uncompressed: the secret alone opens the page, so no compressed size is ever measured
  against it (the check is the one the logs use, so a new private link is covered in one place).
"""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware

from accounts.logs import redact


class PageGZipMiddleware(GZipMiddleware):
    """GZip for responses a client accepts compressed, except on private-link pages."""

    def process_response(self, request, response):
        if redact(request.path) != request.path:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response  # HTML pages only: API answers, files and feeds go as they are
        return super().process_response(request, response)
