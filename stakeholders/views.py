"""Stakeholder feedback pages for the coach and the leader, and the stakeholder's private answer page.

Sponsors and other coaches never reach the signed-in pages: every object is fetched through the
engagement's coach or leader, so it is a 404 for anyone else.
"""

from __future__ import annotations

import time
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.forms import apply_validation_error
from accounts.http import client_ip
from accounts.idempotency import created_with
from coaching import pagecache
from engagements.access import get_engagement_for
from engagements.models import Engagement

from . import charts, selectors, services
from .forms import (
    AnswerForm,
    CloseRoundForm,
    RoundEditForm,
    RoundForm,
    StakeholderEditForm,
    StakeholderForm,
    ThresholdForm,
)
from .models import FeedbackRequest, FeedbackResponse, FeedbackRound, Relationship, Stakeholder, reading_language

PRIVATE_LINK_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
# Each link on its own: one stakeholder opening, correcting and sending their answer never gets near it.
LINK_REQUESTS_PER_MINUTE = 30
# Unknown or malformed links, per address: someone guessing. Colleagues behind one company address
# each use their own valid link, which this limit never counts.
LINK_GUESSES_PER_MINUTE = 20


# --- Access helpers -----------------------------------------------------------------------------


def _get_round_for(request: HttpRequest, pk: int, *, coach_only: bool = False) -> FeedbackRound:
    """The round `pk` with engagement, coach and leader (one query), for its coach (and leader)."""
    qs = (
        FeedbackRound.objects.managed_by(request.user) if coach_only else FeedbackRound.objects.visible_to(request.user)
    )
    try:
        return selectors.round_detail(round_qs=qs, pk=pk)
    except FeedbackRound.DoesNotExist:
        raise Http404("No such feedback round") from None


def _get_stakeholder(engagement: Engagement, pk: int) -> Stakeholder:
    stakeholder = get_object_or_404(Stakeholder.objects.filter(engagement=engagement), pk=pk)
    stakeholder.engagement = engagement
    return stakeholder


def _overview(engagement: Engagement) -> HttpResponse:
    return redirect("stakeholders:overview", pk=engagement.pk)


# --- Overview and roster ------------------------------------------------------------------------


