"""The one way views reach an engagement: scoped to the signed-in person, else a 404.

Apps above `engagements` (fieldwork, stakeholders, the coach's outbox) use the same helper, so who
may open an engagement's pages is decided here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Engagement


def _with_people(qs: QuerySet[Engagement]) -> QuerySet[Engagement]:
    return qs.select_related("coach", "leader")


def get_engagement_for(
    request: HttpRequest,
    pk: int,
    *,
    coach_only: bool = False,
    shape: Callable[[QuerySet[Engagement]], QuerySet[Engagement]] = _with_people,
) -> Engagement:
    """The engagement `pk` if the signed-in person is its coach (or, unless `coach_only`, its leader).

    `shape` adds the joins a page needs (by default coach and leader: one query). Anyone else,
    sponsors and other coaches included, gets a 404: these pages carry confidential content.
    """
    user = request.user
    qs = Engagement.objects.coached_by(user) if coach_only else Engagement.objects.worked_by(user)
    try:
        return shape(qs).get(pk=pk)
    except Engagement.DoesNotExist:
        raise Http404("No such engagement") from None


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    """The `next` path a form asked to return to, if it stays on this site; else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback
