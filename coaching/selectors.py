"""Reads for the home pages. Each page's queries are fixed here, whatever the amount of data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext

from accounts.models import Invitation, Practice, User
from engagements import charts
from engagements.models import AgendaItem, Engagement, Session
from engagements.selectors import engagement_with_counts
from fieldwork.models import Commitment, PracticeLog, SelfRating
from fieldwork.selectors import fieldwork_counts, forgotten_counts, leader_home_fieldwork, needs_attention
from notifications.models import Notification
from stakeholders.models import FeedbackRequest, FeedbackRound, Relationship, Stakeholder
from stakeholders.selectors import released_trends

from .models import PartnershipCheckIn
from .templatetags.inline_text import lower_inline

OPEN_STATUSES = (Engagement.Status.DRAFT, Engagement.Status.ACTIVE, Engagement.Status.PAUSED)
NO_SHOW_WINDOW = timedelta(days=21)
ENDING_WINDOW = timedelta(weeks=3)
AWAITING_OUTCOME_LIMIT = 20
FAILED_NOTIFICATION_WINDOW = timedelta(days=14)
QUIET_PRACTICE = timedelta(days=14)
SELF_RATING_WEEKS = 12
ROUND_CLOSING_WINDOW = timedelta(days=3)
#: A partnership check-in scored this low (of 5) is a conversation the coach must start.
LOW_CHECKIN_SCORE = 2


@dataclass(frozen=True)
class AttentionItem:
    """One line of the coach's "needs attention" list. Lower `rank` comes first."""

    rank: int
    kind: str
    engagement: Engagement
    text: str
    url: str
    when: datetime | date | None = None


def _with_home_facts(qs: QuerySet[Engagement], *, now: datetime) -> QuerySet[Engagement]:
    """Session counts, next session, latest recent no-show and sessions waiting for an outcome: one query."""
    return engagement_with_counts(qs).annotate(
        recent_no_show_at=Max(
            "sessions__starts_at",
            filter=Q(sessions__status=Session.Status.NO_SHOW, sessions__starts_at__gte=now - NO_SHOW_WINDOW),
        ),
        awaiting_outcome_count=Count(
            "sessions", filter=Q(sessions__status=Session.Status.SCHEDULED, sessions__starts_at__lt=now), distinct=True
        ),
    )