def _roster_context(request: HttpRequest, engagement: Engagement) -> dict:
    return {
        "engagement": engagement,
        "is_coach": engagement.coach_id == request.user.pk,
        "roster": selectors.roster_for(engagement=engagement),
        "can_nominate": request.user.has_perm("stakeholders.nominate_stakeholder", engagement),
    }


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Roster, rounds, the trend per goal and the anonymity threshold, for the coach and the leader."""
    engagement = get_engagement_for(request, pk)
    context = _roster_context(request, engagement)
    trend = selectors.trend_for(engagement=engagement)
    locked = selectors.round_locked(engagement=engagement)
    context.update(
        rounds=selectors.rounds_for(engagement=engagement),
        trend=[
            (goal, points, charts.trend_chart(goal=goal, points=points, chart_id=f"chart-trend-{goal.pk}"))
            for goal, points in trend.items()
        ],
        threshold_locked=locked,
        threshold_form=ThresholdForm(initial={"anonymity_threshold": engagement.anonymity_threshold}),
    )
    return render(request, "stakeholders/overview.html", context)


@login_required
def stakeholder_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader nominates a stakeholder (the coach approves later); the coach adds one directly."""
    engagement = get_engagement_for(request, pk)
    if not request.user.has_perm("stakeholders.nominate_stakeholder", engagement):
        raise PermissionDenied(gettext("This engagement has ended."))
    form = StakeholderForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            stakeholder = services.stakeholder_nominate(engagement=engagement, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if stakeholder.is_active:
                messages.success(
                    request,
                    gettext("%(name)s is on the roster and will be asked in the next round.")
                    % {"name": stakeholder.name},
                )
            else:
                messages.success(
                    request,
                    gettext("%(name)s is nominated. Your coach approves nominations.") % {"name": stakeholder.name},
                )
            return _overview(engagement)
    is_coach = engagement.coach_id == request.user.pk
    return render(
        request, "stakeholders/stakeholder_form.html", {"form": form, "engagement": engagement, "is_coach": is_coach}
    )


@login_required
def stakeholder_edit(request: HttpRequest, pk: int, stakeholder_pk: int) -> HttpResponse:
    engagement = get_engagement_for(request, pk, coach_only=True)
    stakeholder = _get_stakeholder(engagement, stakeholder_pk)
    initial = {
        "name": stakeholder.name,
        "email": stakeholder.email,
        "relationship": stakeholder.relationship,
        "language": stakeholder.reading_language,
        "goals": list(stakeholder.goals.all()),
    }
    form = StakeholderEditForm(request.POST or None, initial=initial, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            relinked_before = stakeholder.email_changed_at
            services.stakeholder_update(stakeholder=stakeholder, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            text = gettext("%(name)s saved.") % {"name": stakeholder.name}
            if stakeholder.email_changed_at != relinked_before and stakeholder.email_change_sent_link:
                text += " " + gettext(
                    "Their earlier link no longer works; a new one is queued for %(email)s."
                    " %(leader)s sees the change on the roster."
                ) % {"email": stakeholder.email, "leader": engagement.leader.get_short_name()}
            messages.success(request, text)
            return _overview(engagement)
    return render(
        request,
        "stakeholders/stakeholder_form.html",
        {"form": form, "engagement": engagement, "stakeholder": stakeholder, "is_coach": True},
    )


@login_required
@require_POST
def stakeholder_approve(request: HttpRequest, pk: int, stakeholder_pk: int) -> HttpResponse:
    """Approves a nomination or reactivates a stakeholder. htmx gets the roster fragment back."""
    engagement = get_engagement_for(request, pk, coach_only=True)
    stakeholder = _get_stakeholder(engagement, stakeholder_pk)
    services.stakeholder_approve(stakeholder=stakeholder)
    notice = gettext("%(name)s is active and will be asked in the next round.") % {"name": stakeholder.name}
    if request.htmx:
        return render(request, "stakeholders/_roster.html", {**_roster_context(request, engagement), "notice": notice})
    messages.success(request, notice)
    return _overview(engagement)


@login_required
@require_POST
def stakeholder_deactivate(request: HttpRequest, pk: int, stakeholder_pk: int) -> HttpResponse:
    engagement = get_engagement_for(request, pk, coach_only=True)
    stakeholder = _get_stakeholder(engagement, stakeholder_pk)
    services.stakeholder_deactivate(stakeholder=stakeholder)
    messages.success(
        request,
        gettext("%(name)s will not be asked again. Their past answers stay in the results.")
        % {"name": stakeholder.name},
    )
    return _overview(engagement)


@login_required
@require_POST
def stakeholder_remove(request: HttpRequest, pk: int, stakeholder_pk: int) -> HttpResponse:
    """The coach removes someone never asked; the leader withdraws their own waiting nomination."""
    engagement = get_engagement_for(request, pk)
    stakeholder = _get_stakeholder(engagement, stakeholder_pk)
    if not request.user.has_perm("stakeholders.remove_stakeholder", stakeholder):
        raise PermissionDenied(gettext("Only the coach can remove this stakeholder."))
    try:
        services.stakeholder_remove(stakeholder=stakeholder, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("%(name)s removed from the roster.") % {"name": stakeholder.name})
    return _overview(engagement)


@login_required
@require_POST
def threshold(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_engagement_for(request, pk, coach_only=True)
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose a threshold from 2 to 10."))
    else:
        try:
            services.engagement_set_threshold(engagement=engagement, threshold=form.cleaned_data["anonymity_threshold"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("Groups now need at least %(threshold)s answers to be shown.")
                % {"threshold": engagement.anonymity_threshold},
            )
    return _overview(engagement)


# --- Rounds -------------------------------------------------------------------------------------


@login_required
def round_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Plans a round; "Open now" also opens it, which e-mails every active stakeholder their link."""
    engagement = get_engagement_for(request, pk, coach_only=True)
    has_baseline = FeedbackRound.objects.filter(engagement=engagement, kind=FeedbackRound.Kind.BASELINE).exists()
    form = RoundForm(request.POST or None, initial=RoundForm.defaults(has_baseline=has_baseline))
    if request.method == "POST" and form.is_valid():
        try:
            feedback_round = services.round_create(engagement=engagement, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if "open" in request.POST:
                return _open(request, feedback_round)
            messages.success(request, gettext("Round saved as a draft. Open it when you are ready to ask."))
            return redirect("stakeholders:round", pk=feedback_round.pk)
    return render(request, "stakeholders/round_form.html", {"form": form, "engagement": engagement})


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    feedback_round = _get_round_for(request, pk, coach_only=True)
    if feedback_round.status != FeedbackRound.Status.DRAFT:
        messages.info(request, gettext("This round has opened; its questions and dates are fixed."))
        return redirect("stakeholders:round", pk=feedback_round.pk)
    initial = {
        "kind": feedback_round.kind,
        "opens_on": feedback_round.opens_on,
        "closes_on": feedback_round.closes_on,
        "ask_support": feedback_round.ask_support,
        "ask_organisation": feedback_round.ask_organisation,
    }
    form = RoundEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(feedback_round=feedback_round, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            if "open" in request.POST:
                return _open(request, feedback_round)
            messages.success(request, gettext("Draft round saved."))
            return redirect("stakeholders:round", pk=feedback_round.pk)
    return render(
        request,
        "stakeholders/round_form.html",
        {"form": form, "engagement": feedback_round.engagement, "round": feedback_round},
    )


def _open(request: HttpRequest, feedback_round: FeedbackRound) -> HttpResponse:
    try:
        created = services.round_open(feedback_round=feedback_round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            n = len(created)
            messages.success(
                request,
                ngettext(
                    "Round open. %(count)d private link is on the way by e-mail.",
                    "Round open. %(count)d private links are on the way by e-mail.",
                    n,
                )
                % {"count": n},
            )
        else:
            messages.info(request, gettext("Everyone active has been asked already."))
    return redirect("stakeholders:round", pk=feedback_round.pk)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's page for one round: who has been asked, e-mail delivery, open and close."""
    return _render_round(request, _get_round_for(request, pk, coach_only=True))


def _render_round(
    request: HttpRequest, feedback_round: FeedbackRound, *, close_form: CloseRoundForm | None = None, status: int = 200
) -> HttpResponse:
    requests = selectors.requests_for(feedback_round=feedback_round)
    answered = sum(1 for r in requests if r.answered_at)
    asked = sum(1 for r in requests if not r.withdrawn_at)
    context = {
        "round": feedback_round,
        "engagement": feedback_round.engagement,
        "requests": requests,
        "asked": asked,
        "answered": answered,
        "failed": [r for r in requests if r.delivery and r.delivery.status == "failed" and r.is_pending],
        "not_yet_asked": selectors.not_yet_asked(feedback_round=feedback_round)
        if feedback_round.status != FeedbackRound.Status.CLOSED
        else [],
        "close_form": close_form or CloseRoundForm(initial={"next_in_weeks": 8}),
    }
    return render(request, "stakeholders/round_detail.html", context, status=status)


@login_required
@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    feedback_round = _get_round_for(request, pk, coach_only=True)
    return _open(request, feedback_round)


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    feedback_round = _get_round_for(request, pk, coach_only=True)
    form = CloseRoundForm(request.POST)
    if not form.is_valid():
        return _render_round(request, feedback_round, close_form=form, status=422)
    try:
        result = services.round_close(feedback_round=feedback_round, next_in_weeks=form.cleaned_data["next_in_weeks"])
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return _render_round(request, feedback_round, close_form=form, status=422)
    text = gettext("Round closed: its links no longer work and the results are ready.")
    if result.next_round:
        text += " " + gettext("The next round is planned for %(date)s.") % {
            "date": date_format(result.next_round.opens_on, "DATE_FORMAT")
        }
    messages.success(request, text)
    return redirect("stakeholders:results", pk=feedback_round.pk)


@login_required
@require_POST
def round_delete(request: HttpRequest, pk: int) -> HttpResponse:
    feedback_round = _get_round_for(request, pk, coach_only=True)
    try:
        services.round_delete(feedback_round=feedback_round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("stakeholders:round", pk=feedback_round.pk)
    messages.success(request, gettext("Draft round deleted."))
    return _overview(feedback_round.engagement)


@login_required
@require_POST
def request_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Sends one stakeholder's e-mail again, with the same link."""
    feedback_request = get_object_or_404(
        FeedbackRequest.objects.filter(round__engagement__coach=request.user).select_related(
            "stakeholder", "round__engagement"
        ),
        pk=pk,
    )
    seen = request.POST.get("send", "")
    try:
        notification = services.request_resend(
            request=feedback_request, seen_send=int(seen) if seen.isdigit() else None
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # Say what the outbox row says, not what we hope: the worker may not have it yet.
        if notification.status == notification.Status.SENT:
            messages.success(
                request,
                gettext("The e-mail to %(email)s has been sent again.") % {"email": feedback_request.stakeholder.email},
            )
        else:
            messages.success(
                request,
                gettext("The e-mail to %(email)s is queued. This page shows when it has been sent.")
                % {"email": feedback_request.stakeholder.email},
            )
    return redirect("stakeholders:round", pk=feedback_request.round_id)


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's results for the coach and the leader, with the trend per goal up to this round."""
    feedback_round = _get_round_for(request, pk)
    round_results = selectors.round_results(feedback_round=feedback_round)
    trend = (
        selectors.trend_for(engagement=feedback_round.engagement, up_to=feedback_round)
        if round_results.released
        else {}
    )
    goals = []
    for goal_result in round_results.goals:
        bars = charts.distribution_bars(goal_result.everyone) if goal_result.everyone.shown else None
        points = trend.get(goal_result.goal, [])
        goal = goal_result.goal
        chart = (
            charts.trend_chart(goal=goal, points=points, chart_id=f"chart-results-{goal.pk}")
            if len(points) > 1
            else None
        )
        goals.append((goal_result, bars, points, chart))
    context = {
        "round": feedback_round,
        "engagement": feedback_round.engagement,
        "is_coach": feedback_round.engagement.coach_id == request.user.pk,
        "results": round_results,
        "goals": goals,
    }
    return render(request, "stakeholders/results.html", context)


# --- The private answer page ----------------------------------------------------------------------


def _count(key: str) -> int:
    """Adds one to the counter `key` for this minute and returns it. The cache fails open while Redis
    is unreachable (coaching/cache.py): every request then counts as the first, which is safe for a
    rate limit, so a stakeholder can still answer."""
    key = f"{key}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=120)
        return 1


def _over_rate_limit(request: HttpRequest, feedback_request: FeedbackRequest | None) -> bool:
    """A valid link is limited on its own (LINK_REQUESTS_PER_MINUTE), wherever its requests come from;
    unknown links are limited per address (LINK_GUESSES_PER_MINUTE)."""
    if feedback_request is None:
        return _count(f"stakeholders:link-guesses:{client_ip(request)}") > LINK_GUESSES_PER_MINUTE
    return _count(f"stakeholders:link-rate:{feedback_request.pk}") > LINK_REQUESTS_PER_MINUTE


def _link_language(request: HttpRequest, feedback_request: FeedbackRequest | None) -> str:
    if feedback_request is None:
        return translation.get_language()
    language = reading_language(stakeholder=feedback_request.stakeholder, engagement=feedback_request.round.engagement)
    request.LANGUAGE_CODE = language
    return language


def private_link(view):
    """Headers for pages that carry a private link (every answer, error pages included): nothing is
    cached and no address is sent on to another page. Also finds the link's request (one query, passed
    on to the view) and applies the rate limits."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "POST"):
            response = _unavailable(request, "method", status=405)
            response["Allow"] = "GET, POST"
        else:
            feedback_request = services.request_find(token=token)
            # A known link's pages are in the stakeholder's language (chosen for them), not the browser's.
            with translation.override(_link_language(request, feedback_request)):
                if _over_rate_limit(request, feedback_request):
                    response = _unavailable(request, "rate_limited", status=429)
                    response["Retry-After"] = "60"
                else:
                    response = view(request, token, feedback_request=feedback_request)
        for key, value in PRIVATE_LINK_HEADERS.items():
            response[key] = value
        return response

    return wrapper


def _unavailable(request: HttpRequest, reason: str, *, status: int, feedback_request=None) -> HttpResponse:
    leader = feedback_request.round.engagement.leader if feedback_request else None
    return render(request, "stakeholders/answer_unavailable.html", {"reason": reason, "leader": leader}, status=status)


def _sent_again(request: HttpRequest, feedback_request: FeedbackRequest) -> bool:
    """The form that gave this link's answer, sent once more (a double click): thank them again."""
    response = FeedbackResponse.objects.filter(request=feedback_request).first()
    return response is not None and created_with(key=request.POST.get("idempotency_key", ""), row=response)


@csrf_exempt
@private_link
def answer(request: HttpRequest, token: str, *, feedback_request: FeedbackRequest | None) -> HttpResponse:
    """A stakeholder's private page: no account, one answer, only while the round is open.

    Unknown or malformed links are a 404; used, withdrawn and closed ones a 410 (including
    "already answered, thank you"). Invalid answers re-show the form with status 400 and store nothing.

    Exempt from CSRF checks: with `Referrer-Policy: no-referrer` browsers send `Origin: null` on the
    form's POST, which Django's origin check refuses. Nothing is lost: the secret token in the URL is
    itself the proof, and another site cannot forge a post to a link it does not know.

    `feedback_request` is the link's request, found by `private_link` (None for an unknown link).
    """
    if feedback_request is None:
        if services.link_revoked(token=token):
            return _unavailable(request, "revoked", status=410)
        return _unavailable(request, "unknown", status=404)
    reason = services.link_state(request=feedback_request)
    if reason == "answered" and request.method == "POST" and _sent_again(request, feedback_request):
        return render(request, "stakeholders/answer_thanks.html", {"leader": feedback_request.round.engagement.leader})
    if reason:
        return _unavailable(request, reason, status=410, feedback_request=feedback_request)
    feedback_round = feedback_request.round
    engagement = feedback_round.engagement
    # The blank form, cached for this link in its language (a post is never served from the cache).
    cached = pagecache.page(request, "stakeholder_answer", fragments=["form"], person=f"request:{feedback_request.pk}")
    if cached.complete:
        return render(request, "stakeholders/answer_form.html", {"pagecache": cached, "leader": engagement.leader})
    goals = list(feedback_request.goals.order_by("position", "pk"))
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        feedback_round=feedback_round,
        goals=goals,
        leader_name=engagement.leader.get_full_name(),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.response_submit(
                    request=feedback_request,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    **form.submission(),
                )
            except services.LinkUnusable as exc:
                return _unavailable(request, exc.reason, status=410, feedback_request=feedback_request)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                return render(request, "stakeholders/answer_thanks.html", {"leader": engagement.leader})
        status = 400
    context = {
        "form": form,
        "round": feedback_round,
        "leader": engagement.leader,
        "goals": goals,
        "is_manager": feedback_request.relationship == Relationship.MANAGER,
        "threshold": engagement.anonymity_threshold,
        "closes_on": feedback_round.closes_on,
        "pagecache": cached,
    }
    return render(request, "stakeholders/answer_form.html", context, status=status)
