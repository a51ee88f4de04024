"""The summary as a PDF report: a real PDF with the report's headings, released summaries only, no network."""

from __future__ import annotations

import logging
import shutil
import subprocess

import pytest

from coaching.pdf import BASE_URL, static_file_for
from engagements.models import Session
from tests.coaching.helpers import at, held

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def _pdf(client, engagement):
    return client.get(f"/engagements/{engagement.pk}/summary.pdf")


@needs_pdftotext
def test_the_sponsor_downloads_a_pdf_report_with_its_headings(cast, client_for):
    held(
        cast.lee_engagement,
        20,
        kind=Session.Kind.THREE_WAY,
        shared_summary="Agreed notes for the sponsor.",
        summary_shared_with_sponsor=True,
        summary_released_at=at(-19),
    )

    response = _pdf(client_for("sam"), cast.lee_engagement)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="progress-summary-lee-lindqvist-acme-logistics-'
    )
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for heading in (
        "THREE-WAY PROGRESS SUMMARY",
        "Lee Lindqvist",
        "Sessions",
        "Goals and stakeholder feedback",
        "Three-way meetings",
        "Coach's summaries",
        "Attendance",
    ):
        assert heading in text, heading
    assert "Stay calm under pressure from senior leaders" in text
    assert "Agreed notes for the sponsor." in text
    assert "Page 1 of" in text


@needs_pdftotext
def test_the_pdf_holds_released_summaries_only_even_for_the_leader_and_coach(cast, client_for):
    held(
        cast.lee_engagement, 14, shared_summary="Waiting for the coach to release it.", summary_shared_with_sponsor=True
    )

    for person in ("lee", "ada", "sam"):
        text = pdf_text(_pdf(client_for(person), cast.lee_engagement).content)
        assert "Waiting for the coach" not in text
        assert "Not yet released" not in text


def test_people_outside_the_engagement_get_no_pdf(cast, client_for):
    for person in ("ben", "sue", "liv", "pam"):
        assert _pdf(client_for(person), cast.lee_engagement).status_code == 404


def test_the_pdf_is_not_cached(cast, client_for):
    response = _pdf(client_for("sam"), cast.lee_engagement)
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_the_report_loads_its_stylesheet_from_the_local_static_files():
    body, content_type = static_file_for(f"{BASE_URL}static/css/report.css")
    assert content_type == "text/css"
    assert b"@page" in body


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/css/report.css",
        "http://127.0.0.1:8000/static/css/report.css",
        "file:///etc/passwd",
        f"{BASE_URL}static/../coaching/settings.py",
        f"{BASE_URL}static/%2e%2e/coaching/settings.py",
        f"{BASE_URL}etc/passwd",
        f"{BASE_URL}static/css/missing.css",
        "data:text/css,body{}",
    ],
)
def test_the_report_refuses_every_other_url(url):
    with pytest.raises(ValueError):
        static_file_for(url)


@needs_pdftotext
def test_the_pdf_finds_its_fingerprinted_stylesheet_under_the_production_static_storage(
    cast, client_for, tmp_path, settings, caplog
):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = [p.name for p in (settings.STATIC_ROOT / "css").glob("report.*.css")]
    assert hashed, "collectstatic wrote no fingerprinted report stylesheet"

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        response = _pdf(client_for("sam"), cast.lee_engagement)

    assert response.status_code == 200
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], caplog.text
    # "Page 1 of 2" is written by the stylesheet's @page rule: the text exists only if the CSS was applied.
    assert "Page 1 of" in pdf_text(response.content)


def _figures(node, found: list) -> list:
    """Every Figure element of a PDF structure tree (pikepdf objects), depth first."""
    import pikepdf

    if isinstance(node, pikepdf.Array):
        for child in node:
            _figures(child, found)
    elif isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == "/Figure":
            found.append(node)
        kids = node.get("/K")
        if kids is not None:
            _figures(kids, found)
    return found


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) is missing")
def test_the_pdf_is_tagged_pdf_ua_with_language_title_and_chart_alt_text(cast, client_for):
    import io

    import pikepdf

    from tests.coaching.helpers import feedback_round
    from tests.factories import CommitmentFactory, PracticeLogFactory

    feedback_round(cast.lee_engagement, {"peer": [[1, 0], [1, 1], [2, 2]]}, opened_days_ago=60)
    PracticeLogFactory(commitment=CommitmentFactory(session=cast.lee_past_session), occurred_at=at(-1))
    content = _pdf(client_for("sam"), cast.lee_engagement).content

    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "Tagged:          yes" in info
    assert "Title:           Progress summary · Lee Lindqvist · Acme Logistics" in info

    with pikepdf.open(io.BytesIO(content)) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "en"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        figures = _figures(root.StructTreeRoot, [])
        alts = [str(f.get("/Alt", "")) for f in figures]
    assert alts and all(alt.strip() for alt in alts), alts
    assert any(alt.startswith("Practice logged per week. Attempts at agreed fieldwork") for alt in alts), alts
    goal = cast.lee_goals[0]
    assert any(alt.startswith(f"Stakeholder net score: {goal.title}. Average stakeholder rating") for alt in alts)
