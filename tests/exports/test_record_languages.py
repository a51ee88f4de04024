"""The leader's record PDF speaks the reader's language, its page margins included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from engagements.models import Session
from exports.records import leader_record
from exports.render import as_pdf
from tests.exports.helpers import readable
from tests.factories import SessionFactory


def long_record(cast) -> dict:
    """Lee's record with enough held sessions to run over several pages (the first page has no header)."""
    past = cast.lee_past_session.starts_at
    for week in range(1, 25):
        SessionFactory(
            engagement=cast.lee_past_session.engagement,
            starts_at=past - timedelta(weeks=week),
            status=Session.Status.HELD,
            shared_summary="We looked at the week's practice and agreed what to try next. " * 4,
        )
    return leader_record(leader=cast.lee)


@pytest.mark.django_db
@pytest.mark.usefixtures("german")
def test_the_record_pdf_reads_in_german_down_to_the_page_margins(cast):
    text = readable(as_pdf(long_record(cast), language="de"), "pdf")
    assert "COACHING-UNTERLAGEN" in text  # the eyebrow, set in capitals by the style sheet
    assert "Exportiert am" in text
    assert "Warum es wichtig ist:" in text
    assert "Seite 2 von " in text
    assert "Vertraulich" in text  # the header of every page after the first
    assert "Stay calm under pressure from senior leaders" in text  # the leader's own words stay as written
    for english in ("Page 2 of", "COACHING RECORD", "Why it matters", "Exported on", "Confidential"):
        assert english not in text


@pytest.mark.django_db
def test_the_record_pdf_in_english_is_headed_as_a_record_not_as_the_sponsors_summary(cast):
    with translation.override("en-gb"):
        text = readable(as_pdf(long_record(cast)), "pdf")
    assert "COACHING RECORD" in text
    assert "Page 2 of " in text
    assert "Coaching record" in text  # the header of every page after the first
    assert "Confidential" in text
    assert "Three-way progress summary" not in text
    assert "Confidential to the engagement's sponsor" not in text
