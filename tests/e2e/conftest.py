"""End-to-end fixtures: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

Every test under tests/e2e/ is marked `e2e` automatically; `make test` runs them in their own serial
pytest run after the parallel run of everything else.

Browsers cannot be downloaded here, so Playwright launches the system Chromium (`/usr/bin/chromium`).
Without it these tests are skipped on a workstation and fail in CI (CI=true). CHROMIUM_PATH points
at another Chromium binary.

Fixtures: `browser` (one Chromium for the session), `page` (desktop), `phone_page` (390x844, touch)
and `strict_page` (content security policy enforced). Each page fixture starts the live server and
makes the test transactional. Helpers (`login`, `check_accessibility`, `assert_no_horizontal_scroll`,
`save_screenshot`) live in tests/e2e/helpers.py and are re-exported here. Every page a page fixture
loads is saved for the Nu HTML checker (tests/e2e/html_check.py), which `make test` runs afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import assert_no_horizontal_scroll, check_accessibility, login, save_screenshot
from tests.e2e.html_check import save_page_html

__all__ = ["assert_no_horizontal_scroll", "check_accessibility", "login", "save_screenshot"]

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

E2E_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this directory `e2e` (before `-m` selects), and skip them without Chromium."""
    missing_browser = not CHROMIUM.exists() and not IN_CI
    for item in items:
        if E2E_DIR not in item.path.parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if missing_browser:
            item.add_marker(
                pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
            )


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _new_page(browser, *, bypass_csp: bool = True, **options):
    # bypass_csp: the site's content security policy allows scripts from 'self' only, which would
    # block the inline <script> that check_accessibility() injects axe-core with. Use `strict_page`
    # to see the site exactly as a visitor's browser enforces the policy.
    context = browser.new_context(bypass_csp=bypass_csp, locale="en-GB", timezone_id="Europe/London", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("load", lambda loaded: _keep_html(loaded))
    return context, page


# The page's HTML without inline scripts: the content security policy lets the site run scripts from
# its own files only, so an inline script is one a test injected (axe-core), not the site's markup.
_SERVED_HTML = """() => {
    const root = document.documentElement.cloneNode(true);
    root.querySelectorAll('script:not([src]):not([type="application/json"])').forEach((s) => s.remove());
    return (document.doctype ? `<!DOCTYPE ${document.doctype.name}>\n` : '') + root.outerHTML;
}"""


def _keep_html(page) -> None:
    # Every page a journey visits is checked by the Nu HTML checker after the run (tests/e2e/html_check.py).
    # Only the site's own HTML pages: not PDFs, calendar files or about:blank.
    from playwright.sync_api import Error

    try:
        if not page.url.startswith("http") or "text/html" not in page.evaluate("() => document.contentType"):
            return
        save_page_html(page.evaluate(_SERVED_HTML), page.url)
    except Error:
        pass  # the journey had already moved on; the next page's load is saved instead


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A desktop-sized page (1280x900). `live_server.url` is the site's address."""
    context, page = _new_page(browser, viewport=DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator:
    """A phone-sized page (390x844, touch), for the leader's on-the-go journeys."""
    context, page = _new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()


@pytest.fixture
def strict_page(browser, live_server) -> Iterator:
    """A desktop page with the content security policy enforced; `page.csp_violations` lists breaches."""
    context, page = _new_page(browser, bypass_csp=False, viewport=DESKTOP)
    page.csp_violations = []

    def record(message) -> None:
        if "Content Security Policy" in message.text:
            page.csp_violations.append(message.text)

    page.on("console", record)
    yield page
    context.close()
