"""Engagement and session pages for the coach and the leader. Sponsors never reach these views."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.forms import apply_validation_error
from accounts.http import client_ip
from accounts.languages import language_for_user
from accounts.models import Invitation, User
from accounts.selectors import invitation_states
from coaching import pagecache
from coaching.templatetags.inline_text import lower_inline

from . import selectors, services
from .access import get_engagement_for, safe_next_url
from .calendar import feed_calendar
from .forms import (
    AgendaItemForm,
    EngagementCreateForm,
    EngagementEditForm,
    GoalForm,
    MeetingRoomForm,
    NotesForm,
    OutcomeForm,
    SessionForm,
    SessionMoveForm,
    SponsorForm,
    StatusForm,
)
from .models import AgendaItem, CalendarFeed, Engagement, MeetingRoom, Session
from .panels import engagement_panels, session_panels


def _get_engagement_for(request: HttpRequest, pk: int, *, coach_only: bool = False) -> Engagement:
    """The engagement with session counts, sponsors and goals (see selectors.engagement_with_counts)."""
    return get_engagement_for(
        request,
        pk,
        coach_only=coach_only,
        shape=lambda qs: selectors.engagement_with_counts(qs).prefetch_related("sponsors", "goals"),
    )


def _get_session_for(request: HttpRequest, pk: int, *, coach_only: bool = False) -> Session:
    """The session `pk` with engagement, coach, leader and agenda, for its coach (and leader)."""
    qs = (
        Session.objects.filter(engagement__coach=request.user)
        if coach_only
        else Session.objects.visible_to(request.user)
    )
    try:
        return selectors.session_detail(session_qs=qs, pk=pk)
    except Session.DoesNotExist:
        raise Http404("No such session") from None


def _require_coach(request: HttpRequest) -> None:
    if not request.user.is_coach:
        raise PermissionDenied(_("Only coaches can do this."))


def _report_invitations(request: HttpRequest, result: services.EngagementResult) -> None:
    invited = [invitation.user.email for invitation in result.invitations]
    if invited:
        messages.success(
            request,
            ngettext(
                "Invitation on its way to %(addresses)s. The People section shows whether it was sent.",
                "Invitations on their way to %(addresses)s. The People section shows whether they were sent.",
                len(invited),
            )
            % {"addresses": ", ".join(invited)},
        )


@login_required
def engagement_create(request: HttpRequest) -> HttpResponse:
    _require_coach(request)
    form = EngagementCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sponsors = [(data["sponsor_name"], data["sponsor_email"])] if data.get("sponsor_email") else []
        try:
            with transaction.atomic():
                result = services.engagement_create(
                    coach=request.user,
                    leader_email=data["leader_email"],
                    leader_name=data["leader_name"],
                    organisation=data["organisation"],
                    start_date=data["start_date"],
                    planned_end_date=data["planned_end_date"],
                    planned_sessions=data["planned_sessions"],
                    cadence_days=data["cadence_days"],
                    sponsors=sponsors,
                    idempotency_key=data["idempotency_key"],
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            _report_invitations(request, result)
            messages.info(request, _("Now add one to three goals and schedule the kick-off session."))
            return redirect("engagements:detail", pk=result.engagement.pk)
    return render(request, "engagements/engagement_form.html", {"form": form, "creating": True})


@login_required
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The ledger panel shows who looked at the summary: the page follows both data versions.
    cached = pagecache.page(request, "engagement", fragments=["title", "content"], parts=[pk], groups=pagecache.GROUPS)
    if cached.complete:
        # Who may open it is still asked of the database (one query), cached or not.
        if not Engagement.objects.worked_by(request.user).filter(pk=pk).exists():
            raise Http404("No such engagement")
        return render(request, "engagements/engagement_detail.html", {"pagecache": cached, **cached.roles(request)})
    engagement = _get_engagement_for(request, pk)
    sessions = selectors.sessions_for_engagement(engagement=engagement)
    now = timezone.now()
    upcoming = [s for s in sessions if s.status == Session.Status.SCHEDULED and s.starts_at >= now]
    awaiting = [s for s in sessions if s.status == Session.Status.SCHEDULED and s.starts_at < now]
    past = [s for s in reversed(sessions) if s.status != Session.Status.SCHEDULED]
    is_coach = engagement.coach_id == request.user.pk
    context = {
        "engagement": engagement,
        "is_coach": is_coach,
        "goals": list(engagement.goals.all()),
        "sponsors": list(engagement.sponsors.all()),
        "upcoming": upcoming,
        "awaiting": awaiting,
        "past": past,
        "next_session": upcoming[0] if upcoming else None,
        "progress": engagement.progress(engagement.held_count),
        "agenda_form": AgendaItemForm(),
        "status_choices": [(s, Engagement.Status(s).label) for s in services.allowed_transitions(engagement)],
        "sponsor_form": SponsorForm(),
        "panels": engagement_panels(request, engagement),
    }
    if is_coach:
        states = invitation_states(engagement_id=engagement.pk)
        context["leader_invitation"] = states.get(engagement.leader_id)
        context["sponsors"] = [(sponsor, states.get(sponsor.pk)) for sponsor in context["sponsors"]]
    else:
        context["sponsors"] = [(sponsor, None) for sponsor in context["sponsors"]]
    context.update(pagecache=cached, **cached.roles(request))
    return render(request, "engagements/engagement_detail.html", context)


@login_required
def engagement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _get_engagement_for(request, pk, coach_only=True)
    initial = {
        "organisation": engagement.organisation,
        "start_date": engagement.start_date,
        "planned_end_date": engagement.planned_end_date,
        "planned_sessions": engagement.planned_sessions,
        "cadence_days": engagement.cadence_days,
        "cancellation_window_hours": engagement.cancellation_window_hours,
    }
    form = EngagementEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(engagement=engagement, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Engagement saved."))
            return redirect("engagements:detail", pk=engagement.pk)
    return render(request, "engagements/engagement_form.html", {"form": form, "engagement": engagement})


@login_required
@require_POST
def engagement_status(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _get_engagement_for(request, pk, coach_only=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
    else:
        try:
            services.engagement_set_status(engagement=engagement, status=form.cleaned_data["status"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The engagement is now %(status)s.") % {"status": lower_inline(engagement.get_status_display())},
            )
    return redirect("engagements:detail", pk=engagement.pk)


@login_required
def sponsor_add(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _get_engagement_for(request, pk, coach_only=True)
    form = SponsorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                result = services.sponsor_add(
                    engagement=engagement,
                    name=form.cleaned_data["sponsor_name"],
                    email=form.cleaned_data["sponsor_email"],
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            _report_invitations(request, result)
            messages.success(
                request, _("%(name)s now sponsors this engagement.") % {"name": form.cleaned_data["sponsor_name"]}
            )
            return redirect("engagements:detail", pk=engagement.pk)
    return render(request, "engagements/sponsor_form.html", {"form": form, "engagement": engagement})


@login_required
@require_POST
def sponsor_remove(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    engagement = _get_engagement_for(request, pk, coach_only=True)
    sponsor = get_object_or_404(engagement.sponsors.all(), pk=user_pk)
    services.sponsor_remove(engagement=engagement, sponsor=sponsor)
    messages.success(request, _("%(name)s no longer sponsors this engagement.") % {"name": sponsor})
    return redirect("engagements:detail", pk=engagement.pk)


@login_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    engagement = _get_engagement_for(request, pk, coach_only=True)
    people = {engagement.leader_id: Invitation.Role.LEADER}
    people.update({s.pk: Invitation.Role.SPONSOR for s in engagement.sponsors.all()})
    if user_pk not in people:
        raise Http404("Not part of this engagement")
    person = get_object_or_404(User, pk=user_pk)
    if services.invitation_resend(engagement=engagement, person=person, by=request.user) is None:
        messages.info(request, _("%(name)s already has an account and can sign in.") % {"name": person})
    else:
        messages.success(
            request,
            _("A new invitation to %(email)s is on its way; links in earlier invitations no longer work.")
            % {"email": person.email},
        )
    return redirect("engagements:detail", pk=engagement.pk)


@login_required
def goal_edit(request: HttpRequest, pk: int, goal_pk: int | None = None) -> HttpResponse:
    engagement = _get_engagement_for(request, pk, coach_only=True)
    goal = get_object_or_404(engagement.goals.all(), pk=goal_pk) if goal_pk else None
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_save(engagement=engagement, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Goal saved."))
            return redirect("engagements:detail", pk=engagement.pk)
    return render(request, "engagements/goal_form.html", {"form": form, "engagement": engagement, "goal": goal})


@login_required
@require_POST
def goal_delete(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    engagement = _get_engagement_for(request, pk, coach_only=True)
    goal = get_object_or_404(engagement.goals.all(), pk=goal_pk)
    services.goal_delete(goal=goal)
    messages.success(request, _("Goal “%(title)s” removed.") % {"title": goal.title})
    return redirect("engagements:detail", pk=engagement.pk)


@login_required
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _get_engagement_for(request, pk, coach_only=True)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_schedule(engagement=engagement, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if session.status == Session.Status.SCHEDULED:
                messages.success(request, _("Session scheduled. The invitations are on their way."))
            else:
                messages.success(
                    request,
                    _("Past session recorded: %(status)s.") % {"status": lower_inline(session.get_status_display())},
                )
            return redirect("engagements:session", pk=session.pk)
    return render(request, "engagements/session_form.html", {"form": form, "engagement": engagement})


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cached = pagecache.page(request, "session", fragments=["title", "content"], parts=[pk], groups=pagecache.GROUPS)
    if cached.complete:
        # Who may open it is still asked of the database (one query), cached or not.
        if not Session.objects.visible_to(request.user).filter(pk=pk).exists():
            raise Http404("No such session")
        return render(request, "engagements/session_detail.html", {"pagecache": cached, **cached.roles(request)})
    return _render_session(request, _get_session_for(request, pk), pagecache_=cached)


def _render_session(
    request: HttpRequest, session: Session, *, status: int = 200, pagecache_: pagecache.PageCache | None = None, **forms
) -> HttpResponse:
    """The session page; `forms` replace its blank forms (a bound form shown again with its errors).
    With `pagecache_` (a plain GET of the page) its fragments are stored for the next look."""
    engagement = session.engagement
    is_coach = engagement.coach_id == request.user.pk
    context = {
        "session": session,
        "engagement": engagement,
        "is_coach": is_coach,
        "agenda_form": AgendaItemForm(),
        "outcome_form": OutcomeForm(),
        "notes_form": NotesForm(
            initial={
                "shared_summary": session.shared_summary,
                "private_notes": session.private_notes,
                "summary_shared_with_sponsor": session.summary_shared_with_sponsor,
            }
        )
        if is_coach
        else None,
        "panels": session_panels(request, session),
        "pagecache": pagecache_,
        **(pagecache_.roles(request) if pagecache_ is not None else {}),
        **forms,
    }
    return render(request, "engagements/session_detail.html", context, status=status)


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for(request, pk, coach_only=True)
    initial = {
        "starts_at": timezone.localtime(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "kind": session.kind,
        "mode": session.mode,
        "location": session.location,
        "video_url": session.video_url,
    }
    form = SessionMoveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_reschedule(session=session, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Session moved. The leader and any sponsors get the updated invitation."))
            return redirect("engagements:session", pk=session.pk)
    return render(
        request, "engagements/session_form.html", {"form": form, "engagement": session.engagement, "session": session}
    )


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for(request, pk, coach_only=True)
    try:
        session = services.session_cancel(session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if session.status == Session.Status.LATE_CANCEL:
            messages.success(
                request,
                _(
                    "Session cancelled inside the %(hours)s-hour cancellation window: it counts as a late "
                    "cancellation. Attendees get the cancellation."
                )
                % {"hours": session.engagement.cancellation_window_hours},
            )
        else:
            messages.success(request, _("Session cancelled. Attendees get the cancellation."))
    return redirect("engagements:detail", pk=session.engagement_id)


@login_required
@require_POST
def session_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Records held / no-show / late cancel. An htmx request gets the outcome fragment back."""
    session = _get_session_for(request, pk, coach_only=True)
    form = OutcomeForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.session_record_outcome(session=session, status=form.cleaned_data["status"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Choose held, no-show or late cancellation.")
    if request.htmx:
        return render(
            request, "engagements/_session_outcome.html", {"session": session, "error": error, "is_coach": True}
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Recorded: %(status)s.") % {"status": lower_inline(session.get_status_display())})
    return redirect("engagements:session", pk=session.pk)


@login_required
def session_notes(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for(request, pk, coach_only=True)
    form = NotesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.session_write_notes(session=session, **form.cleaned_data)
        messages.success(request, _("Notes saved."))
        return redirect("engagements:session", pk=session.pk)
    if request.method == "GET":
        return redirect("engagements:session", pk=session.pk)
    return render(
        request,
        "engagements/session_detail.html",
        {
            "session": session,
            "engagement": session.engagement,
            "is_coach": True,
            "notes_form": form,
            "agenda_form": AgendaItemForm(),
            "outcome_form": OutcomeForm(),
            "panels": session_panels(request, session),
        },
    )


@login_required
@require_POST
def session_release(request: HttpRequest, pk: int) -> HttpResponse:
    session = _get_session_for(request, pk, coach_only=True)
    try:
        services.session_release_summary(session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Summary released: the sponsor can now read it."))
    return redirect("engagements:session", pk=session.pk)


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Adds a topic to a session's agenda (coach or leader). htmx gets the agenda list back."""
    session = _get_session_for(request, pk)
    if not request.user.has_perm("engagements.add_agenda_item", session.engagement):
        raise PermissionDenied
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        source = AgendaItem.Source.COACH if session.engagement.coach_id == request.user.pk else AgendaItem.Source.LEADER
        try:
            services.agenda_item_add(
                session=session,
                author=request.user,
                text=form.cleaned_data["text"],
                source=source,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            form = AgendaItemForm()
    if request.htmx:
        session = _get_session_for(request, pk)
        return render(request, "engagements/_agenda.html", {"session": session, "agenda_form": form, "can_add": True})
    if form.errors:  # without JavaScript: the session page, with the topic as typed and the message
        return _render_session(request, _get_session_for(request, pk), status=422, agenda_form=form)
    messages.success(request, _("Topic added to the agenda."))
    return redirect(safe_next_url(request, reverse("engagements:session", args=[session.pk])))


@login_required
@require_POST
def agenda_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    session = _get_session_for(request, pk)
    item = get_object_or_404(session.agenda_items.all(), pk=item_pk)
    try:
        services.agenda_item_delete(item=item, user=request.user)
    except PermissionDenied:
        messages.error(request, _("Only the person who added a topic, or the coach, can remove it."))
    if request.htmx:
        session = _get_session_for(request, pk)
        return render(
            request, "engagements/_agenda.html", {"session": session, "agenda_form": AgendaItemForm(), "can_add": True}
        )
    return redirect("engagements:session", pk=session.pk)


@login_required
@require_POST
def agenda_share(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The leader shows a topic of a three-way meeting to the sponsor (`shared=1`) or stops (`shared=0`)."""
    session = _get_session_for(request, pk)
    item = get_object_or_404(session.agenda_items.all(), pk=item_pk)
    item.session = session
    shared = request.POST.get("shared") == "1"
    try:
        services.agenda_item_share_with_sponsor(item=item, user=request.user, shared=shared)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if not request.htmx:
            messages.success(
                request,
                _("Your sponsor will see this topic.")
                if shared
                else _("This topic is no longer shown to your sponsor."),
            )
    if request.htmx:
        session = _get_session_for(request, pk)
        return render(
            request, "engagements/_agenda.html", {"session": session, "agenda_form": AgendaItemForm(), "can_add": True}
        )
    return redirect(safe_next_url(request, reverse("engagements:session", args=[session.pk])))


# --- Calendar feed and meeting room ---------------------------------------------------------------

FEED_GUESSES_PER_MINUTE = 20
FEED_READS_PER_MINUTE = 30


def _calendar_settings_context(request: HttpRequest, **extra) -> dict:
    feed = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first()
    token = services.calendar_feed_token(feed=feed) if feed is not None else None
    feed_url = settings.SITE_URL + reverse("engagements:calendar_feed", args=[token]) if token else ""
    context = {
        "feed": feed if token else None,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
        "is_coach": request.user.is_coach,
    }
    if request.user.is_coach and "room_form" not in extra:
        room = MeetingRoom.objects.filter(coach=request.user).first()
        context["room_form"] = MeetingRoomForm(initial={"url": room.url if room else ""})
    return {**context, **extra}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The person's private calendar feed link, how to subscribe, and (coaches) the meeting room."""
    return _no_store(render(request, "engagements/calendar_settings.html", _calendar_settings_context(request)))


@login_required
@require_POST
def calendar_feed_new(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_regenerate(user=request.user)
    messages.success(request, _("Your new calendar link is ready. The old link, if you had one, no longer works."))
    return redirect("engagements:calendar_settings")


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    if services.calendar_feed_revoke(user=request.user):
        messages.success(
            request, _("Your calendar link is turned off. Calendars subscribed to it get no more sessions.")
        )
    else:
        messages.info(request, _("You have no calendar link to turn off."))
    return redirect("engagements:calendar_settings")


@login_required
@require_POST
def meeting_room(request: HttpRequest) -> HttpResponse:
    _require_coach(request)
    form = MeetingRoomForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_room_save(coach=request.user, url=form.cleaned_data["url"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Meeting room saved."))
            return redirect("engagements:calendar_settings")
    context = _calendar_settings_context(request, room_form=form)
    return _no_store(render(request, "engagements/calendar_settings.html", context, status=422))


def _feed_rate_limited(request: HttpRequest, feed: CalendarFeed | None) -> bool:
    key = f"engagements:feed:{feed.pk}" if feed else f"engagements:feed-guess:{client_ip(request)}"
    limit = FEED_READS_PER_MINUTE if feed else FEED_GUESSES_PER_MINUTE
    key = f"{key}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        return False


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed (text/calendar). An unknown, revoked or forged link, or one of an inactive
    person, is a 404 with nothing in it; the link is the only credential, so it works without sign-in."""
    if request.method not in ("GET", "HEAD"):
        return _no_store(HttpResponse(status=405, headers={"Allow": "GET, HEAD"}))
    feed = services.calendar_feed_for_token(token=token)
    if _feed_rate_limited(request, feed):
        return _no_store(HttpResponse(_("Too many requests; try again in a minute."), status=429))
    if feed is None:
        return _no_store(HttpResponse(_("This calendar link does not work any more."), status=404))
    now = timezone.now()
    sessions = selectors.feed_sessions(user=feed.user, now=now)
    # In the language of the feed's owner: the calendar application that fetches it has no say.
    with translation.override(language_for_user(feed.user)):
        name = _("Coaching sessions of %(name)s") % {"name": feed.user}
        calendar = feed_calendar(sessions, name=name, now=now)
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="coaching.ics"'
    return _no_store(response)
