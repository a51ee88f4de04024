"""Booking pages: the coach's availability, the booking page of an engagement, moving and cancelling a
session, and the same three for a scheduling assistant through their private link.

Leaders and coaches reach an engagement through `engagements.access.get_engagement_for` (anyone else
gets a 404); an assistant reaches only their own engagement through the hash of their link.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import apply_validation_error
from accounts.http import client_ip
from engagements.access import get_engagement_for
from engagements.models import Engagement, Session

from . import selectors, services
from .forms import AssistantForm, AvailabilityForm, CalendarForm, ExceptionForm, SlotForm, WeeklyHoursForm
from .models import CalendarConnection, SchedulingAssistant

PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
# An assistant's valid link on its own (a busy morning of moving sessions stays far below it), and
# unknown links per address: someone guessing.
LINK_REQUESTS_PER_MINUTE = 60
LINK_GUESSES_PER_MINUTE = 20


# --- Who is booking ------------------------------------------------------------------------------


@dataclass
class Actor:
    """The person on a booking page: the engagement's leader or coach, or an assistant by link."""

    engagement: Engagement
    tz: object
    user: object | None = None
    assistant: SchedulingAssistant | None = None
    token: str = ""

    def url(self, name: str, *args) -> str:
        if self.assistant is not None:
            return reverse(f"booking:assistant_{name}", args=[self.token, *args])
        return reverse(f"booking:{name}", args=args)

    @property
    def home(self) -> str:
        if self.assistant is not None:
            return reverse("booking:assistant", args=[self.token])
        return reverse("engagements:detail", args=[self.engagement.pk])


def _team_actor(request: HttpRequest, pk: int) -> Actor:
    engagement = get_engagement_for(request, pk)
    return Actor(engagement=engagement, tz=request.user.tz, user=request.user)


def _count(key: str) -> int:
    """Adds one to this minute's counter `key` and returns it; the cache fails open (coaching/cache.py)."""
    key = f"{key}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        return 1


