"""Top-level pages: each person's home page, the practice admin's counts, and the health endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from accounts.forms import InviteCoachForm
from accounts.models import Invitation
from accounts.services import invitation_create, user_get_or_invite_target
from engagements.models import Engagement

from . import health, selectors, services
from .forms import CheckInForm


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
    context = selectors.coach_home(coach=request.user, status=status)
    return render(
        request, "coaching/home_coach.html", {**context, "status": status, "statuses": Engagement.Status.choices}
    )


@login_required
def leader_home(request: HttpRequest) -> HttpResponse:
    context = selectors.leader_home(leader=request.user)
    return render(request, "coaching/home_leader.html", {**context, "checkin_form": CheckInForm()})


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
            if coach.is_coach:
                form.add_error("email", "This person is already a coach.")
                coach = None
            else:
                invitation_create(
                    user=coach, role=Invitation.Role.COACH, invited_by=user, context=f"coach at {user.practice}"
                )
        if coach is not None:
            messages.success(request, f"Invitation on its way to {coach.email}.")
            return redirect("practice")
    context = selectors.practice_overview(practice=user.practice)
    return render(request, "coaching/practice.html", {**context, "form": form})


@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader's partnership check-in for engagement `pk` (their own engagements only; others get a 404)."""
    engagement = get_object_or_404(Engagement.objects.led_by(request.user), pk=pk)
    milestone = services.checkin_due_milestone(engagement=engagement)
    form = CheckInForm(request.POST or None)
    if request.method == "POST":
        if milestone is None:
            messages.info(request, "No check-in is due right now. Your coach asks again after every third session.")
            return redirect("leader_home")
        if form.is_valid():
            try:
                services.checkin_submit(engagement=engagement, leader=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Thank you. Your coach will read your answer before the next session.")
                return redirect("leader_home")
    return render(request, "coaching/checkin.html", {"engagement": engagement, "form": form, "milestone": milestone})
