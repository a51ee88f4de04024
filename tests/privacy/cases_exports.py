"""Exports: the exports page, asking for one, its progress page and the private download link."""

from exports import services
from exports.models import Export

from .base import ALLOWED, FORBIDDEN, LOGIN, SIGNED_IN, UrlCase


def _lee_export(cast) -> tuple[Export, str]:
    """Lee's record as JSON: its page and its download link. Built when the current test has none
    (each test's writes are rolled back, so a row kept from an earlier test would be gone)."""
    export = Export.objects.filter(owner=cast.lee, status=Export.Status.READY).first()
    if export is None:
        export = services.export_request(owner=cast.lee, kind="leader_record", export_format="json")
        services.export_build(export_id=export.pk)
        export.refresh_from_db()
    return export, services.export_token(export=export)


def cases(cast) -> list[UrlCase]:
    export, token = _lee_export(cast)
    secrets = tuple(cast.secrets.values())
    everyone = dict.fromkeys(SIGNED_IN, ALLOWED)
    # Anyone signed in may ask, but only for an export of their own data: the coach asking for a
    # leader's record, or a sponsor for anything, is refused.
    ask = {person: FORBIDDEN for person in SIGNED_IN} | {"leader": ALLOWED, "other_leader": ALLOWED}
    return [
        UrlCase("exports:list", "/exports/", expect=everyone),
        UrlCase(
            "exports:new",
            "/exports/new/",
            method="POST",
            data={"kind": "leader_record", "format": "json"},
            expect=ask,
            must_not_contain=secrets,
        ),
        UrlCase("exports:detail", f"/exports/{export.pk}/", expect={"leader": ALLOWED}, htmx=True),
        UrlCase(
            "exports:download",
            f"/exports/download/{token}/",
            expect={"leader": ALLOWED, "anonymous": LOGIN},
            must_not_contain=secrets,
        ),
    ]
