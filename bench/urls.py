"""The site's URLs plus the benchmark's trivial page (never part of the product's URLconf)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    """The framework's floor: every middleware has run (session and user loaded); no page work."""
    return HttpResponse(f"ok {request.user.pk or ''}", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("coaching.urls")),
]
