"""Writes of exports: asking for one, building it in a worker, and dropping files whose link expired."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.languages import language_for_user
from accounts.models import User
from accounts.tokens import derive_token, hash_token, token_for_hash
from engagements.models import Engagement
from notifications.models import Kind
from notifications.services import notification_owe_now

from . import records, render
from .models import Export

logger = logging.getLogger(__name__)

LINK_SALT = "exports.download"

#: The formats of a program report (kind `program`), asked for from the program's dashboard.
PROGRAM_FORMATS = (Export.Format.CSV, Export.Format.PDF)


def kinds_for(user: User) -> list[tuple[str, str]]:
    """The (kind, format) pairs `user` may ask for: a leader their record, a coach their practice."""
    allowed = []
    if Engagement.objects.led_by(user).exists():
        allowed += [(Export.Kind.LEADER_RECORD, Export.Format.PDF), (Export.Kind.LEADER_RECORD, Export.Format.JSON)]
    if user.is_coach:
        allowed.append((Export.Kind.PRACTICE, Export.Format.ZIP))
    return allowed


def export_token(*, export: Export) -> str | None:
    """The download link's token, rebuilt under the current secret key or an accepted fallback."""
    return token_for_hash(token_hash=export.token_hash, salt=LINK_SALT, value=export.link_value)


def export_path(*, export: Export) -> str | None:
    """The download link's path on this site; None once the secret key that made it is gone."""
    token = export_token(export=export)
    return reverse("exports:download", args=[token]) if token else None


def export_url(*, export: Export) -> str | None:
    """The download link as e-mailed (under SITE_URL)."""
    path = export_path(export=export)
    return settings.SITE_URL + path if path else None


def _enqueue(export_id: int) -> None:
    from .tasks import build_export

    try:
        build_export.delay(export_id)
    except Exception:  # noqa: BLE001 - the broker is down: the row stays pending and can be asked for again
        logger.warning("Could not hand export %s to the broker; it stays pending.", export_id, exc_info=True)


def export_request(*, owner: User, kind: str, export_format: str, program=None, now: datetime | None = None) -> Export:
    """Records an export of `owner`'s own data (or, for a program manager, the report of a `program`
    they manage) and hands it to a worker once committed.

    Asking again while the same export is in progress returns the one in progress; one stuck longer
    than `EXPORT_STALE_MINUTES` (its worker died, the broker lost it) is failed and replaced.
    """
    if kind == Export.Kind.PROGRAM:
        from programs.report import may_export

        if program is None or export_format not in PROGRAM_FORMATS or not may_export(user=owner, program=program):
            raise PermissionDenied(_("There is no such export for you."))
    elif program is not None or (kind, export_format) not in kinds_for(owner):
        raise PermissionDenied(_("There is no such export for you."))
    now = now or timezone.now()
    current = Export.objects.filter(
        owner=owner, kind=kind, format=export_format, program=program, status__in=Export.IN_PROGRESS
    )
    stale = now - timedelta(minutes=settings.EXPORT_STALE_MINUTES)
    current.filter(created_at__lt=stale).update(
        status=Export.Status.FAILED, error=_("The export took too long and was given up."), finished_at=now
    )
    existing = current.first()
    if existing is not None:
        return existing
    nonce = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            export = Export.objects.create(
                owner=owner,
                kind=kind,
                format=export_format,
                program=program,
                link_nonce=nonce,
                token_hash=hash_token(derive_token(salt=LINK_SALT, value=f"{owner.pk}:{nonce}")),
                created_at=now,
            )
    except IntegrityError:
        # A second request raced this one: the constraint kept one, return it.
        return current.get()
    transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _filename(export: Export, now: datetime) -> str:
    name = export.program.name if export.kind == Export.Kind.PROGRAM else export.owner.get_full_name()
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "export"
    stem = {"leader_record": "coaching-record", "practice": "coaching-practice", "program": "program-report"}[
        export.kind
    ]
    return f"{stem}-{slug}-{now:%Y-%m-%d}.{export.format}"


def export_build(*, export_id: int) -> str:
    """Builds one export in a worker: claims it, fills it with progress, stores it and e-mails the link.

    The claim is a conditional update (pending -> running), so a replayed task does nothing. A failure
    is kept on the row with its reason; it never raises into the worker.
    """
    exports_purge_expired()
    if not Export.objects.filter(pk=export_id, status=Export.Status.PENDING).update(
        status=Export.Status.RUNNING, progress=5
    ):
        return "not claimed"
    export = Export.objects.select_related("owner", "program__organisation").get(pk=export_id)

    def progress(percent: int) -> None:
        Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(progress=min(95, percent))

    report = None
    try:
        # In the owner's language (the worker has none of its own): the PDF, the print pages, the README.
        with translation.override(language_for_user(export.owner)):
            if export.kind == Export.Kind.PROGRAM:
                from programs import report as program_report

                report = program_report.report_for(export=export, progress=progress)
            elif export.kind == Export.Kind.PRACTICE:
                record = records.practice_record(coach=export.owner, progress=progress)
            else:
                record = records.leader_record(leader=export.owner, progress=progress)
            now = timezone.now()
            filename = _filename(export, now)
            if report is not None:
                content = program_report.render(report, export_format=export.format)
            elif export.format == Export.Format.PDF:
                content = render.as_pdf(record)
            elif export.format == Export.Format.ZIP:
                content = render.as_zip(record, stem=filename.rsplit(".", 1)[0])
            else:
                content = render.as_json(record)
    except Exception as exc:
        logger.exception("Export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return "failed"
    with transaction.atomic():
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.READY,
            progress=100,
            content=content,
            size=len(content),
            filename=filename,
            finished_at=now,
            expires_at=now + timedelta(days=settings.EXPORT_LINK_DAYS),
        )
        if report is not None:
            program_report.record_in_ledger(export=export, report=report)
        notification_owe_now(
            kind=Kind.EXPORT_READY,
            period_key=f"export:{export_id}",
            recipient_id=export.owner_id,
            recipient_email=export.owner.email,
            time_zone=export.owner.time_zone,
            context={"export_id": export_id},
            now=now,
        )
    return "ready"


def exports_purge_expired(*, now: datetime | None = None) -> int:
    """Drops the files of exports whose link has expired; the rows stay, so their page can say so."""
    now = now or timezone.now()
    return Export.objects.filter(expires_at__lte=now, content__isnull=False).update(content=None)
