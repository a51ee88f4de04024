"""Top-level pages: each person's home page, the practice admin's counts, and the health endpoint."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import InviteCoachForm
from accounts.models import Invitation, User
from accounts.services import (
    coach_deactivate,
    coach_invitation_resend,
    coach_invitation_revoke,
    invitation_create,
    user_get_or_invite_target,
)
from engagements.models import Engagement
from engagements.services import engagement_reassign
from programs.models import LedgerEntry
from programs.services import ledger_record

from . import health, pagecache, selectors, services
from .forms import CheckInForm, ReassignForm
from .summary import engagement_summary

OPEN_STATUSES = (Engagement.Status.DRAFT, Engagement.Status.ACTIVE, Engagement.Status.PAUSED)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 `{"status": "ok"}` or 503 `{"status": "unavailable"}` within 3 seconds. Staff signed in (a
    practice admin, a superuser) also see each check's result; nobody else learns vendors or timings."""
    user = request.user
    detailed = user.is_authenticated and (user.is_superuser or user.is_practice_admin)
    healthy, body = health.report(detailed=detailed)
    return JsonResponse(body, status=200 if healthy else 503)


def home(request: HttpRequest) -> HttpResponse:
    """Sends each person to the home page of their role; a person with several roles sees each part."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    user = request.user
    if user.is_coach:
        return coach_home(request)
    if user.led_engagements.exists():
        return leader_home(request)
    if user.sponsored_engagements.exists():
        return sponsor_home(request)
    if user.is_practice_admin:
        return redirect("practice")
    if user.is_reviewer:
        return redirect("practice_reviews")
    if user.managed_programs.exists():
        return redirect("programs:list")
    return render(request, "coaching/home_empty.html")


@login_required
def coach_home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_coach:
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in Engagement.Status.values and status != "all":
        status = ""
    cached = pagecache.page(request, "coach_home", fragments=["content"], parts=[status])
    context = {} if cached.complete else selectors.coach_home(coach=request.user, status=status)
    return render(
        request,
        "coaching/home_coach.html",
        {
            **context,
            **cached.roles(request),
            "status": status,
            "statuses": Engagement.Status.choices,
            "pagecache": cached,
        },
    )


@login_required
def leader_home(request: HttpRequest) -> HttpResponse:
    cached = pagecache.page(request, "leader_home", fragments=["content", "checkin"])
    if cached.complete:
        (checkin,) = cached.get("checkin")
        context = {"checkin": checkin}
    else:
        context = selectors.leader_home(leader=request.user)
        checkin = context["checkin"]
        # The check-in form stays outside the cached fragment (its create-once key is per form): only
        # what its heading shows is kept.
        heading = (
            SimpleNamespace(pk=checkin.pk, checkin_due=checkin.checkin_due, coach=str(checkin.coach))
            if checkin
            else None
        )
        cached.store("checkin", (heading,))
    return render(
        request,
        "coaching/home_leader.html",
        {**context, **cached.roles(request), "checkin_form": CheckInForm(), "pagecache": cached},
    )


@login_required
def sponsor_home(request: HttpRequest) -> HttpResponse:
    context = selectors.sponsor_home(sponsor=request.user)
    return render(request, "coaching/home_sponsor.html", context)


@login_required
def practice(request: HttpRequest) -> HttpResponse:
    """The practice admin's page: coaches and engagement counts by status. No content, ever."""
    user = request.user
    if not (user.is_practice_admin and user.practice_id):
        raise PermissionDenied
    form = InviteCoachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            coach = user_get_or_invite_target(
                email=form.cleaned_data["email"], full_name=form.cleaned_data["full_name"]
            )
            role = form.cleaned_data.get("role") or Invitation.Role.COACH
            if coach.is_coach or coach.is_reviewer:
                form.add_error("email", _("This person is already a coach."))
                coach = None
            else:
                invitation_create(
                    user=coach,
                    role=role,
                    invited_by=user,
                    context=(
                        _("reviewer at %(practice)s")
                        if role == Invitation.Role.REVIEWER
                        else _("coach at %(practice)s")
                    )
                    % {"practice": user.practice},
                )
        if coach is not None:
            messages.success(request, _("Invitation on its way to %(email)s.") % {"email": coach.email})
            return redirect("practice")
    context = selectors.practice_overview(practice=user.practice)
    return render(request, "coaching/practice.html", {**context, "form": form})


