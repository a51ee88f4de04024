"""Demo data for `make run`: a small practice with engagements at different stages.

Everything goes through the same services the pages use. Seeding is idempotent: people are looked
up by e-mail, and an engagement is only created when its leader has none yet.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import Practice, User
from engagements import services as engagement_services
from engagements.models import Engagement, Session
from fieldwork import demo as fieldwork_demo
from notifications import demo as notification_demo
from programs import demo as program_demo
from stakeholders import demo as stakeholder_demo

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo sign-in, never used in production

PEOPLE = [
    # email, name, role flags (and a language other than English), time zone
    ("ada@example.com", "Ada Moreno", {"is_coach": True}, "Europe/London"),
    ("ben@example.com", "Ben Okafor", {"is_coach": True}, "America/New_York"),
    ("lee@example.com", "Lee Chen", {}, "Europe/London"),
    ("liv@example.com", "Liv Hansen", {"language": "de"}, "Europe/Oslo"),
    ("sam@example.com", "Sam Patel", {}, "Europe/London"),
    ("pam@example.com", "Pam Whitfield", {"is_practice_admin": True}, "Europe/London"),
    ("pia@example.com", "Pia Pereira", {}, "Europe/London"),
]

LOGINS = [
    ("Coach", "ada@example.com"),
    ("Coach (second)", "ben@example.com"),
    ("Leader", "lee@example.com"),
    ("Leader (second, reads the site in German)", "liv@example.com"),
    ("Sponsor", "sam@example.com"),
    ("Practice admin", "pam@example.com"),
    ("Program manager", "pia@example.com"),
]


def _person(practice: Practice, email: str, name: str, flags: dict, tz: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name, time_zone=tz, **flags)
    if flags.get("is_coach") or flags.get("is_practice_admin"):
        user.practice = practice
        user.save(update_fields=["practice"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _at(day_offset: int, hour: int, tz) -> datetime:
    day = timezone.localdate(timezone=tz) + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, 0), tzinfo=tz)


def _engagement(
    *, coach: User, leader: User, sponsor: User | None, organisation: str, weeks_in: int, goals: list
) -> Engagement:
    today = timezone.localdate()
    result = engagement_services.engagement_create(
        coach=coach,
        leader_email=leader.email,
        leader_name=leader.full_name,
        organisation=organisation,
        start_date=today - timedelta(weeks=weeks_in),
        planned_end_date=today - timedelta(weeks=weeks_in) + timedelta(weeks=24),
        planned_sessions=8,
        cadence_days=14,
        sponsors=[(sponsor.full_name, sponsor.email)] if sponsor else [],
        leader_has_agreed=True,
    )
    engagement = result.engagement
    for title, description, why in goals:
        engagement_services.goal_save(engagement=engagement, title=title, description=description, why_it_matters=why)
    return engagement


@transaction.atomic
def seed() -> list[Engagement]:
    practice, _ = Practice.objects.get_or_create(name="Northlight Coaching")
    people = {email: _person(practice, email, name, flags, tz) for email, name, flags, tz in PEOPLE}
    ada, ben, lee, liv, sam = (
        people[e]
        for e in ("ada@example.com", "ben@example.com", "lee@example.com", "liv@example.com", "sam@example.com")
    )
    created = []
    if not Engagement.objects.filter(leader=lee).exists():
        e = _engagement(
            coach=ada,
            leader=lee,
            sponsor=sam,
            organisation="Harbour Logistics",
            weeks_in=7,
            goals=[
                (
                    "Stay composed under pressure",
                    "Respond rather than react when challenged in senior meetings.",
                    "Calm leadership in operations reviews keeps the team focused on solutions.",
                ),
                (
                    "Develop my direct reports",
                    "Coach instead of fixing problems myself.",
                    "The region needs two successors ready within a year.",
                ),
            ],
        )
        tz = ada.tz
        for offset, kind, status in [
            (-42, Session.Kind.KICKOFF, Session.Status.HELD),
            (-28, Session.Kind.REGULAR, Session.Status.HELD),
            (-14, Session.Kind.REGULAR, Session.Status.NO_SHOW),
            (-7, Session.Kind.REGULAR, Session.Status.HELD),
        ]:
            s = engagement_services.session_schedule(
                engagement=e, starts_at=_at(offset, 10, tz), kind=kind, allow_past=True
            )
            engagement_services.session_record_outcome(session=s, status=status)
            if status == Session.Status.HELD:
                engagement_services.session_write_notes(
                    session=s,
                    shared_summary=(
                        "We reviewed the last two weeks of practice and agreed next steps for the operations review."
                    ),
                    private_notes="Lee seemed tired; ask about workload next time.",
                    summary_shared_with_sponsor=offset == -42,
                )
        # A three-way meeting with the sponsor, its agreed notes released to them.
        three_way = engagement_services.session_schedule(
            engagement=e,
            starts_at=_at(-21, 15, tz),
            kind=Session.Kind.THREE_WAY,
            mode=Session.Mode.IN_PERSON,
            location="Harbour Logistics HQ, room 4",
            allow_past=True,
        )
        engagement_services.session_record_outcome(session=three_way, status=Session.Status.HELD)
        engagement_services.session_write_notes(
            session=three_way,
            shared_summary=(
                "Sam, Lee and Ada agreed that the operations review is the place to see progress on composure. "
                "Sam will give Lee feedback after each review; the next three-way meeting checks the first signs."
            ),
            private_notes="",
            summary_shared_with_sponsor=True,
        )
        engagement_services.session_release_summary(session=three_way)
        nxt = engagement_services.session_schedule(
            engagement=e, starts_at=_at(3, 10, tz), location="https://video.example.com/lee"
        )
        engagement_services.agenda_item_add(
            session=nxt, author=lee, text="How to push back on the VP without sounding defensive"
        )
        engagement_services.session_schedule(
            engagement=e,
            starts_at=_at(24, 15, tz),
            kind=Session.Kind.THREE_WAY,
            mode=Session.Mode.IN_PERSON,
            location="Harbour Logistics HQ, room 4",
        )
        created.append(e)
    if not Engagement.objects.filter(leader=liv).exists():
        e = _engagement(
            coach=ada,
            leader=liv,
            sponsor=None,
            organisation="Fjord Energy",
            weeks_in=2,
            goals=[
                (
                    "Delegate with clarity",
                    "Hand over whole outcomes, not tasks.",
                    "Frees the leadership team for the 2027 strategy work.",
                )
            ],
        )
        s = engagement_services.session_schedule(
            engagement=e, starts_at=_at(-10, 9, ada.tz), kind=Session.Kind.KICKOFF, allow_past=True
        )
        engagement_services.session_record_outcome(session=s, status=Session.Status.HELD)
        engagement_services.session_schedule(engagement=e, starts_at=_at(1, 9, ada.tz))
        created.append(e)
    fieldwork_demo.seed(
        engagements=list(Engagement.objects.filter(leader__in=[lee, liv]).select_related("coach", "leader"))
    )
    stakeholder_demo.seed(engagements=Engagement.objects.filter(leader=lee).select_related("coach", "leader"))
    program_demo.seed(engagement=Engagement.objects.get(leader=lee, coach=ada), manager=people["pia@example.com"])
    notification_demo.seed(people=list(people.values()), reflection_choices={liv: (0, time(8, 30))})
    return created
