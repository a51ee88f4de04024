"""factory-boy factories: plain model creation with valid defaults, for tests that need more rows
than the fixed cast in `tests/conftest.py` provides.

Every user gets the password `TEST_PASSWORD` and a verified, primary allauth e-mail address, so any
factory user can sign in through the real login form (e-mail verification is mandatory).
"""

from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Practice, User
from engagements.models import AgendaItem, Engagement, Goal, Session
from programs.models import ClientOrganisation, Program

TEST_PASSWORD = "correct-horse-battery"


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Practice {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a usable password and a verified e-mail address.

    `UserFactory(verified_email=False)` leaves the allauth EmailAddress out (an invited person who
    has not confirmed yet).
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    time_zone = "Europe/London"
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CoachFactory(UserFactory):
    is_coach = True
    email = factory.Sequence(lambda n: f"coach{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Coach {n}")


class EngagementFactory(factory.django.DjangoModelFactory):
    """An active engagement that started four weeks ago and runs for twelve weeks.

    Sponsors: `EngagementFactory(sponsors=[sam, sue])`.
    """

    class Meta:
        model = Engagement
        skip_postgeneration_save = True

    coach = factory.SubFactory(CoachFactory)
    leader = factory.SubFactory(UserFactory)
    organisation = factory.Sequence(lambda n: f"Organisation {n}")
    client = factory.LazyAttribute(
        lambda o: ClientOrganisation.objects.get_or_create(practice_id=o.coach.practice_id, name=o.organisation)[0]
    )
    status = Engagement.Status.ACTIVE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(weeks=4))
    planned_end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(weeks=12))
    planned_sessions = 6
    cadence_days = Engagement.Cadence.FORTNIGHTLY

    @factory.post_generation
    def sponsors(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.sponsors.add(*extracted)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    engagement = factory.SubFactory(EngagementFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    description = "Behaviour the leader wants to change, in their own words."
    why_it_matters = "The organisation needs this to deliver its plan."
    position = factory.Sequence(lambda n: n)


class SessionFactory(factory.django.DjangoModelFactory):
    """A scheduled one-hour video session a week from now (pass `starts_at` and `status` for others)."""

    class Meta:
        model = Session

    engagement = factory.SubFactory(EngagementFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )
    duration_minutes = 60
    mode = Session.Mode.VIDEO
    kind = Session.Kind.REGULAR
    status = Session.Status.SCHEDULED


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    session = factory.SubFactory(SessionFactory)
    author = factory.LazyAttribute(lambda o: o.session.engagement.leader)
    text = factory.Sequence(lambda n: f"Topic {n} to bring to the session")
    source = AgendaItem.Source.LEADER


class StakeholderFactory(factory.django.DjangoModelFactory):
    """An approved peer of the engagement, asked about every goal (pass `goals=[...]` to narrow)."""

    class Meta:
        model = "stakeholders.Stakeholder"
        skip_postgeneration_save = True

    engagement = factory.SubFactory(EngagementFactory)
    name = factory.Sequence(lambda n: f"Stakeholder {n}")
    email = factory.Sequence(lambda n: f"stakeholder{n}@example.com")
    relationship = "peer"
    status = "approved"
    nominated_by = factory.LazyAttribute(lambda o: o.engagement.coach)

    @factory.post_generation
    def goals(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.goals.set(extracted)


class FeedbackRoundFactory(factory.django.DjangoModelFactory):
    """A draft progress round that opens today (the coach's date) and closes in two weeks.

    Open it with `stakeholders.services.round_open`.
    """

    class Meta:
        model = "stakeholders.FeedbackRound"

    engagement = factory.SubFactory(EngagementFactory)
    kind = "progress"
    opens_on = factory.LazyAttribute(lambda o: timezone.localdate(timezone=o.engagement.coach.tz))
    closes_on = factory.LazyAttribute(lambda o: o.opens_on + timedelta(days=14))
    created_by = factory.LazyAttribute(lambda o: o.engagement.coach)


# --- Fieldwork ------------------------------------------------------------------------------------


class FieldworkTemplateFactory(factory.django.DjangoModelFactory):
    """A template in a coach's own fieldwork library."""

    class Meta:
        model = "fieldwork.FieldworkTemplate"

    coach = factory.SubFactory(CoachFactory)
    title = factory.Sequence(lambda n: f"Practice number {n}")
    description = "Try it in a real meeting and notice what happens."
    goal_theme = "composure"


class CommitmentFactory(factory.django.DjangoModelFactory):
    """An open commitment agreed at a session held a week ago, due at the next session, three attempts.

    `CommitmentFactory(session=cast.lee_past_session)` puts it in Lee's engagement.
    """

    class Meta:
        model = "fieldwork.Commitment"

    session = factory.SubFactory(
        SessionFactory,
        status=Session.Status.HELD,
        starts_at=factory.LazyFunction(
            lambda: (timezone.now() - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
        ),
    )
    engagement = factory.LazyAttribute(lambda o: o.session.engagement)
    created_by = factory.LazyAttribute(lambda o: o.session.engagement.coach)
    text = factory.Sequence(lambda n: f"Practice {n}: pause before answering")
    where_with_whom = "Weekly team meeting"
    target_count = 3


class PracticeLogFactory(factory.django.DjangoModelFactory):
    """A quick log by the commitment's leader, an hour ago."""

    class Meta:
        model = "fieldwork.PracticeLog"

    commitment = factory.SubFactory(CommitmentFactory)
    author = factory.LazyAttribute(lambda o: o.commitment.engagement.leader)
    kind = "practised"
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    created_at = factory.LazyFunction(timezone.now)
    note = factory.Sequence(lambda n: f"Attempt {n}: it went better than last time")


class WeeklyReflectionFactory(factory.django.DjangoModelFactory):
    """A reflection for an ISO week (default: the current week in the leader's time zone)."""

    class Meta:
        model = "fieldwork.WeeklyReflection"

    engagement = factory.SubFactory(EngagementFactory)
    leader = factory.LazyAttribute(lambda o: o.engagement.leader)
    iso_year = factory.LazyAttribute(lambda o: timezone.now().astimezone(o.leader.tz).isocalendar()[0])
    iso_week = factory.LazyAttribute(lambda o: timezone.now().astimezone(o.leader.tz).isocalendar()[1])
    wins = "Stayed calm in the review."
    struggles = "Rushed my answers."


class SelfRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "fieldwork.SelfRating"

    reflection = factory.SubFactory(WeeklyReflectionFactory)
    goal = factory.SubFactory(GoalFactory, engagement=factory.SelfAttribute("..reflection.engagement"))
    score = 5


class ClientOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientOrganisation
        django_get_or_create = ("practice", "name")

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Client {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    """A program that started eight weeks ago and runs for half a year. Managers: `managers=[pia]`."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    organisation = factory.SubFactory(ClientOrganisationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(weeks=8))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(weeks=26))
    planned_sessions = 6

    @factory.post_generation
    def managers(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.managers.add(*extracted)
