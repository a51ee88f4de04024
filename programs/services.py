"""Writes for client organisations, programs, program managers, released rows and the ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, F, IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.limits import check_plausible
from accounts.models import Invitation, User
from accounts.services import invitation_create, user_get_or_invite_target
from engagements.models import Engagement

from .models import ClientOrganisation, LedgerEntry, Program, RowRelease


def _require_runner(user: User) -> None:
    if not (user.is_active and user.practice_id and (user.is_coach or user.is_practice_admin)):
        raise PermissionDenied(_("Only coaches and the practice admin manage client organisations."))


def organisation_create(*, by: User, name: str) -> ClientOrganisation:
    """A client organisation of `by`'s practice."""
    _require_runner(by)
    name = name.strip()
    if ClientOrganisation.objects.filter(practice_id=by.practice_id, name__iexact=name).exists():
        raise ValidationError({"name": _("Your practice already has a client organisation with that name.")})
    organisation = ClientOrganisation(practice_id=by.practice_id, name=name)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_rename(*, organisation: ClientOrganisation, name: str) -> ClientOrganisation:
    """Renames the organisation and the display name its engagements carry."""
    name = name.strip()
    clash = ClientOrganisation.objects.filter(practice_id=organisation.practice_id, name__iexact=name)
    if clash.exclude(pk=organisation.pk).exists():
        raise ValidationError({"name": _("Your practice already has a client organisation with that name.")})
    organisation.name = name
    organisation.full_clean()
    organisation.save(update_fields=["name"])
    Engagement.objects.filter(client=organisation).update(organisation=name)
    return organisation


def program_save(
    *,
    organisation: ClientOrganisation,
    name: str,
    start_date: date,
    end_date: date,
    planned_sessions: int,
    stalled_after_weeks: int,
    program: Program | None = None,
) -> Program:
    """Creates or edits a program (a cohort) of `organisation`."""
    check_plausible(start_date, field="start_date")
    check_plausible(end_date, field="end_date")
    if end_date <= start_date:
        raise ValidationError({"end_date": _("A program ends after it starts.")})
    program = program or Program(organisation=organisation)
    name = name.strip()
    if Program.objects.filter(organisation=organisation, name__iexact=name).exclude(pk=program.pk).exists():
        raise ValidationError({"name": _("This organisation already has a program with that name.")})
    program.name = name
    program.start_date = start_date
    program.end_date = end_date
    program.planned_sessions = planned_sessions
    program.stalled_after_weeks = stalled_after_weeks
    program.full_clean()
    program.save()
    return program


def program_set_engagements(*, program: Program, coach: User, engagement_ids: Iterable[int]) -> int:
    """Puts the coach's engagements with the program's organisation into the program, exactly those chosen.

    Only the coach's own engagements move; another coach's stay as they are. Returns how many are in.
    """
    mine = Engagement.objects.coached_by(coach).filter(client=program.organisation)
    wanted = set(engagement_ids)
    with transaction.atomic():
        mine.filter(program=program).exclude(pk__in=wanted).update(program=None)
        mine.filter(pk__in=wanted).update(program=program)
    return mine.filter(program=program).count()


@transaction.atomic
def program_manager_invite(*, program: Program, name: str, email: str, by: User) -> Invitation:
    """Invites a person at the client organisation to manage `program`; they see it once they accept."""
    person = user_get_or_invite_target(email=email, full_name=name)
    if person.is_coach or person.is_practice_admin or person.is_reviewer:
        raise ValidationError({"email": _("Program managers are people at the client organisation, not the practice.")})
    if program.managers.filter(pk=person.pk).exists():
        raise ValidationError({"email": _("%(email)s already manages this program.") % {"email": person.email}})
    return invitation_create(
        user=person,
        role=Invitation.Role.PROGRAM_MANAGER,
        invited_by=by,
        context=_("%(program)s program of %(organisation)s")
        % {"program": program.name, "organisation": program.organisation.name},
        program_id=program.pk,
    )


def program_manager_accepted(invitation: Invitation) -> None:
    """Registered with accounts: accepting a program manager invitation adds the person to the program."""
    if invitation.role == Invitation.Role.PROGRAM_MANAGER and invitation.program_id:
        program = Program.objects.filter(pk=invitation.program_id).first()
        if program is not None:
            program.managers.add(invitation.user_id)


def program_manager_remove(*, program: Program, manager: User) -> None:
    """Takes `manager` off the program and revokes any invitation still open."""
    program.managers.remove(manager)
    Invitation.objects.filter(
        user=manager,
        role=Invitation.Role.PROGRAM_MANAGER,
        program_id=program.pk,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())


def row_release(*, engagement: Engagement, leader: User) -> RowRelease:
    """The leader lets their row appear on the program dashboard. Only the leader decides."""
    if engagement.leader_id != leader.pk or engagement.awaiting_leader:
        raise PermissionDenied(_("Only the leader releases their own row."))
    release, _created = RowRelease.objects.get_or_create(engagement=engagement, defaults={"released_by": leader})
    return release


def row_withdraw(*, engagement: Engagement, leader: User) -> None:
    if engagement.leader_id != leader.pk:
        raise PermissionDenied(_("Only the leader withdraws their own row."))
    RowRelease.objects.filter(engagement=engagement).delete()


def ledger_record(
    *,
    viewer: User,
    viewer_role: str,
    what: str,
    engagements: Iterable[tuple[int, int]],
    program: Program | None = None,
) -> int:
    """Records one look (who, when, what) at each engagement's data, in one insert; no query at all
    when there is nothing to record (a leader looking at their own summary).

    `engagements` holds (engagement id, leader id) pairs; the leader's own looks are not recorded.
    """
    others = [(engagement_id, leader_id) for engagement_id, leader_id in engagements if leader_id != viewer.pk]
    if not others:
        return 0
    return ledger_record_rows(viewer=viewer, viewer_role=viewer_role, what=what, engagements=others, program=program)


def ledger_record_rows(
    *,
    viewer: User,
    viewer_role: str,
    what: str,
    engagements: Iterable[tuple[int, int]],
    program: Program | None = None,
) -> int:
    """`ledger_record` as exactly one statement, also when there is nothing to record.

    For pages and reports whose query count must not depend on the data (the program dashboard and
    its report): an `INSERT ... SELECT` over the engagements, which inserts no row when none is given.
    """
    ids = sorted({engagement_id for engagement_id, leader_id in engagements if leader_id != viewer.pk})
    columns = {
        "engagement": F("pk"),
        "viewer": Value(viewer.pk, output_field=IntegerField()),
        "viewer_name": Value(viewer.get_full_name()[:150], output_field=CharField()),
        "viewer_role": Value(viewer_role, output_field=CharField()),
        "what": Value(what, output_field=CharField()),
        "program": Value(program.pk if program else None, output_field=IntegerField()),
        "at": Value(timezone.now(), output_field=DateTimeField()),
    }
    # Every column is an annotation, selected in the order of `columns`; an empty list matches no row.
    rows = Engagement.objects.filter(pk__in=ids) if ids else Engagement.objects.filter(pk__isnull=True)
    select, params = (
        rows.order_by()
        .annotate(**{f"ledger_{name}": value for name, value in columns.items()})
        .values_list(*(f"ledger_{name}" for name in columns))
        .query.sql_with_params()
    )
    quote = connection.ops.quote_name
    names = ", ".join(quote(LedgerEntry._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(LedgerEntry._meta.db_table)} ({names}) {select}", params)  # noqa: S608
        return cursor.rowcount
