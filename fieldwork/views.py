"""Fieldwork pages: co-design at a session, practice logs, reviews, weekly reflections, the library.

Every object is fetched through a `visible_to(user)`-style queryset: a sponsor, another coach or
another leader gets a 404. htmx requests get fragment templates back; every form also works as a
plain POST without JavaScript.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.forms import apply_validation_error
from engagements.access import safe_next_url
from engagements.models import Engagement, Session

from . import selectors, services
from .charts import ratings_chart
from .forms import CommitmentForm, PracticeLogForm, ReflectionForm, ReviewForm, TemplateForm
from .models import Commitment, FieldworkTemplate, PracticeLog


def _get_session_for(request: HttpRequest, pk: int) -> Session:
    """The session `pk` with its engagement, for the engagement's coach and leader; else a 404."""
    try:
        return Session.objects.visible_to(request.user).select_related("engagement").get(pk=pk)
    except Session.DoesNotExist:
        raise Http404("No such session") from None


def _get_commitment_for(request: HttpRequest, pk: int) -> Commitment:
    """The commitment `pk` with its engagement, session and goal, for the coach and leader; else a 404."""
    try:
        return Commitment.objects.visible_to(request.user).select_related("engagement", "session", "goal").get(pk=pk)
    except Commitment.DoesNotExist:
        raise Http404("No such commitment") from None


def _session_url(session: Session) -> str:
    return reverse("engagements:session", args=[session.pk]) + "#fieldwork"


# --- Co-design at a session -----------------------------------------------------------------------


def _codesign_context(request: HttpRequest, session: Session, **extra) -> dict:
    context = selectors.session_fieldwork(session=session, user=request.user)
    if "add_form" not in extra:
        extra["add_form"] = CommitmentForm(goals=context["goals"], prefix=f"new{session.pk}")
    return {**context, **extra}


def _render_codesign(request: HttpRequest, session: Session, *, status: int = 200, **extra) -> HttpResponse:
    """The co-design rows as an htmx fragment, or as a page of its own without JavaScript."""
    context = _codesign_context(request, session, **extra)
    template = "fieldwork/_codesign.html" if request.htmx else "fieldwork/codesign_page.html"
    return render(request, template, {"panel": context, **context}, status=status)


def _require_codesign(request: HttpRequest, engagement: Engagement) -> None:
    if not request.user.has_perm("fieldwork.codesign", engagement):
        raise PermissionDenied(gettext("This engagement has ended; its fieldwork is closed."))


@login_required
def codesign(request: HttpRequest, pk: int) -> HttpResponse:
    """Commitments agreed at session `pk`, with the form to add one (coach and leader)."""
    session = _get_session_for(request, pk)
    return _render_codesign(request, session)