def _practice_admin(request: HttpRequest) -> User:
    user = request.user
    if not (user.is_practice_admin and user.practice_id):
        raise PermissionDenied
    return user


@login_required
@require_POST
def practice_invitation(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Resend or revoke a coach invitation of the admin's practice (another practice's: a 404)."""
    admin = _practice_admin(request)
    if action not in ("resend", "revoke"):
        raise Http404("No such action")
    invitation = get_object_or_404(
        Invitation.objects.select_related("user", "invited_by"),
        pk=pk,
        role__in=(Invitation.Role.COACH, Invitation.Role.REVIEWER),
        invited_by__practice_id=admin.practice_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    if action == "resend":
        coach_invitation_resend(invitation=invitation, by=admin)
        messages.success(request, _("A new invitation is on its way to %(email)s.") % {"email": invitation.user.email})
    else:
        coach_invitation_revoke(invitation=invitation, by=admin)
        messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.user.email})
    return redirect("practice")


def _practice_coach(admin: User, pk: int) -> User:
    return get_object_or_404(User, pk=pk, is_coach=True, practice_id=admin.practice_id)


@login_required
@require_POST
def practice_coach_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a coach off: no more sign-in; nothing deleted."""
    admin = _practice_admin(request)
    coach = _practice_coach(admin, pk)
    try:
        coach_deactivate(coach=coach, by=admin)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s can no longer sign in. Their engagements are kept.") % {"name": coach})
    return redirect("practice")


@login_required
@require_POST
def practice_coach_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand every open engagement of a coach to another active coach of the practice; the leaders and
    sponsors are told by e-mail."""
    admin = _practice_admin(request)
    coach = _practice_coach(admin, pk)
    form = ReassignForm(request.POST, coaches=selectors.practice_overview(practice=admin.practice)["active_coaches"])
    if not form.is_valid():
        messages.error(request, _("Choose the coach who takes the engagements over."))
        return redirect("practice")
    target = form.cleaned_data["coach"]
    moved = 0
    with transaction.atomic():
        for engagement in Engagement.objects.coached_by(coach).filter(status__in=OPEN_STATUSES).select_related("coach"):
            try:
                engagement_reassign(engagement=engagement, coach=target, by=admin)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                moved += 1
    messages.success(
        request,
        ngettext(
            "%(count)s open engagement of %(from)s is now with %(to)s; its leader and sponsors are told.",
            "%(count)s open engagements of %(from)s are now with %(to)s; their leaders and sponsors are told.",
            moved,
        )
        % {"count": moved, "from": coach, "to": target},
    )
    return redirect("practice")


def _reviewer(request: HttpRequest) -> User:
    user = request.user
    if not (user.is_reviewer and user.practice_id):
        raise PermissionDenied
    return user


@login_required
def practice_reviews(request: HttpRequest) -> HttpResponse:
    """The reviewer's list: the practice's engagements with plain facts only (what a sponsor sees)."""
    reviewer = _reviewer(request)
    engagements = selectors.reviewer_engagements(reviewer=reviewer)
    return render(request, "coaching/reviews.html", {"engagements": engagements, "practice": reviewer.practice})


@login_required
@never_cache
def practice_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One engagement's progress summary as its sponsor reads it, for the reviewer; recorded in the ledger."""
    reviewer = _reviewer(request)
    try:
        facts = engagement_summary(viewer=reviewer, pk=pk, preview=False, as_reviewer=True)
    except Engagement.DoesNotExist:
        raise Http404("No such engagement") from None
    ledger_record(
        viewer=reviewer,
        viewer_role="reviewer",
        what=LedgerEntry.What.SUMMARY_VIEW,
        engagements=[(facts.engagement_id, None)],
    )
    return render(request, "coaching/summary.html", {"summary": facts})


@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader's partnership check-in for engagement `pk` (their own engagements only; others get a 404)."""
    engagement = get_object_or_404(Engagement.objects.led_by(request.user), pk=pk)
    milestone = services.checkin_due_milestone(engagement=engagement)
    form = CheckInForm(request.POST or None)
    if request.method == "POST":
        if milestone is None:
            messages.info(request, _("No check-in is due right now. Your coach asks again after every third session."))
            return redirect("leader_home")
        if form.is_valid():
            try:
                services.checkin_submit(engagement=engagement, leader=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Thank you. Your coach will read your answer before the next session."))
                return redirect("leader_home")
    return render(request, "coaching/checkin.html", {"engagement": engagement, "form": form, "milestone": milestone})
