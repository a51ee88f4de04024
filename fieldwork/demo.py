"""Demo fieldwork: a template library for each demo coach, and Lee's practice between sessions.

Called from `coaching.demo.seed()`. Everything goes through the services; seeding again changes
nothing (a coach with a library keeps it, an engagement with commitments keeps them).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from engagements.models import Engagement, Session

from . import services
from .models import Commitment, FieldworkTemplate

LIBRARY = [
    (
        "Pause for one breath before answering",
        "When someone challenges you in a meeting, take one slow breath before you reply. Afterwards, note what "
        "you were about to say and what you said instead.",
        "composure",
    ),
    (
        "Bring a question about working together to a one-on-one",
        "Swap one status update for a question about how the two of you work: “What could I do differently "
        "to make your week easier?” Listen to the end before answering.",
        "relationships",
    ),
    (
        "Write for five minutes after a key meeting",
        "Straight after the meeting: what happened, what you felt, what you did, and what you would do again.",
        "self-awareness",
    ),
    (
        "Ask a peer for their view before deciding",
        "Pick one problem you would normally solve alone and ask a peer how they see it before you decide.",
        "collaboration",
    ),
    (
        "Thank someone for something specific",
        "Name the piece of work and the difference it made, in person or in writing, on the same day.",
        "recognition",
    ),
    (
        "Hand a decision over to a team lead",
        "Agree the boundaries and the deadline, then let them decide. Resist stepping back in; ask what they "
        "learned afterwards.",
        "development",
    ),
]


def _library(coach: User) -> dict[str, FieldworkTemplate]:
    if not FieldworkTemplate.objects.filter(coach=coach).exists():
        for title, description, theme in LIBRARY:
            services.template_save(coach=coach, title=title, description=description, goal_theme=theme)
    return {t.title: t for t in FieldworkTemplate.objects.filter(coach=coach)}


def _log(commitment: Commitment, at: datetime, **fields) -> None:
    services.practice_log(
        commitment=commitment,
        author=commitment.engagement.leader,
        occurred_at=at,
        now=at + timedelta(minutes=20),
        **fields,
    )


def _lee(engagement: Engagement, library: dict[str, FieldworkTemplate]) -> None:
    """Two rounds of fieldwork: one reviewed at the last session, one running now, and reflections."""
    held = list(engagement.sessions.filter(kind=Session.Kind.REGULAR, status=Session.Status.HELD).order_by("starts_at"))
    goals = list(engagement.goals.all())
    if len(held) < 2 or len(goals) < 2:
        return
    earlier, last = held[0], held[-1]
    composure, develop = goals[0], goals[1]
    coach, leader = engagement.coach, engagement.leader
    pause = library["Pause for one breath before answering"]

    first = services.commitment_create(
        session=earlier,
        author=coach,
        goal=composure,
        template=pause,
        target_count=4,
        text="Take one breath before answering the VP",
        where_with_whom="Weekly leadership call",
    )
    second = services.commitment_create(
        session=earlier,
        author=coach,
        goal=develop,
        target_count=3,
        text="Ask a team lead for a recommendation, not just the problem",
        where_with_whom="Shift handovers",
    )
    start = earlier.starts_at
    _log(
        first,
        start + timedelta(days=2, hours=5),
        note="Breathed once before answering about the delay. Sounded calmer.",
    )
    _log(
        first,
        start + timedelta(days=9, hours=4),
        what_tried="Took a breath when the VP questioned the overtime numbers.",
        went_well="I answered with the facts instead of defending the team.",
        went_badly="Still talked too fast at the end.",
        noticed_in_myself="Jaw tight; the breath loosened it a little.",
        others_reacted="The VP nodded and moved on.",
        will_adjust="Slow down the last sentence too.",
    )
    _log(first, start + timedelta(days=16, hours=5), note="Did it twice in the same call, both times it helped.")
    _log(first, start + timedelta(days=18, hours=3), note="Paused before replying to the finance question.")
    _log(
        second,
        start + timedelta(days=3, hours=8),
        note="Asked Priya what she would do. She had a better plan than mine.",
    )
    _log(
        second,
        start + timedelta(days=11, hours=8),
        kind="could_not",
        note="Handover moved to email during the audit week.",
    )
    services.commitment_review(
        commitment=first,
        session=last,
        reviewer=coach,
        outcome="done",
        reason="Four times, and the VP noticed the calmer answers.",
    )
    services.commitment_review(
        commitment=second,
        session=last,
        reviewer=coach,
        outcome="partly",
        reason="Once in person; the audit moved handovers to email.",
    )

    breath = services.commitment_create(
        session=last,
        author=coach,
        goal=composure,
        template=pause,
        target_count=5,
        text="Pause for one breath before answering in the operations review",
        where_with_whom="Monday operations review",
    )
    question = services.commitment_create(
        session=last,
        author=coach,
        goal=develop,
        target_count=2,
        template=library["Bring a question about working together to a one-on-one"],
        text="Bring a question about how we work together to my one-on-one with Priya",
        where_with_whom="Thursday one-on-one",
    )
    now = timezone.now()
    _log(
        breath,
        max(last.starts_at + timedelta(days=1, hours=1), now - timedelta(days=5)),
        note="Took the breath when the numbers were questioned; answered calmly.",
    )
    _log(
        breath,
        max(last.starts_at + timedelta(days=3), now - timedelta(days=2)),
        what_tried="Paused before answering the VP's question about the missed target.",
        went_well="I asked a question back instead of justifying.",
        went_badly="I forgot the pause the second time he interrupted.",
        noticed_in_myself="Heat in my face when he said “again”.",
        others_reacted="Priya picked up my question and the discussion moved on.",
        will_adjust="Write “breathe” on the top of my notes.",
    )
    _log(
        question,
        max(last.starts_at + timedelta(days=2), now - timedelta(days=4)),
        note="Asked Priya what I could do differently. She wants decisions earlier in the week.",
    )

    # Self-ratings over the last weeks, written in each week of the leader's own calendar.
    for weeks_ago, calm, grow, wins, struggles in [
        (4, 4, 3, "Kept quiet long enough to hear the whole question.", "Snapped at the VP on Thursday."),
        (3, 5, 3, "One calm answer in the operations review.", "Fixed two problems myself instead of asking."),
        (2, 5, 4, "Priya ran the handover without me.", "Audit week: no time for anything new."),
        (1, 6, 5, "Two calm answers in one meeting; the VP thanked me.", "I still rush the end of my answers."),
    ]:
        services.reflection_save(
            leader=leader,
            engagement=engagement,
            wins=wins,
            struggles=struggles,
            ratings={composure.pk: calm, develop.pk: grow},
            topics="What to do when the VP interrupts twice" if weeks_ago == 1 else "",
            now=now - timedelta(weeks=weeks_ago),
        )


def seed(*, engagements: list[Engagement]) -> None:
    """A library for each engagement's coach, and fieldwork for Lee's engagement if it has none yet."""
    for engagement in engagements:
        library = _library(engagement.coach)
        if engagement.leader.email == "lee@example.com" and not engagement.commitments.exists():
            _lee(engagement, library)
