"""Registering webhook addresses, each one's secret and delivery log, and switching one off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import EndpointForm
from .models import Event


def _require_registrant(request: HttpRequest) -> None:
    if not services.may_register(request.user):
        raise PermissionDenied(_("Only coaches and practice admins register webhooks."))


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    """The person's addresses and the form to add one (two queries after the session's)."""
    _require_registrant(request)
    form = EndpointForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                endpoint = services.endpoint_register(owner=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Address registered. Copy its signing secret below."))
                return redirect("webhooks:detail", pk=endpoint.pk)
        status = 400
    context = {
        "form": form,
        "endpoints": list(selectors.endpoints_of(request.user)),
        "events": Event.choices,
        "is_practice": request.user.is_practice_admin and not request.user.is_coach,
    }
    return render(request, "webhooks/list.html", context, status=status)


@login_required
@never_cache
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One address with its signing secret and delivery log, for the person who registered it."""
    endpoint = get_object_or_404(selectors.endpoints_of(request.user), pk=pk)
    context = {
        "endpoint": endpoint,
        "secret": services.endpoint_secret(endpoint=endpoint),
        "header": services.SIGNATURE_HEADER,
        "deliveries": selectors.delivery_log(endpoint=endpoint),
    }
    return render(request, "webhooks/detail.html", context)


@login_required
@require_POST
def endpoint_switch_off(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(selectors.endpoints_of(request.user), pk=pk)
    services.endpoint_deactivate(endpoint=endpoint)
    messages.success(request, _("The address is switched off: it receives no more events."))
    return redirect("webhooks:detail", pk=endpoint.pk)
