"""Personal access tokens on the preferences page: make one (shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import apply_validation_error

from . import services
from .forms import TokenForm
from .models import ApiToken


@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    """The new-token form; once made, the token is on this one answer and never again."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.api_token_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            response = render(request, "api/token_created.html", {"token": new.token, "secret": new.secret})
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response
    status = 422 if form.errors else 200
    return render(request, "api/token_form.html", {"form": form}, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    services.api_token_revoke(token=token, user=request.user)
    messages.success(request, _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": token.name})
    return redirect("accounts:preferences")
