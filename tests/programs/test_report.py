"""The program report as CSV and PDF: the dashboard's figures under the same fewer-than-3 rule, released
rows only, one ledger entry per exported leader, and the exports app's private link that expires."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from exports import services as export_services
from exports.models import Export
from notifications.models import Kind, Notification
from notifications.services import notification_deliver
from programs import report
from programs.models import LedgerEntry
from programs.selectors import program_dashboard
from tests.factories import CoachFactory, ProgramFactory, UserFactory
from tests.programs.helpers import cohort

SUPPRESSED = "suppressed"
REASON = "suppressed: about fewer than 3 leaders"


@pytest.fixture
def program(cast):
    return ProgramFactory(organisation=cast.program.organisation, name="Acme cohort B", managers=[cast.pia])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask(client, program, export_format: str, capture) -> Export:
    with capture(execute=True):
        response = client.post(f"/programs/{program.pk}/report/", {"format": export_format})
    export = Export.objects.filter(program=program).latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/exports/{export.pk}/"
    return export


def _request(owner, program, export_format: str) -> Export:
    return export_services.export_request(
        owner=owner, kind=Export.Kind.PROGRAM, export_format=export_format, program=program
    )


def _built(owner, program, export_format: str) -> Export:
    export = _request(owner, program, export_format)
    assert export_services.export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    return export


def _rows(export: Export) -> list[list[str]]:
    content = bytes(export.content)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _figures(rows: list[list[str]]) -> dict[tuple[str, str], list[str]]:
    """(section, figure) -> [value, note] of the figures table."""
    start = rows.index(["Section", "Figure", "Value", "Note"]) + 1
    end = rows.index([], start)
    return {(r[0], r[1]): r[2:] for r in rows[start:end]}


def _pdf_text(export: Export) -> str:
    pdftotext = shutil.which("pdftotext")
    result = subprocess.run([pdftotext, "-", "-"], input=bytes(export.content), capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def test_two_leaders_give_a_csv_with_no_figure_at_all(cast, program):
    cohort(program, 2, coach=cast.ada)

    figures = _figures(_rows(_built(cast.pia, program, "csv")))

    assert list(figures) == [("Enrolment", "All program figures")]
    value, note = figures[("Enrolment", "All program figures")]
    assert value == SUPPRESSED and note.startswith(REASON)
    assert "fewer than 3 enrolled leaders" in note
    body = bytes(Export.objects.get(program=program).content).decode("utf-8-sig")
    assert "Delegation" not in body and "Rose by more than 0.25" not in body and "Leaders enrolled" not in body


def test_two_leaders_give_a_pdf_with_no_theme_or_distribution_figures(cast, program):
    cohort(program, 2, coach=cast.ada)

    text = _pdf_text(_built(cast.pia, program, "pdf"))

    assert "Acme cohort B" in text and REASON in text
    assert "fewer than 3 enrolled leaders" in text
    assert "Delegation" not in text and "Rose by more than 0.25" not in text and "Leaders enrolled" not in text


def test_the_csv_carries_the_dashboards_figures_and_writes_hidden_ones_as_suppressed(cast, program):
    engagements = cohort(program, 4, coach=cast.ada, release=1)
    engagements[0].status = "paused"
    engagements[0].save(update_fields=["status"])
    d = program_dashboard(program=program)

    rows = _rows(_built(cast.pia, program, "csv"))
    figures = _figures(rows)

    assert rows[0] == ["Program report", "Acme cohort B"]
    assert figures[("Enrolment", "Leaders enrolled")][0] == "4" == str(d.leaders)
    assert figures[("Utilisation", "Sessions held")][0] == str(d.held) == "4"
    assert figures[("Utilisation", "Sessions planned")][0] == str(d.planned)
    assert figures[("Attendance", "No-shows")][0] == str(d.no_shows)
    assert figures[("Attendance", "Leaders with a no-show")][0] == "4"
    assert figures[("Goal themes", "Delegation")][0] == "4"
    assert (
        figures[("Stakeholder feedback, change per round", "Round 2 against round 1: Rose by more than 0.25")][0] == "4"
    )
    # One paused leader: the dashboard hides the paused count and the active count that would give it away.
    for status in ("Paused", "Active"):
        assert figures[("Engagements by status", status)] == [SUPPRESSED, REASON]
    shown = {c.label: c.value for c in d.status_cells}
    for label, value in shown.items():
        cell = figures[("Engagements by status", str(label))][0]
        assert cell == (SUPPRESSED if value is None else str(value))
    # Every figure is a number, a percentage, a dash or "suppressed": never a hidden number.
    assert all(v[0] == SUPPRESSED or v[0].rstrip("%").isdigit() or v[0] == "–" for v in figures.values())


def test_the_csv_and_pdf_hold_only_released_rows_with_the_dashboards_columns(cast, program):
    engagements = cohort(program, 3, coach=cast.ada, release=1)

    rows = _rows(_built(cast.pia, program, "csv"))
    text = _pdf_text(_built(cast.pia, program, "pdf"))

    header = rows.index(["Leaders who share their progress"]) + 1
    assert rows[header][:3] == ["Leader", "Status", "Sessions held"]
    assert rows[header + 1][:4] == [str(engagements[0].leader), "Active", "1", str(engagements[0].planned_sessions)]
    assert rows[header + 2] == ["2 leaders have not shared their row."]
    for other in engagements[1:]:
        assert str(other.leader) not in str(rows) and str(other.leader) not in text
    assert str(engagements[0].leader) in text and "2 leaders have not shared theirs" in text


def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe(cast, program):
    engagements = cohort(program, 3, coach=cast.ada, release=1, rounds=False)
    leader = engagements[0].leader
    leader.full_name = '=HYPERLINK("https://evil.example","Ünïcode")'
    leader.save(update_fields=["full_name"])

    rows = _rows(_built(cast.pia, program, "csv"))

    assert ["'" + leader.full_name] == [r[0] for r in rows if r and "HYPERLINK" in r[0]]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(("export_format", "what"), [("csv", "program_csv"), ("pdf", "program_pdf")])
def test_each_export_is_one_ledger_entry_per_leader_whose_row_is_in_it(
    cast, client_for, program, django_capture_on_commit_callbacks, export_format, what
):
    engagements = cohort(program, 4, coach=cast.ada, release=2, rounds=False)

    export = _ask(client_for("pia"), program, export_format, django_capture_on_commit_callbacks)

    assert export.status == Export.Status.READY and export.progress == 100
    entries = LedgerEntry.objects.filter(what=what, program=program)
    assert sorted(entries.values_list("engagement_id", flat=True)) == sorted(e.pk for e in engagements[:2])
    assert set(entries.values_list("viewer_id", "viewer_role", "viewer_name")) == {
        (cast.pia.pk, "program_manager", "Pia Pereira")
    }
    # The leader reads it on their ledger page.
    page = _client(engagements[0].leader).get(f"/engagements/{engagements[0].pk}/ledger/")
    label = "Exported the program report as CSV" if export_format == "csv" else "Exported the program report as PDF"
    assert label in page.content.decode()


def test_the_report_arrives_by_email_and_downloads_for_the_manager_who_asked(
    cast, client_for, program, django_capture_on_commit_callbacks
):
    cohort(program, 3, coach=cast.ada, rounds=False)
    pia = client_for("pia")
    export = _ask(pia, program, "csv", django_capture_on_commit_callbacks)

    pending = Notification.objects.filter(kind=Kind.EXPORT_READY, status=Notification.Status.PENDING)
    for pk in pending.values_list("pk", flat=True):
        notification_deliver(notification_id=pk)
    message = mail.outbox[-1]
    assert message.to == ["pia@example.com"] and message.subject == "Your program report is ready"
    path = export_services.export_path(export=export)
    assert path in message.body

    download = pia.get(path)
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    assert export.filename.startswith("program-report-acme-cohort-b-") and export.filename.endswith(".csv")
    assert download["Cache-Control"] == "no-store"


def test_another_person_cannot_download_the_report_even_another_manager(cast, client_for, program):
    other_manager = UserFactory(full_name="Otto Other")
    program.managers.add(other_manager)
    cohort(program, 3, coach=cast.ada, release=3, rounds=False)
    export = _built(cast.pia, program, "pdf")
    path = export_services.export_path(export=export)

    for person in (other_manager, cast.ada, cast.sam, cast.pam, cast.lee):
        assert _client(person).get(path).status_code == 404
        assert _client(person).get(f"/exports/{export.pk}/").status_code == 404
    assert client_for("pia").get(path).status_code == 200


def test_an_expired_report_link_is_refused_and_the_file_is_dropped(cast, client_for, program):
    cohort(program, 3, coach=cast.ada, rounds=False)
    export = _built(cast.pia, program, "csv")
    path = export_services.export_path(export=export)

    with time_machine.travel(export.expires_at + timedelta(seconds=1)):
        response = client_for("pia").get(path)
        assert response.status_code == 410 and "This download link has expired" in response.content.decode()
        export_services.exports_purge_expired()
        page = client_for("pia").get(f"/exports/{export.pk}/").content.decode()
        assert "This export's link has expired" in page and f'href="/programs/{program.pk}/"' in page
    export.refresh_from_db()
    assert export.content is None


def test_only_the_programs_managers_may_ask_for_its_report(cast, client_for, program):
    cohort(program, 3, coach=cast.ada, rounds=False)
    other = ProgramFactory(organisation=cast.program.organisation, name="Someone else's cohort")

    assert client_for("pia").post(f"/programs/{other.pk}/report/", {"format": "csv"}).status_code == 404
    for person in ("ada", "sam", "lee", "pam"):
        assert client_for(person).post(f"/programs/{program.pk}/report/", {"format": "csv"}).status_code == 404
    assert not Export.objects.filter(kind=Export.Kind.PROGRAM).exists()
    with pytest.raises(export_services.PermissionDenied):
        export_services.export_request(owner=cast.ada, kind=Export.Kind.PROGRAM, export_format="csv", program=program)
    with pytest.raises(export_services.PermissionDenied):
        export_services.export_request(owner=cast.pia, kind=Export.Kind.PROGRAM, export_format="json", program=program)


def test_an_unknown_format_is_refused_with_a_message_and_no_export(cast, client_for, program):
    response = client_for("pia").post(f"/programs/{program.pk}/report/", {"format": "xlsx"}, follow=True)

    assert response.status_code == 200
    assert "Choose the report as a CSV file or as a PDF." in response.content.decode()
    assert not Export.objects.filter(kind=Export.Kind.PROGRAM).exists()


def test_a_manager_taken_off_the_program_before_the_build_gets_nothing(cast, program):
    cohort(program, 3, coach=cast.ada, release=3, rounds=False)
    export = _request(cast.pia, program, "csv")
    program.managers.remove(cast.pia)

    assert export_services.export_build(export_id=export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and export.content is None
    assert not LedgerEntry.objects.filter(program=program).exists()


def test_the_build_reports_progress_and_its_page_follows_it_without_javascript(cast, client_for, program):
    cohort(program, 3, coach=cast.ada, rounds=False)
    export = _request(cast.pia, program, "pdf")
    seen: list[int] = []

    report.report_for(export=export, progress=seen.append)
    assert seen == sorted(seen) and 0 < seen[0] and seen[-1] < 100

    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=40)
    page = client_for("pia").get(f"/exports/{export.pk}/").content.decode()
    assert 'value="40"' in page and "40% done" in page
    assert f'href="/exports/{export.pk}/"' in page  # the Refresh link for a browser without JavaScript
    assert f'data-hx-get="/exports/{export.pk}/"' in page

    Export.objects.filter(pk=export.pk).update(status=Export.Status.PENDING, progress=0)
    assert export_services.export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    assert export.progress == 100 and export.size > 0


def test_asking_twice_gives_one_report_per_program_and_format(cast, program):
    second = ProgramFactory(organisation=cast.program.organisation, name="Acme cohort C", managers=[cast.pia])
    ask = export_services.export_request
    first = ask(owner=cast.pia, kind=Export.Kind.PROGRAM, export_format="csv", program=program)

    assert ask(owner=cast.pia, kind=Export.Kind.PROGRAM, export_format="csv", program=program) == first
    assert ask(owner=cast.pia, kind=Export.Kind.PROGRAM, export_format="pdf", program=program) != first
    assert ask(owner=cast.pia, kind=Export.Kind.PROGRAM, export_format="csv", program=second) != first


@pytest.mark.parametrize(("size", "release", "rounds"), [(2, 0, False), (3, 2, True), (9, 2, True)])
def test_building_the_report_runs_the_same_queries_whatever_the_size(
    cast, program, size, release, rounds, django_assert_num_queries
):
    cohort(program, size, coach=CoachFactory(practice=cast.practice), release=release, rounds=rounds)
    export = _request(cast.pia, program, "csv")
    # Purge of expired files; the claim; the export with owner and program; the manager's right;
    # progress; the dashboard's engagements, session figures, fieldwork counts, goals, rounds and
    # scores; progress; savepoint; the ready update; the ledger insert (also when no row is in it);
    # the e-mail owed (lookup, insert, read back); release.
    with django_assert_num_queries(19):
        assert export_services.export_build(export_id=export.pk) == "ready"


def test_the_dashboard_offers_the_report_in_both_formats(cast, client_for, program):
    body = client_for("pia").get(f"/programs/{program.pk}/").content.decode()

    assert f'action="/programs/{program.pk}/report/"' in body
    assert 'value="csv"' in body and 'value="pdf"' in body


def test_a_ready_report_expires_after_the_configured_days(cast, program, settings):
    cohort(program, 3, coach=cast.ada, rounds=False)
    export = _built(cast.pia, program, "csv")

    assert export.expires_at == export.finished_at + timedelta(days=settings.EXPORT_LINK_DAYS)
    assert export.expires_at > timezone.now()
