"""The leader sees who looked: every view and export of their summary or program row, never their own."""

from __future__ import annotations

from django.utils import timezone

from programs.models import LedgerEntry
from programs.services import ledger_record_rows


def _summary(e) -> str:
    return f"/engagements/{e.pk}/summary/"


def test_a_sponsor_viewing_the_summary_is_one_entry_the_leader_reads(cast, client_for):
    e = cast.lee_engagement

    client_for("sam").get(_summary(e))

    (entry,) = LedgerEntry.objects.filter(engagement=e)
    assert (entry.viewer_id, entry.viewer_role, entry.what) == (cast.sam.pk, "sponsor", LedgerEntry.What.SUMMARY_VIEW)
    page = client_for("lee").get(f"/engagements/{e.pk}/").content.decode()
    assert "Sam Sato" in page and "Viewed the progress summary" in page
    assert "Sam Sato" in client_for("lee").get(f"/engagements/{e.pk}/ledger/").content.decode()


def test_downloading_the_pdf_is_recorded_as_an_export(cast, client_for):
    e = cast.lee_engagement

    response = client_for("sol").get(f"/engagements/{e.pk}/summary.pdf")

    assert response.status_code == 200
    assert list(LedgerEntry.objects.filter(engagement=e).values_list("viewer_id", "what")) == [
        (cast.sol.pk, LedgerEntry.What.SUMMARY_PDF)
    ]


def test_the_leaders_own_views_are_not_recorded_as_someone_looking(cast, client_for):
    e = cast.lee_engagement
    client = client_for("lee")

    client.get(_summary(e))
    client.get(f"/engagements/{e.pk}/summary.pdf")

    assert not LedgerEntry.objects.filter(engagement=e).exists()


def test_the_coachs_look_is_recorded_too(cast, client_for):
    client_for("ada").get(_summary(cast.lee_engagement))

    assert list(LedgerEntry.objects.values_list("viewer_role", flat=True)) == ["coach"]


def test_a_refused_look_records_nothing(cast, client_for):
    assert client_for("sue").get(_summary(cast.lee_engagement)).status_code == 404

    assert not LedgerEntry.objects.exists()


def test_the_ledger_page_opens_for_coach_and_leader_only(cast, client_for):
    path = f"/engagements/{cast.lee_engagement.pk}/ledger/"
    assert client_for("ada").get(path).status_code == 200
    for person in ("sam", "pia", "rex", "ben", "liv"):
        assert client_for(person).get(path).status_code == 404, person


def test_the_program_pages_record_their_rows_in_one_statement_even_when_there_are_none(cast, django_assert_num_queries):
    e = cast.lee_engagement
    before = timezone.now()
    pairs = [(e.pk, e.leader_id), (cast.liv_engagement.pk, cast.pia.pk)]

    record = {"viewer": cast.pia, "viewer_role": "program_manager", "what": "program_csv", "program": cast.program}

    with django_assert_num_queries(1):
        assert ledger_record_rows(**record, engagements=[]) == 0
    with django_assert_num_queries(1):
        recorded = ledger_record_rows(**record, engagements=pairs)

    (entry,) = LedgerEntry.objects.all()  # a row whose leader is the viewer is not recorded
    assert recorded == 1
    facts = (entry.engagement_id, entry.viewer_id, entry.viewer_name, entry.viewer_role, entry.what, entry.program_id)
    assert facts == (
        e.pk,
        cast.pia.pk,
        cast.pia.get_full_name(),
        "program_manager",
        LedgerEntry.What.PROGRAM_EXPORT_CSV,
        cast.program.pk,
    )
    assert before <= entry.at <= timezone.now()