def _with_practice_facts(qs: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """The last practice logged and the oldest commitment still open, as subqueries of the same query."""
    last_log = PracticeLog.objects.filter(commitment__engagement=OuterRef("pk"), kind=PracticeLog.Kind.PRACTISED)
    oldest_open = Commitment.objects.filter(engagement=OuterRef("pk"), outcome=Commitment.Outcome.OPEN)
    return qs.annotate(
        last_practice_at=Subquery(last_log.order_by("-occurred_at").values("occurred_at")[:1]),
        oldest_open_commitment_at=Subquery(oldest_open.order_by("created_at").values("created_at")[:1]),
    )


def _with_partnership_facts(qs: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """The latest partnership check-in's score and date, and stakeholder nominations waiting for the
    coach's approval, as subqueries of the same query."""
    latest_checkin = PartnershipCheckIn.objects.filter(engagement=OuterRef("pk")).order_by("-held_sessions", "-pk")
    nominations = (
        Stakeholder.objects.filter(engagement=OuterRef("pk"), status=Stakeholder.Status.NOMINATED)
        .order_by()
        .values("engagement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        latest_checkin_score=Subquery(latest_checkin.values("score")[:1]),
        latest_checkin_at=Subquery(latest_checkin.values("created_at")[:1]),
        nominations_waiting=Subquery(nominations[:1]),
    )


def practice_quiet_since(e: Engagement) -> datetime | None:
    """Since when the leader has logged no practice although a commitment is open, or None if nothing is open.

    The later of the last attempt logged and the oldest open commitment: a commitment agreed yesterday
    is not yet a silence, and neither is one practised last week.
    """
    if e.oldest_open_commitment_at is None:
        return None
    return max(filter(None, (e.last_practice_at, e.oldest_open_commitment_at)))


def _decorate_card(e: Engagement, *, today: date, fieldwork: dict[str, int]) -> None:
    """Progress figures for an engagement card: sessions held and time elapsed, as percentages."""
    e.progress_percent = e.progress(e.held_count)
    total_days = max((e.planned_end_date - e.start_date).days, 1)
    elapsed = min(max((today - e.start_date).days, 0), total_days)
    e.time_percent = round(100 * elapsed / total_days)
    e.week_number = elapsed // 7 + 1
    e.total_weeks = -(-total_days // 7)
    e.fieldwork_reviewed = fieldwork["reviewed"]
    e.fieldwork_completed = fieldwork["completed"]
    e.fieldwork_percent = round(100 * fieldwork["completed"] / fieldwork["reviewed"]) if fieldwork["reviewed"] else None


def _failed_notifications(*, engagement_ids: list[int], now: datetime) -> dict[int, tuple[int, datetime]]:
    """E-mails of these engagements that could not be sent in the last two weeks: count and latest (one query)."""
    rows = (
        Notification.objects.filter(
            engagement_id__in=engagement_ids,
            status=Notification.Status.FAILED,
            due_at__gte=now - FAILED_NOTIFICATION_WINDOW,
        )
        .values("engagement_id")
        .annotate(n=Count("pk"), latest=Max("due_at"))
        .order_by()
    )
    return {row["engagement_id"]: (row["n"], row["latest"]) for row in rows}


def _rounds_closing_short(*, engagements: list[Engagement], today: date) -> dict[int, list[AttentionItem]]:
    """Open feedback rounds closing within three days in which a rater group that could still reach
    the anonymity threshold has not (enough people asked, too few answers yet). One query.

    A group asked fewer times than the threshold can never be shown, so nudging would not help: it
    is left out of this list.
    """
    by_pk = {e.pk: e for e in engagements}
    rows = (
        FeedbackRequest.objects.filter(
            round__engagement_id__in=list(by_pk),
            round__status=FeedbackRound.Status.OPEN,
            round__closes_on__gte=today,
            round__closes_on__lte=today + ROUND_CLOSING_WINDOW,
            withdrawn_at__isnull=True,
        )
        .values(
            "round_id", "round__engagement_id", "round__kind", "round__sequence", "round__closes_on", "relationship"
        )
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        .order_by("round__closes_on", "round_id", "relationship")
    )
    short: dict[int, dict] = {}
    for row in rows:
        engagement = by_pk[row["round__engagement_id"]]
        k = engagement.anonymity_threshold
        if row["asked"] < k or row["answered"] >= k:
            continue
        entry = short.setdefault(row["round_id"], {"row": row, "groups": []})
        entry["groups"].append(
            gettext("%(group)s %(answered)d of %(needed)d")
            % {
                "group": lower_inline(Relationship.plural(row["relationship"])),
                "answered": row["answered"],
                "needed": k,
            }
        )
    items: dict[int, list[AttentionItem]] = {}
    for round_id, entry in short.items():
        row = entry["row"]
        label = FeedbackRound(kind=row["round__kind"], sequence=row["round__sequence"]).label
        days = (row["round__closes_on"] - today).days
        values = {"round": label, "days": days, "groups": ", ".join(entry["groups"])}
        if days == 0:
            text = gettext("%(round)s closes today with too few answers: %(groups)s") % values
        elif days == 1:
            text = gettext("%(round)s closes tomorrow with too few answers: %(groups)s") % values
        else:
            text = (
                ngettext(
                    "%(round)s closes in %(days)d day with too few answers: %(groups)s",
                    "%(round)s closes in %(days)d days with too few answers: %(groups)s",
                    days,
                )
                % values
            )
        engagement = by_pk[row["round__engagement_id"]]
        url = reverse("stakeholders:round", args=[round_id])
        items.setdefault(engagement.pk, []).append(
            AttentionItem(5, "round_closing", engagement, text, url, row["round__closes_on"])
        )
    return items


def _attention(
    engagements: list[Engagement],
    awaiting: list[Session],
    *,
    failed: dict[int, tuple[int, datetime]],
    forgotten: dict[int, int],
    rounds: dict[int, list[AttentionItem]],
    now: datetime,
    today: date,
) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    for e in engagements:
        url = reverse("engagements:detail", args=[e.pk])
        if e.pk in failed:
            n, latest = failed[e.pk]
            text = ngettext("%(count)d e-mail could not be sent", "%(count)d e-mails could not be sent", n) % {
                "count": n
            }
            outbox = reverse("engagement_outbox", args=[e.pk])
            items.append(AttentionItem(1, "failed_notifications", e, text, outbox, latest))
        if e.recent_no_show_at:
            text = gettext("No-show: follow up with the leader")
            items.append(AttentionItem(0, "no_show", e, text, url, e.recent_no_show_at))
        items.extend(rounds.get(e.pk, []))
        if needs_attention(forgotten.get(e.pk, 0)):
            n = forgotten[e.pk]
            text = ngettext(
                "%(count)d commitment forgotten: talk it through", "%(count)d commitments forgotten: talk it through", n
            ) % {"count": n}
            items.append(AttentionItem(3, "forgotten", e, text, url))
        if e.latest_checkin_score is not None and e.latest_checkin_score <= LOW_CHECKIN_SCORE:
            text = gettext("Partnership check-in scored %(score)d of 5: talk about how the coaching is working") % {
                "score": e.latest_checkin_score
            }
            items.append(AttentionItem(1, "low_checkin", e, text, url, e.latest_checkin_at))
        if e.nominations_waiting:
            text = ngettext(
                "%(count)d stakeholder nomination waiting for your approval",
                "%(count)d stakeholder nominations waiting for your approval",
                e.nominations_waiting,
            ) % {"count": e.nominations_waiting}
            items.append(AttentionItem(5, "nominations", e, text, reverse("stakeholders:overview", args=[e.pk])))
        if e.status == Engagement.Status.DRAFT and e.next_session_at is None:
            items.append(AttentionItem(6, "no_next_session", e, gettext("No next session booked"), url))
        if e.status != Engagement.Status.ACTIVE:
            continue
        quiet_since = practice_quiet_since(e)
        if quiet_since is not None and quiet_since <= now - QUIET_PRACTICE:
            days = (now - quiet_since).days
            text = ngettext("No practice logged for %(days)d day", "No practice logged for %(days)d days", days) % {
                "days": days
            }
            items.append(AttentionItem(4, "no_practice", e, text, url, quiet_since))
        if e.next_session_at is None:
            items.append(AttentionItem(6, "no_next_session", e, gettext("No next session booked"), url))
        if today <= e.planned_end_date <= today + ENDING_WINDOW:
            days = (e.planned_end_date - today).days
            text = (
                gettext("Ends today")
                if days == 0
                else ngettext("Ends in %(days)d day: plan the closing", "Ends in %(days)d days: plan the closing", days)
                % {"days": days}
            )
            items.append(AttentionItem(7, "ending_soon", e, text, url, e.planned_end_date))
    for s in awaiting:
        items.append(
            AttentionItem(
                2,
                "awaiting_outcome",
                s.engagement,
                gettext("Record the outcome of the session"),
                reverse("engagements:session", args=[s.pk]),
                s.starts_at,
            )
        )
    return sorted(items, key=lambda i: (i.rank, str(i.engagement.leader), i.engagement.pk))


def coach_home(*, coach: User, status: str = "") -> dict:
    """The coach's "needs attention" list, this week's sessions and engagement cards filtered by status.

    Queries, whatever the number of engagements and sessions: open engagements with their counts and
    last practice (1), their goals (1), sessions waiting for an outcome (1), failed e-mails (1),
    forgotten commitments (1), feedback rounds closing short (1), fieldwork counts of the cards (1),
    this week's sessions (1); with a status filter other than "open", the filtered cards and their
    goals (2 more).
    """
    now = timezone.now()
    today = timezone.localdate()
    open_engagements = list(
        _with_partnership_facts(
            _with_practice_facts(
                _with_home_facts(Engagement.objects.coached_by(coach).filter(status__in=OPEN_STATUSES), now=now)
            )
        )
        .prefetch_related("goals")
        .order_by("status", "-start_date", "pk")
    )
    awaiting = list(
        Session.objects.filter(engagement__coach=coach, status=Session.Status.SCHEDULED, starts_at__lt=now)
        .select_related("engagement", "engagement__leader")
        .order_by("starts_at")[:AWAITING_OUTCOME_LIMIT]
    )
    open_ids = [e.pk for e in open_engagements]
    failed = _failed_notifications(engagement_ids=open_ids, now=now)
    forgotten = forgotten_counts(engagement_ids=open_ids)
    rounds = _rounds_closing_short(engagements=open_engagements, today=today)
    attention = _attention(
        open_engagements, awaiting, failed=failed, forgotten=forgotten, rounds=rounds, now=now, today=today
    )

    if status == "":
        cards = open_engagements
    else:
        qs = Engagement.objects.coached_by(coach)
        if status != "all":
            qs = qs.filter(status=status)
        cards = list(_with_home_facts(qs, now=now).prefetch_related("goals").order_by("status", "-start_date", "pk"))
    fieldwork = fieldwork_counts(engagement_ids=[e.pk for e in cards])
    for e in cards:
        _decorate_card(e, today=today, fieldwork=fieldwork[e.pk])

    week_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    this_week = list(
        Session.objects.filter(
            engagement__coach=coach,
            status__in=(Session.Status.SCHEDULED, Session.Status.HELD),
            starts_at__gte=week_start,
            starts_at__lt=week_start + timedelta(days=7),
        )
        .select_related("engagement", "engagement__leader")
        .order_by("starts_at")
    )
    attention_engagements = {i.engagement.pk for i in attention}
    return {
        "engagements": cards,
        "attention": attention,
        "attention_count": len(attention_engagements),
        "this_week": this_week,
        "now": now,
    }


def _attach_self_rating_trends(engagements: list[Engagement], *, now: datetime) -> None:
    """Each goal of these engagements gets its recent weekly self-ratings as a sparkline (one query).

    Sets `goal.rating` (latest score or None), `goal.rating_change` (("up" or "down", by how much)
    against the reflection before, or None) and `goal.rating_chart`.
    """
    goals = [g for e in engagements for g in e.goals.all()]
    rows = (
        SelfRating.objects.filter(
            goal__in=[g.pk for g in goals], reflection__created_at__gte=now - timedelta(weeks=SELF_RATING_WEEKS)
        )
        .order_by("reflection__iso_year", "reflection__iso_week")
        .values_list("goal_id", "reflection__iso_week", "score")
    )
    by_goal: dict[int, list[tuple[str, int]]] = {}
    for goal_id, week, score in rows:
        by_goal.setdefault(goal_id, []).append((gettext("Week %(number)s") % {"number": week}, score))
    for goal in goals:
        points = by_goal.get(goal.pk, [])
        goal.rating = points[-1][1] if points else None
        change = points[-1][1] - points[-2][1] if len(points) > 1 else 0
        goal.rating_change = ("up" if change > 0 else "down", abs(change)) if change else None
        goal.rating_chart = (
            charts.sparkline(
                chart_id=f"rating-{goal.pk}",
                title=gettext("Your rating of “%(goal)s”") % {"goal": goal.title},
                description=ngettext(
                    "Your weekly self-rating from 1 to 10 over the last %(count)d reflection.",
                    "Your weekly self-rating from 1 to 10 over the last %(count)d reflections.",
                    len(points),
                )
                % {"count": len(points)},
                labels=[label for label, _ in points],
                values=[score for _, score in points],
                low=1,
                high=10,
            )
            if points
            else None
        )


def _attach_stakeholder_trends(engagements: list[Engagement]) -> None:
    """Each goal gets the stakeholders' net score across closed rounds (`goal.stakeholder_net`, latest,
    and `goal.stakeholder_chart`), anonymity rules applied by the stakeholders app.

    Three queries whatever the number of engagements.
    """
    trends = released_trends(engagements=engagements) if engagements else {}
    for e in engagements:
        by_goal = {goal.pk: points for goal, points in trends[e.pk].items()}
        for goal in e.goals.all():
            points = [p for p in by_goal.get(goal.pk, []) if p.net is not None]
            goal.stakeholder_net = points[-1] if points else None
            goal.stakeholder_net_text = f"{points[-1].net:+.1f}" if points else ""
            goal.stakeholder_chart = (
                charts.sparkline(
                    chart_id=f"stakeholders-{goal.pk}",
                    title=gettext("Stakeholders' net score for “%(goal)s”") % {"goal": goal.title},
                    description=gettext("Average stakeholder rating from -3 to +3 in each closed feedback round."),
                    labels=[p.label for p in points],
                    values=[round(p.net, 1) for p in points],
                    low=-3,
                    high=3,
                    value_header=gettext("Net score"),
                    label_header=pgettext("feedback round", "Round"),
                )
                if points
                else None
            )


def leader_home(*, leader: User) -> dict:
    """The leader's open engagements with goals, the next session and its agenda, the check-in if due.

    Queries: engagements with counts and the last check-in answered (1), goals (1), upcoming
    sessions (1) with their agenda items and authors (1), self-ratings of the goals (1), the
    stakeholder trend (3) and the fieldwork part (see
    `fieldwork.selectors.leader_home_fieldwork`).
    """
    now = timezone.now()
    upcoming = (
        Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__gte=now)
        .order_by("starts_at")
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("author")))
    )
    last_checkin = (
        PartnershipCheckIn.objects.filter(engagement=OuterRef("pk"))
        .order_by("-held_sessions")
        .values("held_sessions")[:1]
    )
    engagements = list(
        engagement_with_counts(Engagement.objects.led_by(leader))
        .annotate(last_checkin=Subquery(last_checkin))
        .prefetch_related("goals", Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"))
        .order_by("-start_date", "pk")
    )
    for e in engagements:
        e.progress_percent = e.progress(e.held_count)
        e.next_session = e.upcoming_sessions[0] if e.upcoming_sessions else None
        e.checkin_due = (
            PartnershipCheckIn.due_milestone(held_count=e.held_count, last_answered=e.last_checkin)
            if not e.is_finished
            else None
        )
    open_engagements = [e for e in engagements if not e.is_finished]
    _attach_self_rating_trends(open_engagements, now=now)
    _attach_stakeholder_trends(open_engagements)
    return {
        "engagements": open_engagements,
        "past_engagements": [e for e in engagements if e.is_finished],
        "fieldwork": leader_home_fieldwork(leader=leader),
        "checkin": next((e for e in engagements if e.checkin_due), None),
    }


def sponsor_home(*, sponsor: User) -> dict:
    """Engagements this person sponsors, with non-privileged facts only: one query, plus one for goals.

    Each engagement carries its latest released summary (text and date) and its next three-way meeting.
    """
    now = timezone.now()
    released = (
        Session.objects.filter(
            engagement=OuterRef("pk"),
            summary_shared_with_sponsor=True,
            summary_released_at__isnull=False,
        )
        .exclude(shared_summary="")
        .order_by("-starts_at", "-pk")
    )
    engagements = list(
        engagement_with_counts(Engagement.objects.sponsored_by(sponsor))
        .annotate(
            latest_summary=Subquery(released.values("shared_summary")[:1]),
            latest_summary_at=Subquery(released.values("starts_at")[:1]),
            next_three_way_at=Min(
                "sessions__starts_at",
                filter=Q(
                    sessions__kind=Session.Kind.THREE_WAY,
                    sessions__status=Session.Status.SCHEDULED,
                    sessions__starts_at__gte=now,
                ),
            ),
        )
        .prefetch_related("goals")
        .order_by("-start_date", "pk")
    )
    for e in engagements:
        e.progress_percent = e.progress(e.held_count)
    return {"engagements": engagements}


def practice_overview(*, practice: Practice) -> dict:
    """Coaches of the practice with engagement counts by status (one query) and the coach invitations
    not accepted yet (one query)."""
    statuses = Engagement.Status
    coaches = list(
        User.objects.filter(practice=practice, is_coach=True)
        .annotate(
            **{
                f"n_{s.value}": Count("coached_engagements", filter=Q(coached_engagements__status=s.value))
                for s in statuses
            }
        )
        .order_by("full_name")
    )
    totals: Counter = Counter()
    for coach in coaches:
        coach.counts = [(s.label, getattr(coach, f"n_{s.value}")) for s in statuses]
        for s in statuses:
            totals[s.label] += getattr(coach, f"n_{s.value}")
    pending = list(
        Invitation.objects.filter(
            role__in=(Invitation.Role.COACH, Invitation.Role.REVIEWER),
            invited_by__practice=practice,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .select_related("user")
        .order_by("-created_at")
    )
    return {
        "practice": practice,
        "coaches": coaches,
        "active_coaches": [c for c in coaches if c.is_active],
        "pending": pending,
        "totals": [(s.label, totals[s.label]) for s in statuses],
    }


def reviewer_engagements(*, reviewer: User) -> list[Engagement]:
    """The reviewer's practice's engagements with coach, leader and sessions held: one query, no content."""
    return list(
        Engagement.objects.reviewed_by(reviewer)
        .select_related("coach", "leader")
        .annotate(n_held=Count("sessions", filter=Q(sessions__status=Session.Status.HELD)))
        .order_by("coach__full_name", "-start_date", "pk")
    )
