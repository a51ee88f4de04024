"""Retention pages: the practice admin's retention setting with the practice's upcoming erasures, and
"erase now" with its confirmation step (the leader, or the practice admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from engagements.models import Engagement

from . import selectors, services
from .forms import EraseNowForm, RetentionPolicyForm


@login_required
def practice_retention(request: HttpRequest) -> HttpResponse:
    """The practice admin's retention page. Everyone else signed in gets a 403, as on /practice/."""
    user = request.user
    if not (user.is_practice_admin and user.practice_id):
        raise PermissionDenied
    context = selectors.practice_retention(practice=user.practice)
    data = request.POST if request.method == "POST" else None
    form = RetentionPolicyForm(data, initial={"months": context["months"]})
    if request.method == "POST":
        if form.is_valid():
            services.policy_set(practice=user.practice, months=form.cleaned_data["months"], by=user)
            messages.success(
                request, _("The retention period is now %(n)s months.") % {"n": form.cleaned_data["months"]}
            )
            return redirect("retention:practice")
        return render(request, "retention/practice.html", {**context, "form": form}, status=400)
    return render(request, "retention/practice.html", {**context, "form": form})


def _engagement_for_erasure(request: HttpRequest, pk: int) -> Engagement:
    """The engagement as its leader (accepted) or its coach's practice admin; anyone else gets a 404."""
    user = request.user
    scope = Q(leader=user, awaiting_leader=False)
    if user.is_practice_admin and user.practice_id:
        scope |= Q(coach__practice_id=user.practice_id)
    engagement = Engagement.objects.filter(scope, pk=pk).select_related("coach", "leader").first()
    if engagement is None:
        raise Http404
    return engagement


@login_required
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Erase now": a page that offers the export first and asks to confirm; the POST erases."""
    engagement = _engagement_for_erasure(request, pk)
    state = selectors.engagement_retention(engagement=engagement)
    is_leader = engagement.leader_id == request.user.pk
    form = EraseNowForm(request.POST if request.method == "POST" else None)
    context = {"engagement": engagement, "state": state, "form": form, "is_leader": is_leader}
    if request.method == "POST":
        if not engagement.is_finished:
            form.add_error(None, _("An engagement can be erased once it has ended."))
            return render(request, "retention/erase.html", context, status=400)
        if not form.is_valid():
            return render(request, "retention/erase.html", context, status=400)
        if services.engagement_erase_now(engagement=engagement, by=request.user):
            messages.success(request, _("The engagement's personal data has been erased."))
        if is_leader:
            return redirect("engagements:detail", engagement.pk)
        return redirect("retention:practice")
    return render(request, "retention/erase.html", context)
