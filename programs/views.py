"""Program pages: organisations and programs (coaches, the practice admin), the program manager's
dashboard, the leader's release of their row, and the ledger of who looked."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import apply_validation_error
from accounts.models import Invitation, User
from engagements.access import get_engagement_for
from engagements.models import Engagement
from exports import services as export_services
from exports.models import Export

from . import selectors, services
from .forms import ManagerInviteForm, OrganisationForm, ProgramEngagementsForm, ProgramForm
from .models import ClientOrganisation, LedgerEntry, Program


def _is_runner(user: User) -> bool:
    return bool(user.practice_id and (user.is_coach or user.is_practice_admin))


def _program_run_by(request: HttpRequest, pk: int) -> Program:
    """A program of the signed-in coach's or practice admin's practice, with its organisation; else a 404."""
    return get_object_or_404(Program.objects.run_by(request.user).select_related("organisation"), pk=pk)


@login_required
def program_list(request: HttpRequest) -> HttpResponse:
    """Coaches and the practice admin: organisations and programs of the practice, and forms to add
    them. Program managers: the programs they manage. Anyone else: a 403."""
    user = request.user
    managed = list(Program.objects.managed_by(user).select_related("organisation"))
    runner = _is_runner(user)
    if not (runner or managed):
        raise PermissionDenied
    organisations = (
        list(ClientOrganisation.objects.run_by(user).prefetch_related("programs").order_by("name")) if runner else []
    )
    form = OrganisationForm(request.POST or None, prefix="org")
    if request.method == "POST":
        if not runner:
            raise PermissionDenied
        if form.is_valid():
            try:
                organisation = services.organisation_create(by=user, name=form.cleaned_data["name"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("%(name)s is added.") % {"name": organisation.name})
                return redirect("programs:list")
    return render(
        request,
        "programs/list.html",
        {"managed": managed, "organisations": organisations, "is_runner": runner, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename an organisation (its engagements' display name follows) and add a program to it."""
    organisation = get_object_or_404(ClientOrganisation.objects.run_by(request.user), pk=pk)
    rename = OrganisationForm(
        request.POST if "rename" in request.POST else None, prefix="org", initial={"name": organisation.name}
    )
    program_form = ProgramForm(request.POST if "add_program" in request.POST else None, prefix="program")
    if request.method == "POST":
        form = rename if "rename" in request.POST else program_form
        if form.is_valid():
            try:
                if form is rename:
                    services.organisation_rename(organisation=organisation, name=form.cleaned_data["name"])
                    messages.success(request, _("The organisation is renamed."))
                    return redirect("programs:organisation", pk=organisation.pk)
                program = services.program_save(organisation=organisation, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("The program %(name)s is created.") % {"name": program.name})
                return redirect("programs:manage", pk=program.pk)
    programs = list(organisation.programs.all())
    return render(
        request,
        "programs/organisation.html",
        {"organisation": organisation, "programs": programs, "rename": rename, "program_form": program_form},
        status=400 if (rename.errors or program_form.errors) else 200,
    )


