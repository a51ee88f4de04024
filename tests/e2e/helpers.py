"""Helpers for end-to-end tests: sign in, accessibility, layout and screenshots.

A test module imports what it needs: `from tests.e2e.helpers import check_accessibility, login`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def login(page, live_server, email: str, password: str, *, expect_success: bool = True) -> None:
    """Sign in through the real allauth form and wait for the page it leads to.

    Fails with the form's own error messages when the sign-in is refused, unless `expect_success`
    is False (then the test inspects the re-shown form itself).
    """
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit], input[type=submit]").first.click()
    if expect_success and urlparse(page.url).path == "/accounts/login/":
        errors = page.locator(".alert, .invalid-feedback, .errorlist").all_inner_texts()
        pytest.fail(f"Signing in as {email} was refused: {errors or 'no error shown'}", pytrace=False)


def check_accessibility(page, *, tags: tuple[str, ...] = ("wcag2a", "wcag2aa")) -> None:
    """Run axe-core on the current page and fail with a readable list of WCAG A/AA violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        list(tags),
    )
    violations = results["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
            for node in violation["nodes"][:5]:
                lines.append(f"    at {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    ... and {len(violation['nodes']) - 5} more")
        summary = "\n".join(lines)
        print(summary)
        pytest.fail(summary, pytrace=False)


def assert_no_horizontal_scroll(page) -> None:
    """The page fits its viewport's width: nothing forces a sideways scroll (a common phone bug)."""
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, (
        f"{page.url} scrolls sideways: content is {scroll_width}px wide in a {inner_width}px viewport"
    )


def save_screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
