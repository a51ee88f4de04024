"""The program report: the program dashboard's figures as a CSV or a PDF, built by the exports worker.

The report is read from `selectors.program_dashboard`, the dashboard's own selector, so it carries
exactly the dashboard's figures under the same suppression rule: a figure the dashboard hides is
written as "suppressed" with the reason, never as a number, and a program with fewer than
`MIN_LEADERS` enrolled leaders has no figures at all. Per-leader rows are the dashboard's released
rows, with the columns the dashboard shows. Asking happens on the dashboard (`views.report_export`);
building, the progress bar, the e-mailed link that expires and the download for its owner only are
the exports app's (`exports.services`). Every built report writes one ledger entry per leader whose
row is in it (`record_in_ledger`).

Queries of `report_for` (fixed, however many engagements): the owner's right to the program, then
the dashboard's queries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coaching.pdf import html_to_pdf
from exports.render import _cell

from . import selectors, services
from .models import MIN_LEADERS, LedgerEntry, Program

LEDGER_WHAT = {"csv": LedgerEntry.What.PROGRAM_EXPORT_CSV, "pdf": LedgerEntry.What.PROGRAM_EXPORT_PDF}


def may_export(*, user, program: Program) -> bool:
    """Whoever may open the program's dashboard may take its report: its program managers (one query)."""
    return Program.objects.managed_by(user).filter(pk=program.pk).exists()


def _reason() -> str:
    return _("suppressed: about fewer than %(n)s leaders") % {"n": MIN_LEADERS}


def _figure(label: str, value, *, suppressible: bool = False, note: str = "") -> dict:
    """One figure; `value` None on a suppressible figure means the dashboard hides it."""
    hidden = suppressible and value is None
    return {"label": str(label), "value": None if hidden else value, "suppressed": hidden, "note": note}


def _percent(value: int | None) -> str:
    return f"{value}%" if value is not None else "–"


def _local_date(value: datetime | None, zone) -> date | None:
    return timezone.localtime(value, zone).date() if value else None


def report_for(*, export, progress: Callable[[int], None] = lambda p: None) -> dict:
    """The report of `export.program` as its owner may read it now; PermissionDenied once they no
    longer manage the program."""
    owner, program = export.owner, export.program
    if not may_export(user=owner, program=program):
        raise PermissionDenied("The person no longer manages this program.")
    progress(20)
    d = selectors.program_dashboard(program=program)
    progress(60)
    return report_from(d, time_zone=owner.tz)


def report_from(d: selectors.Dashboard, *, time_zone) -> dict:
    """The dashboard `d` as sections of figures and released rows, in words of the current language."""
    n = MIN_LEADERS
    sections: list[dict] = []
    if not d.shows_figures:
        sections.append(
            {
                "title": _("Enrolment"),
                "figures": [
                    _figure(
                        _("All program figures"),
                        None,
                        suppressible=True,
                        note=_("This program has fewer than %(n)s enrolled leaders, so it shows no figures yet.")
                        % {"n": n},
                    )
                ],
            }
        )
    else:
        weeks = d.program.stalled_after_weeks
        sections += [
            {
                "title": _("Enrolment"),
                "figures": [
                    _figure(_("Leaders enrolled"), d.leaders),
                    _figure(_("Invited, not started"), d.invited, suppressible=True),
                ],
            },
            {
                "title": _("Utilisation"),
                "figures": [
                    _figure(_("Utilisation"), _percent(d.utilisation)),
                    _figure(_("Sessions held"), d.held),
                    _figure(_("Sessions planned"), d.planned),
                ],
            },
            {
                "title": _("Attendance"),
                "figures": [
                    _figure(_("No-shows"), d.no_shows),
                    _figure(_("Late cancellations"), d.late_cancels),
                    _figure(_("Leaders with a no-show"), d.leaders_with_no_show, suppressible=True),
                ],
            },
            {
                "title": _("Stalled"),
                "figures": [
                    _figure(
                        _("Engagements stalled"),
                        d.stalled,
                        suppressible=True,
                        note=ngettext(
                            "No session in %(weeks)s week and none booked",
                            "No session in %(weeks)s weeks and none booked",
                            weeks,
                        )
                        % {"weeks": weeks},
                    )
                ],
            },
            {
                "title": _("Engagements by status"),
                "figures": [_figure(c.label, c.value, suppressible=True) for c in d.status_cells],
            },
            {
                "title": _("Fieldwork"),
                "figures": [
                    _figure(_("Practice commitments agreed"), d.commitments),
                    _figure(_("Attempts logged"), d.logs),
                    _figure(_("Completion rate of reviewed commitments"), _percent(d.completion_rate)),
                    _figure(_("Leaders who logged practice"), d.leaders_practising, suppressible=True),
                ],
            },
            {
                "title": _("Goal themes"),
                "note": _("How many leaders work on a goal in each theme. Goals themselves are not shown."),
                "figures": [_figure(c.label, c.value, suppressible=True) for c in d.theme_cells],
            },
            {
                "title": _("Stakeholder feedback, change per round"),
                "note": _("No pair of closed rounds has results for %(n)s or more leaders yet.") % {"n": n}
                if not d.change_rows
                else _("Leaders by how their stakeholders' average net score (from -3 to +3) moved between rounds."),
                "figures": [
                    _figure(f"{row.label}: {c.label}", c.value, suppressible=True)
                    for row in d.change_rows
                    for c in row.cells
                ],
            },
        ]
    rows = [
        {
            "leader": r.leader_name,
            "status": r.status_label,
            "held": r.held,
            "planned": r.planned_sessions,
            "last_session": _local_date(r.last_session_at, time_zone),
            "next_session": _local_date(r.next_session_at, time_zone),
            "no_shows": r.no_shows,
            "late_cancels": r.late_cancels,
            "logs": r.logs,
            "completion": _percent(r.completion_rate),
        }
        for r in d.rows
    ]
    return {
        "program": d.program.name,
        "organisation": d.program.organisation.name,
        "start_date": d.program.start_date,
        "end_date": d.program.end_date,
        "generated_at": timezone.localtime(d.generated_at, time_zone),
        "min_leaders": n,
        "shows_figures": d.shows_figures,
        "any_suppressed": d.any_suppressed,
        "sections": sections,
        "rows": rows,
        "not_released": d.not_released,
        "exported": [(r.engagement_id, r.leader_id) for r in d.rows],
    }


