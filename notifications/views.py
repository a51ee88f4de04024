"""The notification preferences page and the one-click unsubscribe link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.http import client_ip

from . import selectors, services
from .forms import PreferencesForm
from .models import COACH_ALERT_KINDS, KIND_PLURALS, Kind, OptOut

PRIVATE_LINK_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
UNSUBSCRIBE_RATE = (30, 600)  # requests per address, seconds


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    sources = selectors.sources_offered_to(user=user)
    show_schedule = any(s.kind == Kind.REFLECTION_PROMPT for s in sources)
    show_coach_alerts = any(s.kind in COACH_ALERT_KINDS for s in sources)
    preference = selectors.preference_for(user=user)
    opted_out = selectors.opted_out_kinds(user=user)
    initial = {
        "reflection_weekday": preference.reflection_weekday,
        "reflection_time": preference.reflection_time,
        "wanted": [s.kind for s in sources if s.kind not in opted_out],
        "coach_alerts": preference.coach_alerts,
    }
    form = PreferencesForm(
        request.POST or None,
        initial=initial,
        sources=sources,
        show_schedule=show_schedule,
        show_coach_alerts=show_coach_alerts,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.preferences_update(
            user=user,
            reflection_weekday=data.get("reflection_weekday", preference.reflection_weekday),
            reflection_time=data.get("reflection_time") or preference.reflection_time,
            wanted_kinds=data["wanted"],
            offered_kinds=[s.kind for s in sources],
            coach_alerts=data.get("coach_alerts") or preference.coach_alerts,
        )
        messages.success(request, gettext("E-mail preferences saved."))
        return redirect("notifications:preferences")
    next_prompt = preference.next_reflection_after(timezone.now()) if show_schedule else None
    context = {
        "form": form,
        "sources": sources,
        "show_schedule": show_schedule,
        "show_coach_alerts": show_coach_alerts,
        "digest_time": f"{settings.NOTIFICATIONS_DEFER_TO_HOUR:02d}:00",
        "next_prompt": next_prompt,
    }
    return render(request, "notifications/preferences.html", context)


def _rate_limited(request: HttpRequest) -> bool:
    limit, window = UNSUBSCRIBE_RATE
    key = f"notifications:unsubscribe:{client_ip(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def _private(response: HttpResponse) -> HttpResponse:
    for header, value in PRIVATE_LINK_HEADERS.items():
        response[header] = value
    return response


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session or token of ours
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link turns off and a button; POST (the button, or a mail client) turns it off."""
    if _rate_limited(request):
        return _private(render(request, "notifications/unsubscribe.html", {"state": "slow_down"}, status=429))
    parsed = services.unsubscribe_read(token=token)
    if parsed is None:
        return _private(render(request, "notifications/unsubscribe.html", {"state": "invalid"}, status=404))
    recipient_key, kind = parsed
    context = {"kinds": KIND_PLURALS[kind], "is_account": recipient_key.startswith("user:")}
    if request.method == "POST":
        services.opt_out_add(recipient_key=recipient_key, kind=kind, via=OptOut.Via.LINK)
        return _private(render(request, "notifications/unsubscribe.html", {**context, "state": "done"}))
    return _private(render(request, "notifications/unsubscribe.html", {**context, "state": "confirm"}))
