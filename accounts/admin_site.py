"""The Django admin behind the site's own sign-in.

The admin has no sign-in form of its own: `/admin/login/` sends people to allauth's sign-in page
(password, second factor where turned on, the same rate limits) and back. Admin pages open only for
an active staff member whose session was signed in through allauth, with the second factor when
their account has one; a session made any other way is refused.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy

from .signin import signed_in_through_allauth


class SiteAdmin(admin.AdminSite):
    site_header = gettext_lazy("Coaching engagements administration")
    site_title = gettext_lazy("Coaching engagements administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and signed_in_through_allauth(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(target)
            # Signing in again here would loop: allauth sends a signed-in person straight back.
            raise PermissionDenied(
                gettext(
                    "The administration pages are for staff who signed in on the sign-in page"
                    " (with their second factor, if it is turned on). Sign out, then sign in again."
                )
            )
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


class SiteAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.SiteAdmin"
