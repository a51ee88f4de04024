"""Seeds a large coaching practice (`--kind practice`) or the reminder tick's population (`--kind tick`).

Run by `bench.run` against an empty, migrated database (DATABASE_URL); rows go in with COPY
(`bench.bulk`), so 300,000 practice logs take seconds. Everything is drawn from one fixed random seed
and placed relative to the seeding moment, so two runs on the same day build the same practice.

The practice keeps the demo's cast for the people whose pages are measured: coach Ada (60
engagements over four years), leader Lee (a year-long engagement with Ada, and an earlier one), and
sponsor Sam. Everyone else is generated. At scale 1 (the default) the practice holds about 50
coaches, 2,000 engagements, 20,000 sessions, 55,000 commitments, 300,000 practice logs, 10,000
stakeholders and 40,000 answers (feedback responses); `--scale` multiplies every count except Ada's
and Lee's own, which stay realistic for one coach and one leader.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import sys
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Europe/Paris", "Asia/Singapore", "Europe/Oslo"]
ORGS = ["Harbour Logistics", "Fjord Energy", "Northwind Foods", "Atlas Health", "Kestrel Bank", "Juniper Retail"]
GOAL_TITLES = [
    ("Stay composed under pressure", "Calm leadership keeps the team on solutions."),
    ("Develop my direct reports", "The region needs successors within a year."),
    ("Delegate with clarity", "Frees the leadership team for strategy work."),
    ("Speak up earlier in senior meetings", "Decisions improve when operations is heard early."),
    ("Build trust with peers", "Cross-region projects stall without it."),
    ("Give direct feedback", "Performance issues linger for months otherwise."),
]
COMMITMENTS = [
    "Take one breath before answering the VP",
    "Bring a question about working together to a one-on-one",
    "Write for five minutes after the staff meeting",
    "Ask a peer for their view before deciding",
    "Thank someone for something specific",
    "Hand a decision over to a team lead",
]
NOTES = [
    "Paused before answering; the discussion stayed calm.",
    "Asked the question and listened to the end.",
    "Tried it in the Monday review; it felt awkward but worked.",
    "Did it twice in the same call, both times it helped.",
    "Remembered halfway through the meeting, still counts.",
]
COULD_NOT = ["The meeting was cancelled.", "Travel week, no one-on-ones.", "Audit moved everything to e-mail."]
SUMMARY = "We reviewed the practice since the last session and agreed the next steps for the operations review."
PRIVATE = "Seemed tired; ask about workload next time."
REASONS_DONE = ["Four times, and the VP noticed.", "Every week, as agreed.", "Done in both reviews."]
REASONS_NOT = ["The VP cancelled both one-on-ones this month.", "Forgot.", "", "No time."]


def _local(day: date, hour: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zoneinfo.ZoneInfo(tz)).astimezone(UTC)


def _nonce(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(256).to_bytes(32, "big")).rstrip(b"=").decode()


@dataclass
class Person:
    id: int
    email: str
    tz: str
    templates: list[int] = field(default_factory=list)


@dataclass
class Plan:
    """One engagement to generate."""

    coach: Person
    leader: Person
    sponsors: list[Person]
    organisation: str
    status: str
    start: date
    weeks: int
    cadence: int
    featured: bool = False
    next_session_at: datetime | None = None
    extra: dict = field(default_factory=dict)


class PracticeSeeder:
    """Generates the practice table by table, keeping the ids it hands out to link rows together."""

    def __init__(self, *, scale: float, seed: int) -> None:
        from bench.bulk import Loader

        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.scale = scale
        self.loader = Loader()
        self.now = self.loader.now.replace(microsecond=0)
        self.today = self.now.date()
        self.rows: dict[type, list[dict]] = {}
        self.password = "!bench-unusable-password"  # noqa: S105 - an unusable hash: nobody signs in with it

    # --- helpers ------------------------------------------------------------------------------

    def add(self, model, **values) -> int:
        values.setdefault("id", self.loader.next_id(model))
        self.rows.setdefault(model, []).append(values)
        return values["id"]

    def person(self, email: str, name: str, tz: str, **flags) -> Person:
        from accounts.models import User

        pk = self.add(
            User,
            email=email,
            full_name=name,
            time_zone=tz,
            password=self.password,
            date_joined=self.now - timedelta(days=1500),
            **flags,
        )
        return Person(pk, email, tz)

    def flush(self) -> None:
        """COPY every table, parents first (the order rows were first added in)."""
        for model, rows in self.rows.items():
            self.loader.load(model, rows)
        self.rows = {}
        self.loader.reset_sequences()

    # --- the practice -------------------------------------------------------------------------

    def build(self) -> dict:
        from accounts.models import Practice
        from engagements.models import Engagement

        rng, s = self.rng, self.scale
        practice_id = self.add(Practice, name="Northlight Coaching", created_at=self.now - timedelta(days=1600))
        n_coaches = max(3, round(50 * s))
        n_engagements = max(80, round(2000 * s))
        ada = self.person("ada@example.com", "Ada Moreno", "Europe/London", is_coach=True, practice_id=practice_id)
        lee = self.person("lee@example.com", "Lee Chen", "Europe/London")
        sam = self.person("sam@example.com", "Sam Patel", "Europe/London")
        self.person(
            "pam@example.com", "Pam Whitfield", "Europe/London", is_practice_admin=True, practice_id=practice_id
        )
        coaches = [ada] + [
            self.person(
                f"coach-{i:03d}@bench.example.com",
                f"Coach {i:03d}",
                rng.choice(ZONES),
                is_coach=True,
                practice_id=practice_id,
            )
            for i in range(2, n_coaches + 1)
        ]
        n_sponsors = max(10, n_engagements // 2)
        sponsors = [sam] + [
            self.person(f"sponsor-{i:05d}@bench.example.com", f"Sponsor {i:05d}", rng.choice(ZONES))
            for i in range(2, n_sponsors + 1)
        ]
        for coach in coaches:
            self._templates(coach)
        self._programs(practice_id)

        plans: list[Plan] = []
        # Lee's year-long engagement with Ada: the one whose pages are measured.
        next_at = _local(self.today + timedelta(days=3), 10, "Europe/London")
        plans.append(
            Plan(
                ada,
                lee,
                [sam],
                "Harbour Logistics",
                Engagement.Status.ACTIVE,
                self.today - timedelta(weeks=50),
                60,
                14,
                featured=True,
                next_session_at=next_at,
            )
        )
        # Lee's earlier engagement with another coach, finished two years ago.
        plans.append(
            Plan(
                coaches[1],
                lee,
                [sam],
                "Harbour Logistics",
                Engagement.Status.COMPLETED,
                self.today - timedelta(weeks=140),
                26,
                14,
            )
        )
        ada_count = min(60, n_engagements // 4)
        for i in range(n_engagements - len(plans)):
            coach = ada if i < ada_count - 1 else coaches[1 + i % (len(coaches) - 1)]
            leader = self.person(f"leader-{i:05d}@bench.example.com", f"Leader {i:05d}", rng.choice(ZONES))
            chosen = [sam] if (coach is ada and i % 15 == 0) else [rng.choice(sponsors[1:])]
            if rng.random() < 0.1:
                extra = rng.choice(sponsors[1:])
                if extra.id != chosen[0].id:
                    chosen.append(extra)
            weeks = rng.choice([12, 16, 20, 20, 24, 26, 30, 36, 40])
            cadence = rng.choice([14, 14, 14, 7, 21, 28])
            if rng.random() < 0.25:  # open: started in the last months
                status = rng.choices(
                    [Engagement.Status.ACTIVE, Engagement.Status.PAUSED, Engagement.Status.DRAFT], [80, 10, 10]
                )[0]
                start = self.today - timedelta(days=rng.randint(0 if status == "draft" else 20, weeks * 7 - 7))
            else:  # finished: somewhere in the last four years
                status = rng.choices([Engagement.Status.COMPLETED, Engagement.Status.ENDED_EARLY], [85, 15])[0]
                start = self.today - timedelta(days=weeks * 7 + rng.randint(7, 4 * 365 - weeks * 7))
            plans.append(Plan(coach, leader, chosen, rng.choice(ORGS), status, start, weeks, cadence))
        for plan in plans:
            self._engagement(plan)
        self.flush()
        return {"counts": self.loader.counts, "seeded_at": self.now.isoformat()}

    def _programs(self, practice_id: int) -> None:
        """A client organisation per name, each with one program that every engagement of it joins;
        program manager Pia manages them all, and every fifth leader released their row."""
        from programs.models import ClientOrganisation, Program

        pia = self.person("pia@example.com", "Pia Pereira", "Europe/London")
        self.clients: dict[str, tuple[int, int]] = {}
        for name in ORGS:
            client_id = self.add(ClientOrganisation, practice_id=practice_id, name=name, created_at=self.now)
            program_id = self.add(
                Program,
                organisation_id=client_id,
                name=f"{name} leaders",
                start_date=self.today - timedelta(days=4 * 365),
                end_date=self.today + timedelta(days=365),
                planned_sessions=8,
                stalled_after_weeks=4,
                created_at=self.now,
            )
            self.add(Program.managers.through, program_id=program_id, user_id=pia.id)
            self.clients[name] = (client_id, program_id)

    def _templates(self, coach: Person) -> None:
        from fieldwork.models import FieldworkTemplate

        ids = []
        for title in COMMITMENTS:
            ids.append(
                self.add(
                    FieldworkTemplate,
                    coach_id=coach.id,
                    title=title,
                    description=title + ".",
                    created_at=self.now - timedelta(days=1000),
                )
            )
        coach.templates = ids

    # --- one engagement -----------------------------------------------------------------------

    def _engagement(self, plan: Plan) -> None:
        from engagements.models import Engagement, Goal, Session

        rng = self.rng
        end = plan.start + timedelta(weeks=plan.weeks)
        planned = max(1, min(60, plan.weeks * 7 // plan.cadence))
        e_id = self.add(
            Engagement,
            coach_id=plan.coach.id,
            leader_id=plan.leader.id,
            organisation=plan.organisation,
            client_id=self.clients[plan.organisation][0],
            program_id=self.clients[plan.organisation][1],
            status=plan.status,
            start_date=plan.start,
            planned_end_date=end,
            planned_sessions=planned,
            cadence_days=plan.cadence,
            created_at=_local(plan.start, 9, plan.coach.tz) - timedelta(days=7),
        )
        for sponsor in plan.sponsors:
            self.add(Engagement.sponsors.through, engagement_id=e_id, user_id=sponsor.id)
        if e_id % 5 == 0:
            from programs.models import RowRelease

            self.add(RowRelease, engagement_id=e_id, released_by_id=plan.leader.id, released_at=self.now)
        goals = []
        for position, (title, why) in enumerate(rng.sample(GOAL_TITLES, 2 if plan.featured else rng.randint(1, 3))):
            goals.append(
                self.add(
                    Goal,
                    engagement_id=e_id,
                    title=title,
                    description=title + ".",
                    why_it_matters=why,
                    position=position,
                    created_at=_local(plan.start, 9, plan.coach.tz),
                )
            )

        # Sessions on the cadence from the start; open engagements have one or two still to come.
        finished = plan.status in (Engagement.Status.COMPLETED, Engagement.Status.ENDED_EARLY)
        if plan.next_session_at is not None:
            first = plan.next_session_at - timedelta(
                days=plan.cadence * ((plan.next_session_at.date() - plan.start).days // plan.cadence)
            )
        else:
            first = _local(plan.start + timedelta(days=rng.randint(0, 6)), rng.randint(8, 16), plan.coach.tz)
        slots = [first + timedelta(days=plan.cadence * i) for i in range(planned)]
        if plan.status == Engagement.Status.ENDED_EARLY:
            slots = slots[: max(2, len(slots) * 2 // 3)]
        if not finished:
            past = [t for t in slots if t < self.now]
            future = [t for t in slots if t >= self.now][: 2 if plan.status == Engagement.Status.ACTIVE else 0]
            if plan.status == Engagement.Status.DRAFT:
                past, future = [], slots[:1] if slots[0] > self.now else [self.now + timedelta(days=5)]
            slots = past + future
        sessions = []  # (id, starts_at, status, kind)
        three_way_every = max(4, len(slots) // 3)
        for i, starts_at in enumerate(slots):
            kind = Session.Kind.REGULAR
            if i == 0:
                kind = Session.Kind.KICKOFF
            elif i % three_way_every == 0:
                kind = Session.Kind.THREE_WAY
            elif finished and i == len(slots) - 1 and plan.status == Engagement.Status.COMPLETED:
                kind = Session.Kind.CLOSING
            if starts_at >= self.now:
                status = Session.Status.SCHEDULED
            elif not finished and i == len(slots) - 1 and rng.random() < 0.3:
                status = Session.Status.SCHEDULED  # waiting for its outcome
            elif i == 0:
                status = Session.Status.HELD
            else:
                status = rng.choices(
                    [Session.Status.HELD, Session.Status.NO_SHOW, Session.Status.LATE_CANCEL, Session.Status.CANCELLED],
                    [90, 4, 3, 3],
                )[0]
            if plan.featured and i == len(slots) - 5:
                status = Session.Status.NO_SHOW
            outcome = status in (Session.Status.HELD, Session.Status.NO_SHOW, Session.Status.LATE_CANCEL)
            shared = status == Session.Status.HELD
            to_sponsor = shared and (kind == Session.Kind.THREE_WAY or rng.random() < 0.2)
            s_id = self.add(
                Session,
                engagement_id=e_id,
                starts_at=starts_at,
                duration_minutes=60,
                mode=rng.choice(["video", "video", "in_person", "phone"]),
                kind=kind,
                status=status,
                location="https://video.example.com/room" if rng.random() < 0.5 else "",
                shared_summary=SUMMARY if shared else "",
                summary_shared_with_sponsor=to_sponsor,
                summary_released_at=starts_at + timedelta(days=1) if to_sponsor and rng.random() < 0.8 else None,
                private_notes=PRIVATE if shared else "",
                outcome_recorded_at=starts_at + timedelta(hours=2) if outcome else None,
                created_at=starts_at - timedelta(days=plan.cadence),
            )
            sessions.append((s_id, starts_at, status, kind))
        self._agenda(plan, sessions)
        self._fieldwork(plan, e_id, goals, sessions, finished)
        self._checkins(plan, e_id, sessions)
        self._stakeholders(plan, e_id, goals, sessions, finished)
        self._outbox(plan, e_id, sessions)

    def _agenda(self, plan: Plan, sessions: list) -> None:
        from engagements.models import AgendaItem, Session

        for s_id, starts_at, status, _ in sessions:
            upcoming = status == Session.Status.SCHEDULED and starts_at >= self.now
            n = (2 if plan.featured else self.rng.randint(1, 2)) if upcoming else self.rng.choice([0, 0, 1, 1, 2])
            for k in range(n):
                self.add(
                    AgendaItem,
                    session_id=s_id,
                    author_id=plan.leader.id,
                    text=f"Topic {k + 1}: how to push back without sounding defensive",
                    source="leader",
                    created_at=min(self.now, starts_at) - timedelta(days=2),
                )

    def _fieldwork(self, plan: Plan, e_id: int, goals: list[int], sessions: list, finished: bool) -> None:
        from engagements.models import Session
        from fieldwork.models import Commitment, PracticeLog, SelfRating, WeeklyReflection, is_forgotten

        rng = self.rng
        held = [(s_id, at) for s_id, at, status, _ in sessions if status == Session.Status.HELD]
        if finished:
            held = held[:-1]  # nothing is co-designed at the closing session
        for n, (s_id, at) in enumerate(held):
            nxt = held[n + 1] if n + 1 < len(held) else None
            until = nxt[1] if nxt else min(self.now, at + timedelta(days=plan.cadence))
            for k in range(3 if (plan.featured or rng.random() < 0.85) else 2):
                target = rng.randint(2, 5)
                reviewed = nxt is not None
                outcome, reason = "open", ""
                if reviewed:
                    outcome = rng.choices(["done", "partly", "not_done"], [45, 25, 30])[0]
                    reason = rng.choice(REASONS_DONE if outcome != "not_done" else REASONS_NOT)
                c_id = self.add(
                    Commitment,
                    engagement_id=e_id,
                    session_id=s_id,
                    goal_id=goals[k % len(goals)],
                    template_id=plan.coach.templates[k] if rng.random() < 0.5 else None,
                    created_by_id=plan.coach.id,
                    text=COMMITMENTS[(n + k) % len(COMMITMENTS)],
                    where_with_whom="Weekly leadership call",
                    target_count=target,
                    due_at_next_session=True,
                    due_date=None,
                    outcome=outcome,
                    review_reason=reason,
                    reviewed_at=nxt[1] + timedelta(minutes=30) if reviewed else None,
                    reviewed_in_session_id=nxt[0] if reviewed else None,
                    reviewed_by_id=plan.coach.id if reviewed else None,
                    forgotten=is_forgotten(outcome, reason),
                    created_at=at + timedelta(minutes=50),
                )
                span = max(3600, int((until - at).total_seconds()) - 7200)
                for _ in range(max(0, round(rng.gauss(6.2, 2.5)))):
                    occurred = at + timedelta(seconds=3600 + rng.randrange(span))
                    if occurred > self.now - timedelta(minutes=30):
                        continue
                    could_not = rng.random() < 0.1
                    full = not could_not and rng.random() < 0.25
                    self.add(
                        PracticeLog,
                        commitment_id=c_id,
                        author_id=plan.leader.id,
                        kind="could_not" if could_not else "practised",
                        occurred_at=occurred,
                        note=rng.choice(COULD_NOT if could_not else NOTES) if not full else "",
                        what_tried="Took a breath when the numbers were questioned." if full else "",
                        went_well="I answered with the facts." if full else "",
                        went_badly="Still talked too fast at the end." if full else "",
                        noticed_in_myself="Jaw tight; the breath loosened it." if full else "",
                        others_reacted="The VP nodded and moved on." if full else "",
                        will_adjust="Slow down the last sentence too." if full else "",
                        created_at=occurred + timedelta(minutes=20),
                    )
        # Weekly reflections in the leader's calendar, with a self-rating per goal.
        if not held:
            return
        tz = zoneinfo.ZoneInfo(plan.leader.tz)
        day = held[0][1].astimezone(tz).date()
        last = min(self.now, sessions[-1][1]).astimezone(tz).date()
        seen = set()
        while day <= last:
            year, week, _ = day.isocalendar()
            if (year, week) not in seen and rng.random() < (0.9 if plan.featured else 0.45):
                seen.add((year, week))
                written = datetime.combine(day, time(17, 0), tzinfo=tz)
                if written < self.now:
                    r_id = self.add(
                        WeeklyReflection,
                        leader_id=plan.leader.id,
                        engagement_id=e_id,
                        iso_year=year,
                        iso_week=week,
                        wins="Kept quiet long enough to hear the whole question.",
                        struggles="Snapped at the VP on Thursday.",
                        topics="",
                        created_at=written,
                    )
                    for goal_id in goals:
                        self.add(SelfRating, reflection_id=r_id, goal_id=goal_id, score=rng.randint(3, 8))
            day += timedelta(days=7)

    def _checkins(self, plan: Plan, e_id: int, sessions: list) -> None:
        from coaching.models import PartnershipCheckIn
        from engagements.models import Session

        held = [at for _, at, status, _ in sessions if status == Session.Status.HELD]
        for milestone in range(3, len(held) + 1, 3):
            if self.rng.random() < 0.7:
                self.add(
                    PartnershipCheckIn,
                    engagement_id=e_id,
                    leader_id=plan.leader.id,
                    held_sessions=milestone,
                    score=self.rng.randint(3, 5),
                    comment="Working well.",
                    created_at=held[milestone - 1] + timedelta(days=1),
                )

    def _stakeholders(self, plan: Plan, e_id: int, goals: list[int], sessions: list, finished: bool) -> None:
        from accounts.tokens import hash_token
        from engagements.models import Session
        from stakeholders.models import (
            FeedbackRequest,
            FeedbackResponse,
            FeedbackRound,
            GoalScore,
            Stakeholder,
        )
        from stakeholders.services import link_token

        rng = self.rng
        held = [at for _, at, status, _ in sessions if status == Session.Status.HELD]
        if len(held) < 2:
            return
        n = 10 if plan.featured else rng.randint(3, 8)
        rels = ["manager"] + rng.choices(["peer", "direct_report", "other"], [40, 45, 15], k=n - 1)
        people = []  # (id, relationship, goal ids, active)
        for k, rel in enumerate(rels):
            status = "approved" if plan.featured else rng.choices(["approved", "nominated", "inactive"], [85, 5, 10])[0]
            st_id = self.loader.next_id(Stakeholder)
            observed = goals if (k % 3 == 0 or len(goals) == 1) else goals[:1]
            self.add(
                Stakeholder,
                id=st_id,
                engagement_id=e_id,
                name=f"Stakeholder {st_id}",
                email=f"stakeholder-{st_id}@bench.example.com",
                email_key=f"stakeholder-{st_id}@bench.example.com",
                relationship=rel,
                status=status,
                nominated_by_id=plan.coach.id,
                created_at=held[0],
            )
            for goal_id in observed:
                self.add(Stakeholder.goals.through, stakeholder_id=st_id, goal_id=goal_id)
            people.append((st_id, rel, observed, status == "approved"))
        asked_people = [p for p in people if p[3]]

        # A baseline after the kick-off, then a progress round every four weeks.
        opens = [held[1].date()]
        end = (held[-1] if finished else self.now).date()
        while opens[-1] + timedelta(weeks=4) <= end:
            opens.append(opens[-1] + timedelta(weeks=4))
        if plan.featured:
            opens[-1] = self.today - timedelta(days=5)
        sequence = {"baseline": 0, "progress": 0}
        for r, opens_on in enumerate(opens):
            kind = "baseline" if r == 0 else "progress"
            closes_on = opens_on + timedelta(days=14)
            is_open = not finished and closes_on >= self.today
            sequence[kind] += 1
            opened_at = _local(opens_on, 9, plan.coach.tz)
            round_id = self.add(
                FeedbackRound,
                engagement_id=e_id,
                kind=kind,
                sequence=sequence[kind],
                opens_on=opens_on,
                closes_on=closes_on,
                status="open" if is_open else "closed",
                ask_support=kind == "progress" and rng.random() < 0.5,
                created_by_id=plan.coach.id,
                created_at=opened_at - timedelta(days=3),
                opened_at=opened_at,
                closed_at=None if is_open else _local(closes_on, 18, plan.coach.tz),
            )
            for st_id, rel, observed, _ in asked_people:
                nonce = _nonce(rng)
                token = link_token(request=SimpleNamespace(round_id=round_id, stakeholder_id=st_id, link_nonce=nonce))
                answered = rng.random() < (0.35 if is_open else 0.85)
                if plan.featured and is_open:
                    answered = st_id % 2 == 0
                answered_at = opened_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 8))
                if answered_at > self.now:
                    answered = False
                req_id = self.add(
                    FeedbackRequest,
                    round_id=round_id,
                    stakeholder_id=st_id,
                    relationship=rel,
                    link_nonce=nonce,
                    token_hash=hash_token(token),
                    created_at=opened_at,
                    send_count=1,
                    sent_at=opened_at + timedelta(minutes=1),
                    answered_at=answered_at if answered else None,
                )
                asked_goals = observed if kind == "progress" else []
                for goal_id in asked_goals:
                    self.add(FeedbackRequest.goals.through, feedbackrequest_id=req_id, goal_id=goal_id)
                if not answered:
                    continue
                resp_id = self.add(
                    FeedbackResponse,
                    request_id=req_id,
                    relationship=rel,
                    keep_doing="Your weekly one-to-ones." if kind == "baseline" else "",
                    start_doing="Let team leads present their own numbers." if kind == "baseline" else "",
                    submitted_at=answered_at,
                )
                for goal_id in asked_goals:
                    self.add(
                        GoalScore,
                        response_id=resp_id,
                        goal_id=goal_id,
                        score=rng.choice([-1, 0, 1, 1, 2, 2, 3]),
                        suggestion="Ask one more question before answering." if rng.random() < 0.4 else "",
                    )

    def _outbox(self, plan: Plan, e_id: int, sessions: list) -> None:
        from engagements.models import Session
        from notifications.models import Notification

        for s_id, at, status, _ in sessions:
            if at >= self.now + timedelta(hours=24) or status == Session.Status.CANCELLED:
                continue
            stamp = f"{at:%Y%m%dT%H%MZ}"
            for person in (plan.leader, plan.coach):
                failed = self.rng.random() < 0.005
                due = at - timedelta(hours=24)
                self.add(
                    Notification,
                    recipient_id=person.id,
                    recipient_email=person.email,
                    recipient_key=f"user:{person.id}",
                    kind="session_reminder",
                    period_key=f"session:{s_id}:{stamp}",
                    time_zone=person.tz,
                    engagement_id=e_id,
                    context={"session_id": s_id, "starts": stamp},
                    status="failed" if failed else "sent",
                    due_at=due,
                    created_at=due,
                    enqueued_at=due,
                    claimed_at=due,
                    sent_at=None if failed else due + timedelta(seconds=5),
                    attempts=5 if failed else 1,
                    last_error="550 mailbox unavailable" if failed else "",
                )


# --- The reminder tick's population ---------------------------------------------------------------


class TickSeeder(PracticeSeeder):
    """Leaders with a weekly reflection time each and an active engagement; `due` of them share one minute.

    Every engagement had a session in the last days and has the next one booked in the next two weeks,
    so session reminders and agenda prompts are in flight as in a running practice; the outbox already
    holds everything that fell due before the measured minute (`record_history`).
    """

    def build_tick(self, *, leaders: int, due: int) -> dict:
        from accounts.models import Practice
        from engagements.models import Engagement, Goal, Session
        from notifications.models import NotificationPreference

        rng = self.rng
        # The measured minute: the next whole minute a little after seeding.
        tick_at = (self.now + timedelta(minutes=5)).replace(second=0, microsecond=0)
        practice_id = self.add(Practice, name="Northlight Coaching", created_at=self.now - timedelta(days=1600))
        coaches = [
            self.person(
                f"coach-{i:04d}@bench.example.com",
                f"Coach {i:04d}",
                "Europe/London",
                is_coach=True,
                practice_id=practice_id,
            )
            for i in range(max(1, leaders // 40))
        ]
        due_ids = set(rng.sample(range(leaders), due))
        for i in range(leaders):
            tz = ZONES[i % len(ZONES)]
            leader = self.person(f"tick-leader-{i:06d}@bench.example.com", f"Leader {i:06d}", tz)
            local = tick_at.astimezone(zoneinfo.ZoneInfo(tz))
            if i in due_ids:
                weekday, at = local.weekday(), local.time().replace(second=0, microsecond=0)
            else:
                while True:
                    weekday, at = rng.randrange(7), time(rng.randrange(24), rng.randrange(60))
                    if (weekday, at) != (local.weekday(), local.time().replace(second=0, microsecond=0)):
                        break
            self.add(
                NotificationPreference,
                user_id=leader.id,
                reflection_weekday=weekday,
                reflection_time=at,
                updated_at=self.now,
            )
            coach = coaches[i % len(coaches)]
            start = tick_at.date() - timedelta(days=rng.randint(30, 200))
            e_id = self.add(
                Engagement,
                coach_id=coach.id,
                leader_id=leader.id,
                organisation=ORGS[i % len(ORGS)],
                status=Engagement.Status.ACTIVE,
                start_date=start,
                planned_end_date=start + timedelta(weeks=40),
                planned_sessions=20,
                cadence_days=14,
                created_at=self.now - timedelta(days=200),
            )
            self.add(
                Goal,
                engagement_id=e_id,
                title="Stay composed under pressure",
                why_it_matters="Calm teams.",
                created_at=self.now - timedelta(days=200),
            )
            # Fortnightly sessions: the last one up to six days ago, the next one somewhere in the next
            # two weeks, on a quarter hour. About one in fourteen is within a day, so the tick also
            # sees the session reminders and agenda prompts a practice of this size has in flight.
            last = tick_at - timedelta(days=1 + rng.random() * 5)
            nxt = tick_at + timedelta(minutes=15 * rng.randint(8, 14 * 96))
            last, nxt = (moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)
                         for moment in (last, nxt))  # fmt: skip
            self.add(
                Session,
                engagement_id=e_id,
                starts_at=last,
                status=Session.Status.HELD,
                outcome_recorded_at=last + timedelta(hours=1),
                created_at=last - timedelta(days=14),
            )
            self.add(Session, engagement_id=e_id, starts_at=nxt, created_at=last)
        self.flush()
        return {"counts": self.loader.counts, "seeded_at": self.now.isoformat(), "tick_at": tick_at.isoformat()}


def record_history(*, tick_at: datetime) -> int:
    """What a running system would already have in its outbox: everything due up to the minute before.

    Each source is asked for what was due a minute before the measured tick, and those rows are
    recorded as sent. Returns how many rows that made.
    """
    from django.utils import timezone

    from notifications import registry
    from notifications.models import Notification
    from notifications.services import notifications_record

    before = tick_at - timedelta(minutes=1)
    for source in registry.sources():
        notifications_record(specs=source.find_due(before), now=before)
    return Notification.objects.filter(created_at__lte=before).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), enqueued_at=before, claimed_at=before
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["practice", "tick"], default="practice")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--leaders", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args(argv)
    _setup()
    import time as clock

    started = clock.perf_counter()
    if args.kind == "practice":
        info = PracticeSeeder(scale=args.scale, seed=args.seed).build()
    else:
        info = TickSeeder(scale=args.scale, seed=args.seed).build_tick(leaders=args.leaders, due=args.due)
        info["history_rows"] = record_history(tick_at=datetime.fromisoformat(info["tick_at"]))
    info["seconds"] = round(clock.perf_counter() - started, 1)
    json.dump(info, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