def _manage_context(request: HttpRequest, program: Program) -> dict:
    user = request.user
    managers = list(program.managers.all())
    pending = list(
        Invitation.objects.filter(
            role=Invitation.Role.PROGRAM_MANAGER,
            program_id=program.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .exclude(user__in=managers)
        .select_related("user")
    )
    mine = list(
        Engagement.objects.coached_by(user)
        .filter(client=program.organisation)
        .select_related("leader")
        .order_by("leader__full_name", "pk")
    )
    choices = [(e.pk, f"{e.leader} ({e.get_status_display()})") for e in mine]
    return {
        "program": program,
        "managers": managers,
        "pending": pending,
        "engagement_count": Engagement.objects.filter(program=program).count(),
        "is_coach": user.is_coach,
        "choices": choices,
        "initial_engagements": [e.pk for e in mine if e.program_id == program.pk],
    }


@login_required
def program_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """Coaches and the practice admin: edit the program, its managers and (coaches) its engagements."""
    program = _program_run_by(request, pk)
    form = ProgramForm(
        request.POST or None,
        prefix="program",
        initial={
            "name": program.name,
            "start_date": program.start_date,
            "end_date": program.end_date,
            "planned_sessions": program.planned_sessions,
            "stalled_after_weeks": program.stalled_after_weeks,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.program_save(organisation=program.organisation, program=program, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The program is saved."))
            return redirect("programs:manage", pk=program.pk)
    return _render_manage(request, program, form=form)


def _render_manage(request: HttpRequest, program: Program, *, form=None, invite=None, engagements=None):
    context = _manage_context(request, program)
    form = form or ProgramForm(
        prefix="program",
        initial={
            "name": program.name,
            "start_date": program.start_date,
            "end_date": program.end_date,
            "planned_sessions": program.planned_sessions,
            "stalled_after_weeks": program.stalled_after_weeks,
        },
    )
    invite = invite or ManagerInviteForm(prefix="manager")
    engagements = engagements or ProgramEngagementsForm(
        prefix="engagements", choices=context["choices"], initial={"engagements": context["initial_engagements"]}
    )
    bad = form.errors or invite.errors or engagements.errors
    return render(
        request,
        "programs/manage.html",
        {**context, "form": form, "invite": invite, "engagements_form": engagements},
        status=400 if bad else 200,
    )


@login_required
@require_POST
def manager_invite(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_run_by(request, pk)
    form = ManagerInviteForm(request.POST, prefix="manager")
    if form.is_valid():
        try:
            invitation = services.program_manager_invite(
                program=program, name=form.cleaned_data["full_name"], email=form.cleaned_data["email"], by=request.user
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Invitation on its way to %(email)s.") % {"email": invitation.user.email})
            return redirect("programs:manage", pk=program.pk)
    return _render_manage(request, program, invite=form)


@login_required
@require_POST
def manager_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    program = _program_run_by(request, pk)
    person = get_object_or_404(User, pk=user_pk)
    services.program_manager_remove(program=program, manager=person)
    messages.success(request, _("%(name)s no longer sees this program.") % {"name": person})
    return redirect("programs:manage", pk=program.pk)


@login_required
@require_POST
def program_engagements(request: HttpRequest, pk: int) -> HttpResponse:
    """A coach chooses which of their engagements with the organisation belong to the program."""
    program = _program_run_by(request, pk)
    if not request.user.is_coach:
        raise PermissionDenied
    context = _manage_context(request, program)
    form = ProgramEngagementsForm(request.POST, prefix="engagements", choices=context["choices"])
    if not form.is_valid():
        return _render_manage(request, program, engagements=form)
    count = services.program_set_engagements(
        program=program, coach=request.user, engagement_ids=form.cleaned_data["engagements"]
    )
    messages.success(
        request,
        ngettext(
            "%(count)s of your engagements is in this program.",
            "%(count)s of your engagements are in this program.",
            count,
        )
        % {"count": count},
    )
    return redirect("programs:manage", pk=program.pk)


@login_required
@never_cache
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """The program manager's dashboard. Every released row shown is one ledger entry (one insert)."""
    try:
        program = selectors.program_for_manager(user=request.user, pk=pk)
    except Program.DoesNotExist:
        raise Http404("No such program") from None
    facts = selectors.program_dashboard(program=program)
    services.ledger_record_rows(
        viewer=request.user,
        viewer_role="program_manager",
        what=LedgerEntry.What.PROGRAM_ROW_VIEW,
        engagements=[(row.engagement_id, row.leader_id) for row in facts.rows],
        program=program,
    )
    return render(request, "programs/dashboard.html", {"d": facts})


@login_required
@require_POST
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The program manager asks for the program report as CSV or PDF; the exports worker builds it and
    its page shows the progress (`exports:detail`)."""
    try:
        program = selectors.program_for_manager(user=request.user, pk=pk)
    except Program.DoesNotExist:
        raise Http404("No such program") from None
    export_format = request.POST.get("format", "")
    if export_format not in export_services.PROGRAM_FORMATS:
        messages.error(request, _("Choose the report as a CSV file or as a PDF."))
        return redirect("programs:dashboard", pk=program.pk)
    export = export_services.export_request(
        owner=request.user, kind=Export.Kind.PROGRAM, export_format=export_format, program=program
    )
    return redirect("exports:detail", pk=export.pk)


@login_required
@require_POST
def row_release(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader releases (or withdraws) their row on the program dashboard."""
    engagement = get_object_or_404(Engagement.objects.led_by(request.user).select_related("program"), pk=pk)
    with transaction.atomic():
        if request.POST.get("action") == "withdraw":
            services.row_withdraw(engagement=engagement, leader=request.user)
            messages.success(request, _("Your row is no longer shown to the program manager."))
        else:
            if engagement.program_id is None:
                messages.error(request, _("This engagement is not part of a program."))
                return redirect("engagements:detail", pk=engagement.pk)
            services.row_release(engagement=engagement, leader=request.user)
            messages.success(request, _("The program manager now sees your row: the figures your sponsor sees."))
    return redirect("engagements:detail", pk=engagement.pk)


@login_required
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """Every look at the leader's summary and program row: the engagement's coach and leader only."""
    engagement = get_engagement_for(request, pk)
    context = selectors.ledger_for(engagement=engagement)
    return render(request, "programs/ledger.html", {**context, "engagement": engagement})