def row_columns() -> list[tuple[str, str]]:
    return [
        ("leader", _("Leader")),
        ("status", _("Status")),
        ("held", _("Sessions held")),
        ("planned", _("Sessions planned")),
        ("last_session", _("Last session")),
        ("next_session", _("Next session")),
        ("no_shows", _("No-shows")),
        ("late_cancels", _("Late cancellations")),
        ("logs", _("Attempts logged")),
        ("completion", _("Completion")),
    ]


def as_csv(report: dict) -> bytes:
    """One sheet: the program's facts, its figures (section, figure, value, note), then the released rows.

    UTF-8 with a byte order mark, so spreadsheet programs read the accents; every cell that a
    spreadsheet would run as a formula starts with an apostrophe (`exports.render._cell`).
    """
    buffer = io.StringIO()
    out = csv.writer(buffer)

    def write(*cells) -> None:
        out.writerow([_cell(c.isoformat() if isinstance(c, date) else c) for c in cells])

    write(_("Program report"), report["program"])
    write(_("Organisation"), report["organisation"])
    write(_("Program dates"), report["start_date"], report["end_date"])
    write(_("Generated at"), report["generated_at"].strftime("%Y-%m-%d %H:%M %Z"))
    write(
        _("Privacy"),
        _("Counts and plain facts only. No figure about fewer than %(n)s leaders is shown.")
        % {"n": report["min_leaders"]},
    )
    write()
    write(_("Section"), _("Figure"), _("Value"), _("Note"))
    for section in report["sections"]:
        if not section["figures"] and section.get("note"):
            write(section["title"], "", "", section["note"])
        for f in section["figures"]:
            value = _("suppressed") if f["suppressed"] else f["value"]
            note = _reason() if f["suppressed"] else ""
            write(section["title"], f["label"], value, "; ".join(x for x in (note, f["note"]) if x))
    write()
    write(_("Leaders who share their progress"))
    columns = row_columns()
    write(*(label for _key, label in columns))
    for row in report["rows"]:
        write(*(row[key] if row[key] is not None else "" for key, _label in columns))
    write(
        ngettext(
            "%(count)s leader has not shared their row.",
            "%(count)s leaders have not shared their row.",
            report["not_released"],
        )
        % {"count": report["not_released"]}
    )
    return buffer.getvalue().encode("utf-8-sig")


def as_pdf(report: dict) -> bytes:
    html = render_to_string("programs/report_print.html", {"report": report, "columns": row_columns()})
    return html_to_pdf(html)


def render(report: dict, *, export_format: str) -> bytes:
    return as_csv(report) if export_format == "csv" else as_pdf(report)


def record_in_ledger(*, export, report: dict) -> int:
    """One ledger entry (who, when, which format) per leader whose row is in the report (one insert)."""
    return services.ledger_record_rows(
        viewer=export.owner,
        viewer_role="program_manager",
        what=LEDGER_WHAT[export.format],
        engagements=report["exported"],
        program=export.program,
    )
