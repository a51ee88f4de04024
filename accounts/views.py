from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import services
from .forms import AcceptInvitationForm, PreferencesForm

PRIVATE_LINK_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _private(response: HttpResponse) -> HttpResponse:
    for key, value in PRIVATE_LINK_HEADERS.items():
        response[key] = value
    return response


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: set a password (first time) and land on one's own home page."""
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return _private(render(request, "accounts/invitation_invalid.html", {"reason": "unknown"}, status=404))
    if invitation.accepted_at is not None:
        return _private(render(request, "accounts/invitation_invalid.html", {"reason": "used"}, status=410))
    if invitation.is_expired:
        return _private(
            render(
                request, "accounts/invitation_invalid.html", {"reason": "expired", "invitation": invitation}, status=410
            )
        )
    person = invitation.user
    needs_password = not person.has_usable_password()
    form = (
        AcceptInvitationForm(request.POST or None, initial={"time_zone": person.time_zone}) if needs_password else None
    )
    if request.method == "POST":
        if form is None or form.is_valid():
            try:
                user = services.invitation_accept(
                    invitation=invitation, password=form.cleaned_data["password1"] if form else None
                )
                if form:
                    services.user_update_preferences(
                        user=user, full_name=user.full_name, time_zone=form.cleaned_data["time_zone"]
                    )
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                elif hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error("password1", exc.messages)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome, {user.get_short_name()}. This is your home page.")
                return redirect("home")
    return _private(render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(request.POST or None, initial={"full_name": user.full_name, "time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_preferences(user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "Preferences saved.")
            return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})
