from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import AcceptInvitationForm, PracticeLanguageForm, PreferencesForm
from .languages import PRACTICE_LANGUAGE_SESSION_KEY
from .signin import second_factor_done

PRIVATE_LINK_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _private(response: HttpResponse) -> HttpResponse:
    for key, value in PRIVATE_LINK_HEADERS.items():
        response[key] = value
    return response


def _invalid(request: HttpRequest, reason: str, invitation=None, status: int = 410) -> HttpResponse:
    context = {"reason": reason, "invitation": invitation}
    return _private(render(request, "accounts/invitation_invalid.html", context, status=status))


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link. A new person sets a password and lands on their home page; a person with an
    account accepts while signed in as that account (the link alone never signs anyone in)."""
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return _invalid(request, "unknown", status=404)
    if invitation.accepted_at is not None:
        return _invalid(request, "used")
    if invitation.revoked_at is not None:
        return _invalid(request, "revoked", invitation)
    if invitation.is_expired:
        return _invalid(request, "expired", invitation)
    person = invitation.user
    if not person.is_active:
        return _invalid(request, "inactive", invitation, status=403)
    if person.has_usable_password():
        return _accept_existing(request, invitation)
    if request.user.is_authenticated and request.user.pk != person.pk:
        return _wrong_person(request, invitation)
    form = AcceptInvitationForm(request.POST or None, initial={"time_zone": person.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["password1"])
            services.user_update_preferences(
                user=user, full_name=user.full_name, time_zone=form.cleaned_data["time_zone"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error("password1", exc.messages)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s. This is your home page.") % {"name": user.get_short_name()})
            return redirect("home")
    return _private(render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}))


def _wrong_person(request: HttpRequest, invitation) -> HttpResponse:
    return _private(render(request, "accounts/invitation_wrong_person.html", {"invitation": invitation}, status=403))


def _accept_existing(request: HttpRequest, invitation) -> HttpResponse:
    """An invitation for an existing account: sign in as that account (second factor included), then accept."""
    person = invitation.user
    if not request.user.is_authenticated or (request.user.pk == person.pk and not second_factor_done(request)):
        sign_in = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        context = {"invitation": invitation, "sign_in_url": sign_in}
        return _private(render(request, "accounts/invitation_sign_in.html", context))
    if request.user.pk != person.pk:
        return _wrong_person(request, invitation)
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, password=None, signed_in_as=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Invitation accepted. It is now on your home page."))
            return redirect("home")
    return _private(render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": None}))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"full_name": user.full_name, "time_zone": user.time_zone, "language": translation.get_language()}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_preferences(user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
@require_POST
def practice_language(request: HttpRequest) -> HttpResponse:
    """The practice admin's choice of the practice's default language (a form on the practice page)."""
    user = request.user
    if not (user.is_practice_admin and user.practice_id):
        raise PermissionDenied
    form = PracticeLanguageForm(request.POST)
    if form.is_valid():
        services.practice_set_language(practice=user.practice, language=form.cleaned_data["language"], by=user)
        request.session[PRACTICE_LANGUAGE_SESSION_KEY] = user.practice.language
        messages.success(request, translation.gettext("The practice's default language is saved."))
    else:
        messages.error(request, translation.gettext("Choose one of the languages the site offers."))
    return redirect("practice")
