"""Client organisations, programs, the program dashboard and its report, a leader's row and the ledger:
the `programs` app."""

from exports import services as export_services
from exports.models import Export

from .base import ALLOWED, FORBIDDEN, LOGIN, SIGNED_IN, UrlCase


def _program_report(cast) -> tuple[Export, str]:
    """Pia's report of the program as a PDF: its page and its download link. Built when the current
    test has none (each test's writes are rolled back)."""
    export = Export.objects.filter(owner=cast.pia, program=cast.program, status=Export.Status.READY).first()
    if export is None:
        export = export_services.export_request(
            owner=cast.pia, kind=Export.Kind.PROGRAM, export_format="pdf", program=cast.program
        )
        export_services.export_build(export_id=export.pk)
        export.refresh_from_db()
    return export, export_services.export_token(export=export)


def cases(cast) -> list[UrlCase]:
    program = cast.program
    acme = program.organisation
    e = cast.lee_engagement
    secrets = tuple(cast.secrets.values())
    report, report_token = _program_report(cast)
    # Coaches and the practice admin of Northbridge run its client organisations and programs.
    runners = {"coach": ALLOWED, "other_coach": ALLOWED, "practice_admin": ALLOWED}
    return [
        UrlCase(
            "programs:list",
            "/programs/",
            expect={**dict.fromkeys(SIGNED_IN, FORBIDDEN), **runners, "program_manager": ALLOWED},
            must_not_contain=secrets,
        ),
        UrlCase("programs:organisation", f"/programs/organisations/{acme.pk}/", expect=runners),
        UrlCase(
            "programs:dashboard",
            f"/programs/{program.pk}/",
            expect={"program_manager": ALLOWED},
            must_not_contain=secrets,
        ),
        UrlCase(
            "programs:report",
            f"/programs/{program.pk}/report/",
            method="POST",
            data={"format": "csv"},
            expect={"program_manager": ALLOWED},
            must_not_contain=secrets,
        ),
        # The report is built and downloaded through the exports app: for the manager who asked only.
        UrlCase("exports:detail", f"/exports/{report.pk}/", expect={"program_manager": ALLOWED}, htmx=True),
        UrlCase(
            "exports:download",
            f"/exports/download/{report_token}/",
            expect={"program_manager": ALLOWED, "anonymous": LOGIN},
            must_not_contain=secrets,
        ),
        UrlCase("programs:manage", f"/programs/{program.pk}/manage/", expect=runners, must_not_contain=secrets),
        UrlCase(
            "programs:manager_invite",
            f"/programs/{program.pk}/managers/",
            method="POST",
            data={"manager-full_name": "Max Mertens", "manager-email": "max@example.com"},
            expect=runners,
        ),
        UrlCase(
            "programs:manager_remove",
            f"/programs/{program.pk}/managers/{cast.pia.pk}/remove/",
            method="POST",
            expect=runners,
        ),
        UrlCase(
            "programs:engagements",
            f"/programs/{program.pk}/engagements/",
            method="POST",
            data={},  # nothing ticked: the coach takes their engagements out (ids of others: tests/programs)
            expect={"coach": ALLOWED, "other_coach": ALLOWED, "practice_admin": FORBIDDEN},
        ),
        UrlCase(
            "programs:row_release",
            f"/engagements/{e.pk}/program-row/",
            method="POST",
            data={"action": "withdraw"},
            expect={"leader": ALLOWED},
        ),
        UrlCase("programs:ledger", f"/engagements/{e.pk}/ledger/", expect={"coach": ALLOWED, "leader": ALLOWED}),
    ]
