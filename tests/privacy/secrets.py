"""Who may read which private text: the table every page of the URL privacy matrix is checked against.

`seed_private_content(cast)` writes one distinctive text into every private field of the cast's two
engagements, and `SECRETS` says, for each of those texts, which people of the matrix (`PEOPLE` in
`tests/privacy/base.py`) may read it, following the visibility table of DESIGN.md section 2. A page
answered to a person, allowed or refused, HTML, htmx fragment or PDF, must contain none of the texts
that person may not read (`tests/test_url_privacy.py`).

Readers, in short:

    coach           everything of Lee's engagement except who said what among stakeholders
    leader          the same, less the coach's private notes
    sponsor,        goals, summaries the coach shared with the sponsor and released, three-way
    second_sponsor  meetings' agreed notes and agenda (never topics written for a regular session)
    stakeholder     the goals they are asked about (title and description), nothing else
    other_coach,    Liv's engagement only (other_sponsor: Liv's goals only); none of Lee's
    other_leader,
    other_sponsor
    reviewer        what sponsors read, of both engagements (a supervising coach of the practice)
    program_manager counts and released rows of the program: no text of either engagement
    practice_admin, counts at most: no text of either engagement
    former_coach,
    former_sponsor,
    anonymous

Stakeholder answers are never attributed: `NEVER_TOGETHER` pairs each rater's name with their own
suggestion, and no page may show both. A group below the anonymity threshold (the lone peer) is left
out everywhere, so its suggestion is readable by no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from accounts.models import Invitation
from accounts.services import invitation_create, invitation_token
from coaching.models import PartnershipCheckIn
from engagements import services as engagement_services
from engagements.models import AgendaItem, Session
from stakeholders import services as stakeholder_services
from stakeholders.models import FeedbackRequest
from tests.factories import (
    AgendaItemFactory,
    CommitmentFactory,
    FeedbackRoundFactory,
    FieldworkTemplateFactory,
    PracticeLogFactory,
    SessionFactory,
    StakeholderFactory,
    UserFactory,
    WeeklyReflectionFactory,
)

NOBODY: frozenset[str] = frozenset()
COACH = frozenset({"coach"})
TEAM = frozenset({"coach", "leader"})  # the engagement's coach and leader
SPONSORS = frozenset({"sponsor", "second_sponsor"})
REVIEWER = frozenset({"reviewer"})  # reads what sponsors read, for every engagement of the practice
LIV_TEAM = frozenset({"other_coach", "other_leader"})


@dataclass(frozen=True)
class Secret:
    """A private text, what it is (the row of DESIGN.md section 2), and who may read it."""

    content: str
    readers: frozenset[str]


# Every private text of the cast's engagements, with the people who may read it.
SECRETS: dict[str, Secret] = {
    # Sessions (Lee's engagement).
    "private_notes": Secret("coach's private notes, kick-off session", COACH),
    "three_way_private_notes": Secret("coach's private notes, held three-way meeting", COACH),
    "shared_summary": Secret("shared summary, not marked for the sponsor", TEAM),
    "unreleased_sponsor_summary": Secret("summary marked for the sponsor, not released yet", TEAM),
    "sponsor_summary": Secret("summary marked for the sponsor and released", TEAM | SPONSORS | REVIEWER),
    "three_way_agreed_notes": Secret("agreed notes of a three-way meeting, released", TEAM | SPONSORS | REVIEWER),
    "agenda_item": Secret("agenda item of a regular session", TEAM),
    "agenda_before_three_way": Secret("agenda item written while the session was regular, then made three-way", TEAM),
    "three_way_agenda": Secret("agenda item written for a three-way meeting", TEAM | SPONSORS | REVIEWER),
    "reflection_agenda": Secret("agenda item carried over from a weekly reflection", TEAM),
    # Goals.
    "goal_title": Secret("goal title", TEAM | SPONSORS | REVIEWER | {"stakeholder"}),
    "goal_description": Secret("goal description", TEAM | SPONSORS | REVIEWER | {"stakeholder"}),
    "goal_why": Secret("why the goal matters to the organisation", TEAM | SPONSORS | REVIEWER),
    # Fieldwork.
    "commitment_text": Secret("fieldwork commitment: what to practise", TEAM),
    "commitment_where": Secret("fieldwork commitment: where or with whom", TEAM),
    "commitment_review_reason": Secret("fieldwork commitment: reason given at the review", TEAM),
    "log_note": Secret("practice log: the one-line log", TEAM),
    "log_what_tried": Secret("practice log: what I tried", TEAM),
    "log_went_well": Secret("practice log: what went well", TEAM),
    "log_went_badly": Secret("practice log: what did not go well", TEAM),
    "log_noticed_in_myself": Secret("practice log: what I noticed in myself", TEAM),
    "log_others_reacted": Secret("practice log: how others reacted", TEAM),
    "log_will_adjust": Secret("practice log: what I will adjust", TEAM),
    "reflection_wins": Secret("weekly reflection: wins", TEAM),
    "reflection_struggles": Secret("weekly reflection: struggles", TEAM),
    "reflection_topics": Secret("weekly reflection: topics for the next session", TEAM),
    # Partnership check-in.
    "checkin_comment": Secret("partnership check-in comment", TEAM),
    # Stakeholders: the roster is the coach's and the leader's; answers appear only in groups.
    **{f"rater{i}_name": Secret(f"stakeholder name (direct report {i})", TEAM) for i in range(3)},
    **{f"rater{i}_email": Secret(f"stakeholder e-mail (direct report {i})", TEAM) for i in range(3)},
    **{f"rater{i}_suggestion": Secret(f"suggestion of direct report {i} (group shown)", TEAM) for i in range(3)},
    "rater_support": Secret("open answer: how the leader can support them (round shown)", TEAM),
    "lone_peer_name": Secret("stakeholder name (the only peer who answered)", TEAM),
    "lone_peer_suggestion": Secret("suggestion of a group below the anonymity threshold", NOBODY),
    "lone_peer_support": Secret("open answer of a group below the anonymity threshold", NOBODY),
    "link_token": Secret("a stakeholder's private link token", NOBODY),
    "invitation_token": Secret("the private link of an invitation to join Lee's engagement", NOBODY),
    # Liv's engagement: none of it is for Lee's people.
    "liv_goal_title": Secret("another engagement's goal title", LIV_TEAM | REVIEWER | {"other_sponsor"}),
    "liv_goal_why": Secret("another engagement's goal: why it matters", LIV_TEAM | REVIEWER | {"other_sponsor"}),
    "liv_private_notes": Secret("another engagement's private notes", frozenset({"other_coach"})),
}

# The texts seeded for each secret. Distinctive words, so that a hit is a leak, never a coincidence.
TEXTS: dict[str, str] = {
    "private_notes": "Private: Lee goes quiet whenever the VP joins; explore what he fears losing.",
    "three_way_private_notes": "Quokka-notes: Sam seemed impatient; Lee shrank when the budget came up.",
    "shared_summary": "We agreed Lee takes one breath before answering the VP, and notes what happens next.",
    "unreleased_sponsor_summary": "Walrus-summary: draft for the sponsor, still being agreed with Lee.",
    "sponsor_summary": "Heron-summary: Lee now pauses before answering and the team notices.",
    "three_way_agreed_notes": "Pelican-notes: all three agreed the delegation plan for the spring.",
    "agenda_item": "How did the breath before answering work with the VP?",
    "agenda_before_three_way": "Marmot-topic: I froze again when the VP asked about layoffs.",
    "three_way_agenda": "Otter-topic: review the delegation plan with Sam.",
    "reflection_agenda": "Lynx-topic: why I dread the Monday review.",
    "goal_title": "Stay calm under pressure from senior leaders",
    "goal_description": "Ibis-description: answer the VP without raising my voice.",
    "goal_why": "Acme needs Lee's team heard in the quarterly planning round.",
    "commitment_text": "Privately: breathe before answering the VP about the layoffs",
    "commitment_where": "Gecko-where: in the Thursday one-to-one with the VP",
    "commitment_review_reason": "Badger-reason: the VP cancelled twice, so I only tried once.",
    "log_note": "Privately: my hands shook when the VP mentioned the layoffs",
    "log_what_tried": "Falcon-tried: counted to three before replying to the VP.",
    "log_went_well": "Beaver-well: the VP let me finish my sentence.",
    "log_went_badly": "Jackal-badly: I still apologised twice.",
    "log_noticed_in_myself": "Mantis-noticed: my jaw was clenched the whole meeting.",
    "log_others_reacted": "Puffin-reacted: Dana nodded and asked a follow-up question.",
    "log_will_adjust": "Tapir-adjust: sit back in the chair before I speak.",
    "reflection_wins": "Privately: I am not sure I want this promotion",
    "reflection_struggles": "Narwhal-struggles: I snapped at Dana on Wednesday.",
    "reflection_topics": "Vole-topics: ask whether to tell the team about the reorganisation.",
    "checkin_comment": "Koala-checkin: the sessions feel rushed; I would like more time on the VP.",
    "rater0_name": "Rhea Quillfeather",
    "rater1_name": "Tomas Brightwater",
    "rater2_name": "Inge Hollowmere",
    "rater0_email": "rhea.quillfeather@acme.example",
    "rater1_email": "tomas.brightwater@acme.example",
    "rater2_email": "inge.hollowmere@acme.example",
    "rater0_suggestion": "Dingo-suggestion: please stop interrupting people in the Monday review.",
    "rater1_suggestion": "Egret-suggestion: share the agenda a day before the planning meeting.",
    "rater2_suggestion": "Ferret-suggestion: ask the quieter engineers first.",
    "rater_support": "Hyena-support: tell me earlier when priorities change.",
    "lone_peer_name": "Osgood Fennimore",
    "lone_peer_suggestion": "Coyote-suggestion: Lee takes credit for the platform team's work.",
    "lone_peer_support": "Mongoose-support: stop copying my manager on every reply.",
    "liv_goal_title": "Give direct feedback early",
    "liv_goal_why": "Zebu-why: Borealis loses engineers who never hear where they stand.",
    "liv_private_notes": "Yak-notes: Liv is thinking about leaving Borealis.",
    # "link_token" and "invitation_token" are generated when the link is made (see `seed_private_content`).
}

# Two texts that together would attribute an answer to a person: no page may show both.
NEVER_TOGETHER: tuple[tuple[str, str], ...] = (
    *((f"rater{i}_name", f"rater{i}_suggestion") for i in range(3)),
    ("lone_peer_name", "lone_peer_suggestion"),
)


def seed_private_content(cast) -> SimpleNamespace:
    """Write a secret into every private field of the cast's engagements; return the rows cases need.

    On top of the cast (kick-off held a week ago with private notes and a shared summary, a regular
    session next week with an agenda item): a held regular session whose summary the coach shared
    with the sponsors and released, a held one whose sponsor summary is not released yet, a held
    three-way meeting with agreed notes and private notes, and a regular session in two weeks that
    the coach turned into a three-way meeting after Lee had put a topic on it. Fieldwork: a commitment
    (reviewed), a full practice log and a quick one, a weekly reflection. A check-in. Stakeholders:
    three direct reports and one peer answered a closed round; a second round is open.
    """
    texts = dict(TEXTS)
    e, lee, ada = cast.lee_engagement, cast.lee, cast.ada
    hour = cast.lee_past_session.starts_at + timedelta(days=7)  # the cast's "now", on the hour
    goal, other_goal = cast.lee_goals
    goal.description = texts["goal_description"]
    goal.save(update_fields=["description"])
    liv_goal = cast.liv_goals[0]
    liv_goal.why_it_matters = texts["liv_goal_why"]
    liv_goal.save(update_fields=["why_it_matters"])
    SessionFactory(
        engagement=cast.liv_engagement,
        starts_at=hour - timedelta(days=3),
        status=Session.Status.HELD,
        private_notes=texts["liv_private_notes"],
    )

    def held(days_ago: int, **fields) -> Session:
        return SessionFactory(
            engagement=e, starts_at=hour - timedelta(days=days_ago), status=Session.Status.HELD, **fields
        )

    now = timezone.now()
    held(21, shared_summary=texts["sponsor_summary"], summary_shared_with_sponsor=True, summary_released_at=now)
    held(14, shared_summary=texts["unreleased_sponsor_summary"], summary_shared_with_sponsor=True)
    three_way_held = held(
        3,
        kind=Session.Kind.THREE_WAY,
        shared_summary=texts["three_way_agreed_notes"],
        summary_shared_with_sponsor=True,
        summary_released_at=now,
        private_notes=texts["three_way_private_notes"],
    )
    # A regular session Lee put a topic on; the coach then made it a three-way meeting.
    meeting = SessionFactory(engagement=e, starts_at=hour + timedelta(days=14), kind=Session.Kind.REGULAR)
    engagement_services.agenda_item_add(session=meeting, author=lee, text=texts["agenda_before_three_way"])
    engagement_services.session_reschedule(
        session=meeting,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        mode=meeting.mode,
        kind=Session.Kind.THREE_WAY,
        location=meeting.location,
    )
    engagement_services.agenda_item_add(session=meeting, author=ada, text=texts["three_way_agenda"])
    AgendaItemFactory(session=meeting, author=lee, text=texts["reflection_agenda"], source=AgendaItem.Source.REFLECTION)

    past = cast.lee_past_session
    commitment = CommitmentFactory(
        session=past,
        goal=goal,
        text=texts["commitment_text"],
        where_with_whom=texts["commitment_where"],
    )
    reviewed = CommitmentFactory(
        session=past,
        goal=other_goal,
        text="Delegate the hiring decision to a team lead",
        outcome="partly",
        review_reason=texts["commitment_review_reason"],
        reviewed_at=now,
        reviewed_in_session=three_way_held,
        reviewed_by=ada,
    )
    spare = CommitmentFactory(session=past, goal=other_goal, text="A commitment agreed by mistake")
    log = PracticeLogFactory(commitment=commitment, note=texts["log_note"], created_at=now)
    PracticeLogFactory(
        commitment=reviewed,
        note="",
        **{name: texts[f"log_{name}"] for name in ("what_tried", "went_well", "went_badly")},
        **{name: texts[f"log_{name}"] for name in ("noticed_in_myself", "others_reacted", "will_adjust")},
    )
    WeeklyReflectionFactory(
        engagement=e,
        iso_year=2025,
        iso_week=1,
        wins=texts["reflection_wins"],
        struggles=texts["reflection_struggles"],
        topics=texts["reflection_topics"],
    )
    PartnershipCheckIn.objects.create(
        engagement=e, leader=lee, held_sessions=3, score=2, comment=texts["checkin_comment"]
    )
    template = FieldworkTemplateFactory(coach=ada, title="Ask a peer for help")

    # Stakeholders: three direct reports (a group that reaches the threshold) and one peer (left out).
    raters = [
        StakeholderFactory(
            engagement=e,
            relationship="direct_report",
            name=texts[f"rater{i}_name"],
            email=texts[f"rater{i}_email"],
        )
        for i in range(3)
    ]
    lone_peer = StakeholderFactory(
        engagement=e, relationship="peer", name=texts["lone_peer_name"], email="osgood@acme.example"
    )
    waiting = StakeholderFactory(engagement=e, status="nominated", nominated_by=lee, email="new@acme.example")
    closed = FeedbackRoundFactory(engagement=e, ask_support=True)
    stakeholder_services.round_open(feedback_round=closed, notify=False)
    answers = [(person, texts[f"rater{i}_suggestion"]) for i, person in enumerate(raters)]
    for person, suggestion in [*answers, (lone_peer, texts["lone_peer_suggestion"])]:
        request = FeedbackRequest.objects.get(round=closed, stakeholder=person)
        stakeholder_services.response_submit(
            request=request,
            scores={g.pk: 2 for g in request.goals.all()},
            suggestions={goal.pk: suggestion},
            support=texts["rater_support"] if person in raters else texts["lone_peer_support"],
        )
    stakeholder_services.round_close(feedback_round=closed)

    current = FeedbackRoundFactory(engagement=e, ask_support=True)
    stakeholder_services.round_open(feedback_round=current, notify=False)
    valid = FeedbackRequest.objects.get(round=current, stakeholder=raters[0])
    used = FeedbackRequest.objects.get(round=current, stakeholder=raters[1])
    stakeholder_services.response_submit(request=used, scores={g.pk: 1 for g in used.goals.all()})
    draft = FeedbackRoundFactory(engagement=e)
    texts["link_token"] = stakeholder_services.link_token(request=valid)
    invitation = invitation_create(
        user=cast.sol, role=Invitation.Role.SPONSOR, invited_by=ada, context=f"sponsor of {lee}"
    )
    texts["invitation_token"] = invitation_token(invitation=invitation)
    coach_invitation = invitation_create(
        user=UserFactory(email="cora@example.com", full_name="Cora Invited"),
        role=Invitation.Role.COACH,
        invited_by=cast.pam,
        context=f"coach at {cast.practice}",
    )

    liv_person = StakeholderFactory(engagement=cast.liv_engagement)
    liv_round = FeedbackRoundFactory(engagement=cast.liv_engagement)
    stakeholder_services.round_open(feedback_round=liv_round, notify=False)
    stakeholder_services.round_close(feedback_round=liv_round)

    return SimpleNamespace(
        texts=texts,
        commitment=commitment,
        spare_commitment=spare,
        log=log,
        template=template,
        raters=raters,
        waiting_stakeholder=waiting,
        closed_round=closed,
        current_round=current,
        draft_round=draft,
        valid_request=valid,
        used_request=used,
        liv_request=FeedbackRequest.objects.get(round=liv_round, stakeholder=liv_person),
        three_way_meeting=meeting,
        three_way_held=three_way_held,
        reviewed_commitment=reviewed,
        coach_invitation=coach_invitation,
    )


def unreadable_by(person: str, texts: dict[str, str]) -> dict[str, str]:
    """{secret name: text} of every secret `person` may not read."""
    return {name: texts[name] for name, secret in SECRETS.items() if person not in secret.readers}