@login_required
def commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Adds one commitment at session `pk`. GET with `?template=<pk>` starts a row from the library."""
    session = _get_session_for(request, pk)
    engagement = session.engagement
    _require_codesign(request, engagement)
    goals = list(engagement.goals.all())
    prefix = f"new{session.pk}"
    if request.method != "POST":
        initial = {}
        template_pk = request.GET.get("template", "")
        if template_pk.isdigit():
            template = FieldworkTemplate.objects.owned_by(request.user).filter(pk=int(template_pk)).first()
            if template is not None:
                initial = CommitmentForm.initial_from_template(template, goals)
        form = CommitmentForm(goals=goals, prefix=prefix, initial=initial)
        return _render_codesign(request, session, add_form=form, add_open=True)
    form = CommitmentForm(request.POST, goals=goals, prefix=prefix)
    if form.is_valid():
        template_pk = form.cleaned_data.get("template")
        template = (
            FieldworkTemplate.objects.filter(coach_id=engagement.coach_id, pk=template_pk).first()
            if template_pk
            else None
        )
        try:
            commitment = services.commitment_create(
                session=session,
                author=request.user,
                template=template,
                idempotency_key=form.cleaned_data["idempotency_key"],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            note = gettext("Commitment added: “%(text)s”.") % {"text": commitment.text}
            if request.htmx:
                return _render_codesign(request, session, notice=note)
            messages.success(request, note)
            return redirect(safe_next_url(request, _session_url(session)))
    return _render_codesign(request, session, add_form=form, add_open=True)


@login_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edits a commitment in its row (htmx) or on the co-design page."""
    commitment = _get_commitment_for(request, pk)
    session, engagement = commitment.session, commitment.engagement
    session.engagement = engagement
    _require_codesign(request, engagement)
    goals = list(engagement.goals.all())
    prefix = f"c{commitment.pk}"
    if request.method != "POST":
        form = CommitmentForm(goals=goals, prefix=prefix, initial=CommitmentForm.initial_for(commitment))
        return _render_codesign(request, session, edit_form=form, editing=commitment.pk)
    form = CommitmentForm(request.POST, goals=goals, prefix=prefix)
    if form.is_valid():
        try:
            services.commitment_update(commitment=commitment, author=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if request.htmx:
                return _render_codesign(request, session, notice=gettext("Commitment saved."))
            messages.success(request, gettext("Commitment saved."))
            return redirect(safe_next_url(request, _session_url(session)))
    return _render_codesign(request, session, edit_form=form, editing=commitment.pk)


@login_required
@require_POST
def commitment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _get_commitment_for(request, pk)
    session = commitment.session
    session.engagement = commitment.engagement
    _require_codesign(request, commitment.engagement)
    error = notice = None
    try:
        services.commitment_delete(commitment=commitment, user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        notice = gettext("Commitment removed.")
    if request.htmx:
        return _render_codesign(request, session, notice=notice, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(safe_next_url(request, _session_url(session)))


@login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A commitment with its progress, logs and review (coach and leader)."""
    try:
        commitment = selectors.commitment_detail(commitment_qs=Commitment.objects.visible_to(request.user), pk=pk)
    except Commitment.DoesNotExist:
        raise Http404("No such commitment") from None
    engagement = commitment.engagement
    now = timezone.now()
    context = {
        "commitment": commitment,
        "engagement": engagement,
        "is_leader": engagement.leader_id == request.user.pk,
        "is_coach": engagement.coach_id == request.user.pk,
        "percent": commitment.progress_percent(commitment.logged_count),
        "logs": [(log, log.author_id == request.user.pk and log.is_editable(now)) for log in commitment.logs.all()],
        "can_log": engagement.leader_id == request.user.pk and commitment.is_open and not engagement.is_finished,
    }
    return render(request, "fieldwork/commitment_detail.html", context)


# --- Practice logs --------------------------------------------------------------------------------


@login_required
def log_practice(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader logs one attempt: quick (one line), full (seven questions) or "could not do it"."""
    commitment = _get_commitment_for(request, pk)
    engagement = commitment.engagement
    if engagement.leader_id != request.user.pk:
        raise PermissionDenied(gettext("Only the leader logs practice on their commitments."))
    mode = request.GET.get("mode", "quick")
    form = PracticeLogForm(request.POST or None, mode=mode)
    closed = not commitment.is_open or engagement.is_finished
    if request.method == "POST" and not closed and form.is_valid():
        try:
            log = services.practice_log(
                commitment=commitment,
                author=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            logged = commitment.logs.filter(kind=PracticeLog.Kind.PRACTISED).count()
            if log.kind == PracticeLog.Kind.COULD_NOT:
                messages.info(request, gettext("Noted. Bring what got in the way to your next session."))
            else:
                messages.success(
                    request,
                    gettext("Practice logged: %(logged)s of %(target)s attempts so far.")
                    % {"logged": logged, "target": commitment.target_count},
                )
            return redirect(safe_next_url(request, reverse("home")))
    logged = commitment.logs.filter(kind=PracticeLog.Kind.PRACTISED).count()
    context = {
        "commitment": commitment,
        "engagement": engagement,
        "form": form,
        "mode": form.mode,
        "closed": closed,
        "logged": logged,
        "percent": commitment.progress_percent(logged),
        "next": safe_next_url(request, ""),
    }
    return render(request, "fieldwork/log_form.html", context)


@login_required
def log_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author edits a log within 24 hours; afterwards the page shows it read-only."""
    log = get_object_or_404(
        PracticeLog.objects.filter(
            author=request.user, commitment__in=Commitment.objects.visible_to(request.user)
        ).select_related("commitment", "commitment__engagement", "commitment__session"),
        pk=pk,
    )
    commitment = log.commitment
    editable = request.user.has_perm("fieldwork.edit_log", log)
    initial, mode = PracticeLogForm.initial_for(log)
    form = PracticeLogForm(request.POST or None, mode=mode, initial=initial)
    if request.method == "POST":
        if not editable:
            messages.error(
                request, gettext("A log can be edited for 24 hours after it was written; this one is now read-only.")
            )
            return redirect("fieldwork:commitment", pk=commitment.pk)
        if form.is_valid():
            kwargs = form.service_kwargs()
            if mode == "quick":  # the quick form has no full fields: keep what the log already says
                kwargs.update({name: getattr(log, name) for name in PracticeLog.FULL_FIELDS})
            try:
                services.practice_log_update(log=log, author=request.user, **kwargs)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Log saved."))
                return redirect("fieldwork:commitment", pk=commitment.pk)
    context = {"log": log, "commitment": commitment, "form": form, "mode": form.mode, "editable": editable}
    return render(request, "fieldwork/log_edit.html", context)


# --- Review at the next session -------------------------------------------------------------------


@login_required
@require_POST
def commitment_review(request: HttpRequest, session_pk: int, pk: int) -> HttpResponse:
    """Reviews a commitment at session `session_pk`: done, partly or not done, with a reason."""
    session = _get_session_for(request, session_pk)
    try:
        commitment = selectors.commitment_detail(
            commitment_qs=Commitment.objects.visible_to(request.user).filter(engagement_id=session.engagement_id), pk=pk
        )
    except Commitment.DoesNotExist:
        raise Http404("No such commitment") from None
    if not request.user.has_perm("fieldwork.review_commitment", session.engagement):
        raise PermissionDenied
    form = ReviewForm(request.POST, prefix=f"r{commitment.pk}")
    error = notice = None
    result = None
    if form.is_valid():
        try:
            result = services.commitment_review(
                commitment=commitment, session=session, reviewer=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if result is not None:
        notice = gettext("Reviewed: %(outcome)s.") % {"outcome": commitment.get_outcome_display().lower()}
        if commitment.forgotten and (commitment.review_reason or "").strip():
            notice += " " + gettext("Counted as forgotten: “%(reason)s” does not say what got in the way.") % {
                "reason": commitment.review_reason.strip()
            }
        elif commitment.forgotten:
            notice += " " + gettext("Counted as forgotten: no reason was given.")
        if result.raised_attention:
            notice += " " + gettext("This is the second forgotten commitment: the engagement now needs attention.")
    if request.htmx or error:
        if result is not None:
            commitment = selectors.commitment_detail(commitment_qs=Commitment.objects.all(), pk=commitment.pk)
        context = {
            "c": commitment,
            "session": session,
            "is_coach": session.engagement.coach_id == request.user.pk,
            "can_review": True,
            "review_form": form if error else None,
            "review_error": error,
            "review_notice": notice,
            "needs_attention": result is not None and result.needs_attention,
        }
        if request.htmx:
            return render(request, "fieldwork/_review_item.html", context)
        # Without JavaScript a refused review is shown on a page of its own, with what was typed.
        return render(request, "fieldwork/review_page.html", context, status=422)
    messages.success(request, notice)
    return redirect(_session_url(session))


# --- Weekly reflection ----------------------------------------------------------------------------


def _leader_engagement(request: HttpRequest) -> Engagement | None:
    """The open engagement the signed-in leader reflects on: `?engagement=<pk>`, or their only one.

    None when they lead several and did not say which; a 404 when they lead none (or not that one).
    """
    qs = Engagement.objects.led_by(request.user).exclude(status__in=selectors.FINISHED).select_related("coach")
    raw = request.GET.get("engagement", "")
    if raw:
        if not raw.isdigit():
            raise Http404("No such engagement")
        return get_object_or_404(qs, pk=int(raw))
    engagements = list(qs[:2])
    if not engagements:
        raise Http404("You lead no open engagement")
    return engagements[0] if len(engagements) == 1 else None


@login_required
def reflection(request: HttpRequest) -> HttpResponse:
    """This ISO week's reflection (leader's own calendar): created the first time, edited after."""
    engagement = _leader_engagement(request)
    if engagement is None:
        choices = Engagement.objects.led_by(request.user).exclude(status__in=selectors.FINISHED).select_related("coach")
        return render(request, "fieldwork/reflection_choose.html", {"engagements": list(choices)})
    leader = request.user
    goals = list(engagement.goals.all())
    current = selectors.current_reflection(leader=leader, engagement=engagement)
    form = ReflectionForm(request.POST or None, goals=goals, reflection=current)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.reflection_save(
                leader=leader,
                engagement=engagement,
                wins=form.cleaned_data["wins"],
                struggles=form.cleaned_data["struggles"],
                topics=form.cleaned_data["topics"],
                ratings=form.ratings(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            text = gettext("Reflection saved.") if result.created else gettext("This week's reflection updated.")
            if result.topics_placed:
                n = len(result.topics_placed)
                when = timezone.localtime(result.session.starts_at)
                text += " " + ngettext(
                    "%(count)d topic added to the agenda of your session on %(day)s.",
                    "%(count)d topics added to the agenda of your session on %(day)s.",
                    n,
                ) % {"count": n, "day": date_format(when, "WEEKDAY_DATE")}
            if result.topics_waiting:
                text += " " + gettext(
                    "No session is booked yet: your topics will be added once your coach schedules one."
                )
            messages.success(request, text)
            return redirect("fieldwork:reflection_history", pk=engagement.pk)
    local_now = timezone.now().astimezone(leader.tz)
    year, week, weekday = local_now.isocalendar()
    week_start = local_now.date() - timedelta(days=weekday - 1)
    context = {
        "engagement": engagement,
        "form": form,
        "current": current,
        "week": {"number": week, "year": year, "start": week_start, "end": week_start + timedelta(days=6)},
        "next_session": Session.objects.filter(engagement=engagement).upcoming().first(),
        "query": f"?engagement={engagement.pk}" if request.GET.get("engagement") else "",
    }
    return render(request, "fieldwork/reflection_form.html", context)


@login_required
def reflection_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Reflections of an engagement, newest first, with the self-rating chart (coach and leader)."""
    engagement = get_object_or_404(Engagement.objects.worked_by(request.user).select_related("coach", "leader"), pk=pk)
    history = selectors.reflection_history(engagement=engagement)
    context = {
        "engagement": engagement,
        "is_leader": engagement.leader_id == request.user.pk,
        "chart": ratings_chart(reflections=history["reflections"], goals=history["goals"]),
        **history,
    }
    return render(request, "fieldwork/reflection_history.html", context)


# --- The coach's template library -----------------------------------------------------------------


def _require_coach(request: HttpRequest) -> None:
    if not request.user.is_coach:
        raise PermissionDenied(gettext("Only coaches keep a fieldwork library."))


@login_required
def library(request: HttpRequest) -> HttpResponse:
    """The coach's own fieldwork templates, with a form to add one."""
    _require_coach(request)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_save(coach=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("“%(title)s” added to your library.") % {"title": template.title})
            return redirect("fieldwork:library")
    return render(
        request, "fieldwork/library.html", {"templates": selectors.library_for(coach=request.user), "form": form}
    )


@login_required
def library_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(FieldworkTemplate.objects.owned_by(request.user), pk=pk)
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(coach=request.user, template=template, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Template saved."))
            return redirect("fieldwork:library")
    return render(request, "fieldwork/library_edit.html", {"form": form, "template": template})


@login_required
@require_POST
def library_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(FieldworkTemplate.objects.owned_by(request.user), pk=pk)
    services.template_delete(template=template, coach=request.user)
    messages.success(request, gettext("“%(title)s” removed from your library.") % {"title": template.title})
    return redirect("fieldwork:library")
