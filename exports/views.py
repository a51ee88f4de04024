"""The exports page, asking for an export, following its progress, and the private download link."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.tokens import hash_token

from . import selectors, services
from .models import Export

PRIVATE_LINK_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _choices(request: HttpRequest) -> list[dict]:
    labels = {
        (Export.Kind.LEADER_RECORD, Export.Format.PDF): _("My coaching record as a PDF report"),
        (Export.Kind.LEADER_RECORD, Export.Format.JSON): _("My coaching record as JSON"),
        (Export.Kind.PRACTICE, Export.Format.ZIP): _("My practice as JSON and CSV files in a ZIP"),
    }
    return [{"kind": k, "format": f, "label": labels[(k, f)]} for k, f in services.kinds_for(request.user)]


def _list(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "choices": _choices(request),
        "exports": selectors.recent_exports(owner=request.user),
        "error": error,
        "link_days": settings.EXPORT_LINK_DAYS,
        "now": timezone.now(),
    }
    return render(request, "exports/list.html", context, status=status)


@login_required
@never_cache
def export_list(request: HttpRequest) -> HttpResponse:
    """What this person may export, and their latest exports (two queries after the session's)."""
    return _list(request)


@login_required
@require_POST
def export_new(request: HttpRequest) -> HttpResponse:
    kind, export_format = request.POST.get("kind", ""), request.POST.get("format", "")
    try:
        export = services.export_request(owner=request.user, kind=kind, export_format=export_format)
    except PermissionDenied:
        # Only a tampered form asks for an export this person has no data for.
        error = _("That export is not available to you. Choose one of the exports below.")
        return _list(request, error=error, status=403)
    return redirect("exports:detail", pk=export.pk)


@login_required
@never_cache
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the person's exports with its progress; htmx asks again for the fragment while it runs."""
    export = get_object_or_404(selectors.exports_of(request.user), pk=pk)
    now = timezone.now()
    url = services.export_path(export=export) if export.status == Export.Status.READY else None
    context = {"export": export, "download_url": url, "expired": export.is_expired(now), "now": now}
    template = "exports/_progress.html" if request.htmx else "exports/detail.html"
    response = render(request, template, context)
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def download(request: HttpRequest, token: str) -> HttpResponse:
    """The file, for its owner only. Someone else's link, or a link that never existed, is a 404."""
    export = Export.objects.filter(owner=request.user, token_hash=hash_token(token)).first()
    if export is None:
        raise Http404("No such export")
    if export.status != Export.Status.READY:
        response = redirect("exports:detail", pk=export.pk)
    elif export.is_expired() or export.content is None:
        response = render(request, "exports/expired.html", {"export": export}, status=410)
    else:
        response = HttpResponse(bytes(export.content), content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    for key, value in PRIVATE_LINK_HEADERS.items():
        response[key] = value
    return response
