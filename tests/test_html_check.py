"""The Nu HTML checker that `make test` runs over the browser journeys' pages reports real errors."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.e2e.html_check import VNU_JAR, save_page_html, validate

VALID = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Coach home</title></head>
<body><main><h1>Coach home</h1><p data-hx-get="/x">Fine</p></main></body></html>"""

INVALID = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Engagement</title></head>
<body><main><span><form method="post"><button>Pause</button></form></span>
<p hx-get="/x">Bad</p></main></body></html>"""


@pytest.mark.skipif(shutil.which("java") is None, reason="java is missing: install default-jre-headless")
@pytest.mark.skipif(not VNU_JAR.exists(), reason="vnu-jar is missing: run npm ci")
def test_nu_checker_lists_each_error_with_the_page_address(tmp_path):
    save_page_html(VALID, "http://testserver/", folder=tmp_path)
    save_page_html(INVALID, "http://testserver/engagements/1/", folder=tmp_path)
    save_page_html(INVALID, "http://testserver/engagements/2/", folder=tmp_path)

    assert len(list(tmp_path.glob("*.html"))) == 2  # the same document is checked once
    index = json.loads((tmp_path / "pages.json").read_text())
    assert sorted(map(len, index.values())) == [1, 2]

    errors = validate(tmp_path)

    assert len(errors) == 2, errors
    both = "http://testserver/engagements/1/, http://testserver/engagements/2/"
    assert all(error.startswith(both) for error in errors)
    assert any("“form” not allowed as child of element “span”" in error for error in errors)
    assert any("“hx-get” not allowed" in error for error in errors)


def test_nu_checker_refuses_an_empty_folder(tmp_path):
    with pytest.raises(RuntimeError, match="no pages were saved"):
        validate(tmp_path)
