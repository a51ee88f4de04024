"""What an export holds: exactly what its owner reads on the pages, as plain data.

`leader_record` is the leader's portable record of every engagement they lead (accepted): goals,
sessions with their shared summaries and agenda, fieldwork commitments with every practice log,
weekly reflections with self-ratings, their own partnership check-ins, and the stakeholder results
of closed rounds through the same anonymity rules as the results page
(`stakeholders.selectors.round_results`). `practice_record` is the same for every engagement a coach
runs, plus the coach's private session notes. Goals, sessions, agenda items, commitments and practice
logs are the same plain facts the REST API gives (`coaching.facts`: the same fields, and private notes
for the engagement's coach only, None for anyone else).

Neither holds the stakeholder roster: a file that names the raters next to their (unattributed)
suggestions would let a reader pair them up, which no page allows. Answers appear only as the
results page shows them: groups of at least K, suggestions without names, dates or order.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from coaching import facts
from coaching.models import PartnershipCheckIn
from engagements.models import AgendaItem, Engagement, Session
from fieldwork.models import Commitment, PracticeLog, WeeklyReflection
from stakeholders.models import FeedbackRound
from stakeholders.selectors import round_results

FORMAT_VERSION = 1

Progress = Callable[[int], None]


_iso = facts.iso


def _engagements(qs: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Every engagement with what the record holds, in a fixed number of queries whatever their number."""
    return (
        qs.select_related("coach", "leader")
        .prefetch_related(
            "goals",
            Prefetch(
                "sessions",
                queryset=Session.objects.order_by("starts_at", "pk").prefetch_related(
                    Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("created_at", "pk"))
                ),
            ),
            Prefetch(
                "commitments",
                queryset=Commitment.objects.order_by("created_at", "pk").prefetch_related(
                    Prefetch("logs", queryset=PracticeLog.objects.order_by("occurred_at", "pk"))
                ),
            ),
            Prefetch(
                "reflections",
                queryset=WeeklyReflection.objects.order_by("iso_year", "iso_week").prefetch_related("ratings"),
            ),
            Prefetch(
                "partnership_checkins",
                queryset=PartnershipCheckIn.objects.order_by("created_at", "pk"),
                to_attr="checkin_rows",
            ),
            Prefetch(
                "feedback_rounds",
                queryset=FeedbackRound.objects.filter(status=FeedbackRound.Status.CLOSED)
                .select_related("engagement__leader")
                .order_by("sequence", "pk"),
                to_attr="closed_rounds",
            ),
        )
        .order_by("start_date", "pk")
    )


def _session(s: Session, *, viewer_id: int) -> dict:
    """The session's plain facts (`coaching.facts`: private notes for its coach only) and its agenda."""
    agenda = [facts.agenda_item_facts(a) for a in s.agenda_items.all()]
    return {**facts.session_facts(s, viewer_id=viewer_id), "agenda": agenda}


def _commitment(c: Commitment) -> dict:
    return {**facts.commitment_facts(c), "logs": [facts.practice_log_facts(log) for log in c.logs.all()]}


def _reflection(r: WeeklyReflection) -> dict:
    return {
        "id": r.pk,
        "week": r.week_key,
        "wins": r.wins,
        "struggles": r.struggles,
        "topics": r.topics,
        "self_ratings": [{"goal_id": x.goal_id, "score": x.score} for x in r.ratings.all()],
    }


def _results(feedback_round: FeedbackRound) -> dict:
    """One closed round as its results page shows it: groups of at least K, texts without names."""
    results = round_results(feedback_round=feedback_round)

    def figure(f) -> dict:
        row = {"group": f.key, "asked": f.asked, "shown": f.shown}
        if f.shown:
            row |= {"answered": f.answered, "mean": round(f.mean, 2), "distribution": dict(f.distribution)}
        return row

    return {
        "round_id": feedback_round.pk,
        "kind": feedback_round.kind,
        "sequence": feedback_round.sequence,
        "opens_on": _iso(feedback_round.opens_on),
        "closes_on": _iso(feedback_round.closes_on),
        "anonymity_threshold": results.threshold,
        "asked": results.asked,
        "answered": results.answered,
        "goals": [
            {
                "goal_id": g.goal.pk,
                "goal": g.goal.title,
                "everyone": figure(g.everyone),
                "groups": [figure(f) for f in g.groups],
                "suggestions": g.suggestions,
            }
            for g in results.goals
        ],
        "questions": [{"question": q, "answers": answers} for q, answers in results.questions],
    }


def _engagement(e: Engagement, *, viewer_id: int) -> dict:
    return {
        "id": e.pk,
        "organisation": e.organisation,
        "status": e.status,
        "coach": e.coach.get_full_name(),
        "leader": e.leader.get_full_name(),
        "start_date": _iso(e.start_date),
        "planned_end_date": _iso(e.planned_end_date),
        "planned_sessions": e.planned_sessions,
        "cadence_days": e.cadence_days,
        "anonymity_threshold": e.anonymity_threshold,
        "goals": [facts.goal_facts(g) for g in e.goals.all()],
        "sessions": [_session(s, viewer_id=viewer_id) for s in e.sessions.all()],
        "commitments": [_commitment(c) for c in e.commitments.all()],
        "reflections": [_reflection(r) for r in e.reflections.all()],
        "partnership_checkins": [
            {"held_sessions": c.held_sessions, "score": c.score, "comment": c.comment, "created_at": _iso(c.created_at)}
            for c in e.checkin_rows
            if c.leader_id == e.leader_id
        ],
        "stakeholder_results": [_results(r) for r in e.closed_rounds],
    }


def _record(*, person: User, kind: str, qs: QuerySet[Engagement], progress: Progress) -> dict:
    engagements = list(_engagements(qs))
    progress(20)
    rows = []
    for i, engagement in enumerate(engagements, start=1):
        rows.append(_engagement(engagement, viewer_id=person.pk))
        progress(20 + round(60 * i / len(engagements)))
    return {
        "format": "coaching-export",
        "version": FORMAT_VERSION,
        "kind": kind,
        "exported_at": _iso(timezone.now()),
        "person": {"name": person.get_full_name(), "email": person.email, "time_zone": person.time_zone},
        "engagements": rows,
    }


def leader_record(*, leader: User, progress: Progress = lambda p: None) -> dict:
    """Every engagement `leader` leads, as they read it (never the coach's private notes)."""
    qs = Engagement.objects.led_by(leader)
    return _record(person=leader, kind="leader_record", qs=qs, progress=progress)


def practice_record(*, coach: User, progress: Progress = lambda p: None) -> dict:
    """Every engagement `coach` runs, as they read it (their private notes included)."""
    qs = Engagement.objects.coached_by(coach)
    return _record(person=coach, kind="practice", qs=qs, progress=progress)