def assistant_link(view):
    """Pages behind an assistant's private link: the link's assistant (one query) becomes the actor;
    an unknown, removed or finished link gets a page that says what to do (404); both limits apply;
    nothing is cached and no address is passed on to another site."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        assistant = services.assistant_for_token(token)
        if assistant is None:
            limited = _count(f"booking:link-guesses:{client_ip(request)}") > LINK_GUESSES_PER_MINUTE
        else:
            limited = _count(f"booking:link-rate:{assistant.pk}") > LINK_REQUESTS_PER_MINUTE
        if limited:
            response = render(request, "booking/assistant_unavailable.html", {"limited": True}, status=429)
            response["Retry-After"] = "60"
        elif assistant is None:
            response = render(request, "booking/assistant_unavailable.html", {"limited": False}, status=404)
        else:
            engagement = assistant.engagement
            actor = Actor(engagement=engagement, tz=engagement.leader.tz, assistant=assistant, token=token)
            try:
                response = view(request, actor, *args, **kwargs)
            except Http404:  # a session of another engagement behind this link
                response = render(request, "404.html", status=404)
        for name, value in PRIVATE_HEADERS.items():
            response[name] = value
        return response

    return wrapper


def _session_of(actor: Actor, session_pk: int) -> Session:
    session = Session.objects.filter(pk=session_pk, engagement=actor.engagement).first()
    if session is None:
        raise Http404("No such session")
    session.engagement = actor.engagement
    return session


def _when(local) -> dict:
    return {"day": date_format(local, "WEEKDAY_DATE"), "time": date_format(local, "TIME_FORMAT")}


# --- Booking, moving, cancelling (shared by both kinds of actor) --------------------------------


def _book(request: HttpRequest, actor: Actor) -> HttpResponse:
    length = request.GET.get("length") or request.POST.get("length")
    view = selectors.booking_view(engagement=actor.engagement, length=int(length) if str(length).isdigit() else None)
    form = SlotForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            starts_at = form.cleaned_data["starts_at"]
            try:
                session = services.booking_create(
                    engagement=actor.engagement,
                    starts_at=starts_at,
                    length=form.cleaned_data.get("length") or view.length,
                    booked_by=actor.user,
                    assistant=actor.assistant,
                )
            except services.SlotTaken:
                if Session.objects.filter(
                    engagement=actor.engagement, starts_at=starts_at, status=Session.Status.SCHEDULED
                ).exists():  # a second tap on the same button: the first one booked it
                    return redirect(actor.home)
                messages.error(request, services.SlotTaken.message)
                return redirect(actor.url("book", *([] if actor.assistant else [actor.engagement.pk])))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
                status = 422
            else:
                local = timezone.localtime(session.starts_at, actor.tz)
                messages.success(
                    request,
                    _("Booked: %(day)s at %(time)s.") % _when(local),
                )
                return redirect(actor.home)
    context = {"actor": actor, "view": view, "days": view.days(actor.tz), "form": form, "tz": actor.tz}
    return render(request, "booking/book.html", context, status=status)


def _move(request: HttpRequest, actor: Actor, session_pk: int) -> HttpResponse:
    session = _session_of(actor, session_pk)
    now = timezone.now()
    view = selectors.booking_view(engagement=actor.engagement, moving=session, now=now)
    allowed = services.move_is_allowed(session=session, availability=view.availability, now=now)
    form = SlotForm(request.POST or None)
    status = 200
    if request.method == "POST" and allowed:
        if not form.is_valid():
            status = 400
        else:
            try:
                services.booking_move(
                    session=session, starts_at=form.cleaned_data["starts_at"], by=actor.user, assistant=actor.assistant
                )
            except services.SlotTaken:
                messages.error(request, services.SlotTaken.message)
                return redirect(actor.url("move", session.pk))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
                status = 422
            else:
                local = timezone.localtime(session.starts_at, actor.tz)
                messages.success(
                    request,
                    _("Moved to %(day)s at %(time)s.") % _when(local),
                )
                return redirect(actor.home)
    elif request.method == "POST":
        status = 409
    context = {
        "actor": actor,
        "view": view,
        "days": view.days(actor.tz) if allowed else [],
        "form": form,
        "tz": actor.tz,
        "session": session,
        "allowed": allowed,
        "moving": True,
    }
    return render(request, "booking/book.html", context, status=status)


def _cancel(request: HttpRequest, actor: Actor, session_pk: int) -> HttpResponse:
    session = _session_of(actor, session_pk)
    now = timezone.now()
    status = 200
    if session.status != Session.Status.SCHEDULED or session.starts_at <= now:
        messages.info(request, _("This session can no longer be cancelled here."))
        return redirect(actor.home)
    late = session.cancellation_is_late(now)
    error = ""
    if request.method == "POST":
        try:
            services.booking_cancel(session=session, confirm_late=request.POST.get("confirm_late") == "1", now=now)
        except services.LateCancellation:
            status = 409
            error = _("Please confirm: this cancellation is late.")
        except ValidationError as exc:
            status = 422
            error = " ".join(exc.messages)
        else:
            if session.status == Session.Status.LATE_CANCEL:
                messages.warning(request, _("Session cancelled. It counts as a late cancellation."))
            else:
                messages.success(request, _("Session cancelled."))
            return redirect(actor.home)
    context = {
        "actor": actor,
        "session": session,
        "late": late,
        "window_hours": actor.engagement.cancellation_window_hours,
        "error": error,
        "tz": actor.tz,
    }
    return render(request, "booking/cancel.html", context, status=status)


@login_required
def book(request: HttpRequest, pk: int) -> HttpResponse:
    return _book(request, _team_actor(request, pk))


def _team_session_actor(request: HttpRequest, session_pk: int) -> Actor:
    session = Session.objects.visible_to(request.user).filter(pk=session_pk).values_list("engagement_id", flat=True)
    engagement_id = session.first()
    if engagement_id is None:
        raise Http404("No such session")
    return _team_actor(request, engagement_id)


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, _team_session_actor(request, pk), pk)


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _cancel(request, _team_session_actor(request, pk), pk)


@assistant_link
def assistant(request: HttpRequest, actor: Actor) -> HttpResponse:
    upcoming = selectors.upcoming_sessions(engagement=actor.engagement)
    view = selectors.booking_view(engagement=actor.engagement)
    context = {"actor": actor, "upcoming": upcoming, "view": view, "tz": actor.tz}
    return render(request, "booking/assistant.html", context)


@assistant_link
def assistant_book(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _book(request, actor)


@assistant_link
def assistant_move(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _move(request, actor, pk)


@assistant_link
def assistant_cancel(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    return _cancel(request, actor, pk)


# --- The leader's assistants ---------------------------------------------------------------------


def _leader_engagement(request: HttpRequest, pk: int) -> Engagement:
    engagement = get_engagement_for(request, pk)
    if engagement.leader_id != request.user.pk:
        raise PermissionDenied(_("Only the leader names scheduling assistants."))
    return engagement


@login_required
def assistant_add(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _leader_engagement(request, pk)
    form = AssistantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.assistant_add(engagement=engagement, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Your assistant will receive their link by e-mail."))
                return redirect(reverse("engagements:detail", args=[pk]) + "#booking-h")
        status = 422
    return render(request, "booking/assistant_form.html", {"form": form, "engagement": engagement}, status=status)


@login_required
@require_POST
def assistant_remove(request: HttpRequest, pk: int, assistant_pk: int) -> HttpResponse:
    engagement = _leader_engagement(request, pk)
    if not services.assistant_revoke(engagement=engagement, pk=assistant_pk):
        raise Http404("No such assistant")
    messages.success(request, _("The assistant's link no longer works."))
    return redirect(reverse("engagements:detail", args=[pk]) + "#booking-h")


# --- The coach's availability --------------------------------------------------------------------


def _coach(request: HttpRequest):
    if not request.user.is_coach:
        raise PermissionDenied(_("Only coaches set availability."))
    return services.availability_get_or_create(coach=request.user)


def _availability_page(request: HttpRequest, availability, *, status: int = 200, **forms) -> HttpResponse:
    connection = CalendarConnection.objects.filter(coach=request.user).first()
    calendar_initial = {}
    if connection:
        calendar_initial = {"url": connection.url, "username": connection.username, "write_back": connection.write_back}
    context = {
        "availability": availability,
        "form": forms.get("form") or AvailabilityForm(instance=availability),
        "hours_form": forms.get("hours_form") or WeeklyHoursForm(),
        "exception_form": forms.get("exception_form") or ExceptionForm(),
        "calendar_form": forms.get("calendar_form") or CalendarForm(initial=calendar_initial),
        "hours": list(availability.weekly_hours.all()),
        "exceptions": list(availability.exceptions.filter(day__gte=timezone.localdate())),
        "connection": connection,
        "busy_count": connection.busy_periods.count() if connection else 0,
    }
    return render(request, "booking/availability.html", context, status=status)


@login_required
def availability(request: HttpRequest) -> HttpResponse:
    availability = _coach(request)
    if request.method == "POST":
        form = AvailabilityForm(request.POST, instance=availability)
        if form.is_valid():
            try:
                services.availability_update(availability=availability, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Booking rules saved."))
                return redirect("booking:availability")
        return _availability_page(request, availability, status=422, form=form)
    return _availability_page(request, availability)


@login_required
@require_POST
def hours_add(request: HttpRequest) -> HttpResponse:
    availability = _coach(request)
    form = WeeklyHoursForm(request.POST)
    if form.is_valid():
        try:
            services.weekly_hours_add(availability=availability, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Working hours added."))
            return redirect("booking:availability")
    return _availability_page(request, availability, status=422, hours_form=form)


@login_required
@require_POST
def hours_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.weekly_hours_remove(availability=_coach(request), pk=pk):
        raise Http404("No such hours")
    return redirect("booking:availability")


@login_required
@require_POST
def exception_add(request: HttpRequest) -> HttpResponse:
    availability = _coach(request)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            services.exception_add(availability=availability, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Exception added."))
            return redirect("booking:availability")
    return _availability_page(request, availability, status=422, exception_form=form)


@login_required
@require_POST
def exception_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.exception_remove(availability=_coach(request), pk=pk):
        raise Http404("No such exception")
    return redirect("booking:availability")


@login_required
@require_POST
def calendar_connect(request: HttpRequest) -> HttpResponse:
    availability = _coach(request)
    form = CalendarForm(request.POST)
    if form.is_valid():
        try:
            services.calendar_connect(coach=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Calendar saved. Its busy time is being read now."))
            return redirect("booking:availability")
    return _availability_page(request, availability, status=422, calendar_form=form)


@login_required
@require_POST
def calendar_disconnect(request: HttpRequest) -> HttpResponse:
    _coach(request)
    services.calendar_disconnect(coach=request.user)
    messages.success(request, _("Calendar disconnected; its busy time no longer blocks slots."))
    return redirect("booking:availability")


@login_required
@require_POST
def calendar_sync(request: HttpRequest) -> HttpResponse:
    _coach(request)
    connection = CalendarConnection.objects.filter(coach=request.user).first()
    if connection is not None:
        services.calendar_sync_soon(connection=connection)
        messages.success(request, _("Reading your calendar now. Refresh in a moment."))
    return redirect("booking:availability")
