"""PDF rendering with WeasyPrint that never touches the network.

The report's HTML links its stylesheet under STATIC_URL; the fetcher built by `_local_static_fetcher`
answers those URLs from the static files on disk and refuses every other URL (http, file, data
alike), so a PDF can neither leak a request to another host nor read a file outside the static
directories. WeasyPrint is imported on first use: it parses its own stylesheets at import time.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation

# The base URL of the rendered document: a name only, never fetched.
BASE_URL = "https://report.invalid/"

# WeasyPrint reports each rendering step at INFO; only its warnings belong in the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def static_file_for(url: str) -> tuple[bytes, str]:
    """The bytes and content type of the static file behind `<BASE_URL><STATIC_URL>path`.

    Raises ValueError for any other URL, a path that climbs out (`..`) or a file that does not exist.
    """
    parts = urlsplit(url)
    static_prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(static_prefix):
        raise ValueError(f"The report loads local static files only, not {url}")
    relative = unquote(parts.path[len(static_prefix) :])
    if not relative or ".." in Path(relative).parts or relative.startswith("/"):
        raise ValueError(f"Not a static file: {url}")
    found = finders.find(relative) or _collected_file(relative)
    if not found:
        raise ValueError(f"No such static file: {relative}")
    return Path(found).read_bytes(), mimetypes.guess_type(relative)[0] or "application/octet-stream"


def _collected_file(relative: str) -> str | None:
    """The path of `relative` among the collected static files (STATIC_ROOT), or None.

    In production `{% static %}` names the fingerprinted copy (`css/report.<hash>.css`) that
    `collectstatic` wrote to STATIC_ROOT, which the finders (source names only) do not know.
    """
    try:
        if staticfiles_storage.exists(relative):
            return staticfiles_storage.path(relative)
    except (NotImplementedError, SuspiciousFileOperation):
        pass
    return None


def _local_static_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalStaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, content_type = static_file_for(url)
            return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    return LocalStaticFetcher()


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    # PDF/UA-1: a tagged PDF (headings, tables, figures with their alternative text), with the
    # document's language and title, that screen readers can follow.
    return HTML(string=html, base_url=BASE_URL, url_fetcher=_local_static_fetcher()).write_pdf(pdf_variant="pdf/ua-1")
