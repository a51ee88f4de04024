"""What the API shows of each row, and what it accepts for writes.

Read serializers name their fields (never `__all__`), so a private column added to a model later stays
out of the API until someone decides who may read it. Goals, sessions, agenda items, commitments and
practice logs take their fields, and the rule for a session's private notes, from `coaching.facts`,
which exports use too: a program and an export read the same facts. Write serializers only check the
shape of the input; the rules live in the services they feed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coaching import facts
from engagements.models import AgendaItem, Engagement, Goal, Session
from fieldwork.models import Commitment, PracticeLog, WeeklyReflection
from stakeholders.models import FeedbackRound, Stakeholder

MAX_ID = 2**63 - 1


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class EngagementSerializer(serializers.ModelSerializer):
    coach = PersonSerializer()
    leader = PersonSerializer()
    your_role = serializers.SerializerMethodField()
    sessions_held = serializers.IntegerField(source="held_count")
    no_shows = serializers.IntegerField(source="no_show_count")
    late_cancellations = serializers.IntegerField(source="late_cancel_count")
    next_session_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = Engagement
        fields = [
            "id",
            "organisation",
            "status",
            "start_date",
            "planned_end_date",
            "planned_sessions",
            "cadence_days",
            "anonymity_threshold",
            "coach",
            "leader",
            "your_role",
            "sessions_held",
            "no_shows",
            "late_cancellations",
            "next_session_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["coach", "leader", "sponsor"]))
    def get_your_role(self, engagement: Engagement) -> str:
        user = self.context["request"].user
        if engagement.coach_id == user.pk:
            return "coach"
        if engagement.leader_id == user.pk:
            return "leader"
        return "sponsor"


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = list(facts.GOAL_FIELDS)


class SessionSerializer(serializers.ModelSerializer):
    private_notes = serializers.SerializerMethodField(
        help_text=_("The coach's own notes: shown to the coach only, null for everyone else.")
    )

    class Meta:
        model = Session
        fields = [*facts.SESSION_FIELDS, *facts.SESSION_PRIVATE_FIELDS]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_private_notes(self, session: Session) -> str | None:
        return facts.session_facts(session, viewer_id=self.context["request"].user.pk)["private_notes"]


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = list(facts.AGENDA_ITEM_FIELDS)


class CommitmentSerializer(serializers.ModelSerializer):
    attempts_logged = serializers.IntegerField(source="logged_count")
    could_not_logged = serializers.IntegerField(source="could_not_count")

    class Meta:
        model = Commitment
        fields = [*facts.COMMITMENT_FIELDS, "attempts_logged", "could_not_logged"]


class PracticeLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = PracticeLog
        fields = list(facts.PRACTICE_LOG_FIELDS)


class SelfRatingSerializer(serializers.Serializer):
    goal = serializers.IntegerField(source="goal_id", min_value=1, max_value=MAX_ID)
    score = serializers.IntegerField(min_value=1, max_value=10)


class ReflectionSerializer(serializers.ModelSerializer):
    week = serializers.CharField(source="week_key")
    topics = serializers.ListField(child=serializers.CharField(), source="topic_list")
    ratings = SelfRatingSerializer(many=True)

    class Meta:
        model = WeeklyReflection
        fields = ["id", "engagement", "week", "wins", "struggles", "topics", "ratings", "created_at", "updated_at"]


class StakeholderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stakeholder
        fields = ["id", "engagement", "name", "email", "relationship", "status", "goals", "created_at"]


class RoundSerializer(serializers.ModelSerializer):
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()

    class Meta:
        model = FeedbackRound
        fields = ["id", "engagement", "kind", "sequence", "status", "opens_on", "closes_on", "asked", "answered"]


# --- Aggregated results (dataclasses of the stakeholders selectors) ---------------------------------


class ScoreCountSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    count = serializers.IntegerField()


class FigureSerializer(serializers.Serializer):
    group = serializers.CharField(source="key")
    label = serializers.CharField()
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    shown = serializers.BooleanField(help_text=_("False when fewer people answered than the anonymity threshold."))
    mean = serializers.FloatField(allow_null=True)
    distribution = serializers.SerializerMethodField()

    @extend_schema_field(ScoreCountSerializer(many=True))
    def get_distribution(self, figure) -> list[dict]:
        return [{"score": score, "count": count} for score, count in figure.distribution]


class GoalResultSerializer(serializers.Serializer):
    goal = serializers.IntegerField(source="goal.pk")
    title = serializers.CharField(source="goal.title")
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    everyone = FigureSerializer()
    groups = FigureSerializer(many=True)
    suggestions = serializers.ListField(child=serializers.CharField())
    suggestions_hidden = serializers.BooleanField()


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField()
    answers = serializers.ListField(child=serializers.CharField())


class RoundResultsSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round.pk")
    threshold = serializers.IntegerField()
    asked = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.IntegerField()
    released = serializers.BooleanField(help_text=_("Results appear once the round is closed."))
    goals = GoalResultSerializer(many=True)
    questions = serializers.SerializerMethodField()
    texts_hidden = serializers.BooleanField()

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, results) -> list[dict]:
        return [{"question": question, "answers": answers} for question, answers in results.questions]


# --- The sponsor summary (coaching.summary.EngagementSummary) --------------------------------------


class TrendPointSerializer(serializers.Serializer):
    label = serializers.CharField()
    date = serializers.DateField()
    net = serializers.FloatField(allow_null=True)


class SummaryGoalSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    why_it_matters = serializers.CharField()
    stakeholder_trend = serializers.SerializerMethodField(
        help_text=_("Net score per closed progress round, only from rater groups that meet the anonymity threshold.")
    )

    @extend_schema_field(TrendPointSerializer(many=True))
    def get_stakeholder_trend(self, goal) -> list[dict]:
        return TrendPointSerializer(self.context.get("trend", {}).get(goal.title, []), many=True).data


class AttendanceSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    kind = serializers.CharField(source="kind_label")
    status = serializers.CharField()


class SharedSummarySerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session_id")
    session_starts_at = serializers.DateTimeField()
    text = serializers.CharField()
    released_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Null: a preview for the coach and the leader, not yet shown to the sponsor.")
    )


class ThreeWayMeetingSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session_id")
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    mode = serializers.CharField(source="mode_label")
    location = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    agenda = serializers.ListField(child=serializers.CharField())
    agreed_notes = SharedSummarySerializer(allow_null=True)


class FieldworkFactsSerializer(serializers.Serializer):
    commitments = serializers.IntegerField()
    logs = serializers.IntegerField()
    reviewed = serializers.IntegerField()
    completed = serializers.IntegerField()
    completion_rate = serializers.IntegerField(allow_null=True)


class SummarySerializer(serializers.Serializer):
    engagement = serializers.IntegerField(source="engagement_id")
    leader_name = serializers.CharField()
    coach_name = serializers.CharField()
    sponsor_names = serializers.ListField(child=serializers.CharField())
    organisation = serializers.CharField()
    status = serializers.CharField()
    start_date = serializers.DateField()
    planned_end_date = serializers.DateField()
    planned_sessions = serializers.IntegerField()
    sessions_held = serializers.IntegerField(source="held")
    no_shows = serializers.IntegerField()
    late_cancellations = serializers.IntegerField(source="late_cancels")
    last_session_at = serializers.DateTimeField(allow_null=True)
    next_session_at = serializers.DateTimeField(allow_null=True)
    progress_percent = serializers.IntegerField()
    goals = SummaryGoalSerializer(many=True)
    attendance = AttendanceSerializer(many=True)
    three_way_meetings = ThreeWayMeetingSerializer(many=True)
    shared_summaries = SharedSummarySerializer(many=True, source="summaries")
    fieldwork = FieldworkFactsSerializer()
    includes_previews = serializers.BooleanField()
    your_role = serializers.CharField(source="viewer_role")
    generated_at = serializers.DateTimeField()


# --- Writes ------------------------------------------------------------------------------------------


class SessionScheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text=_("With a time zone, for example 2026-12-10T09:00:00+01:00."))
    duration_minutes = serializers.IntegerField(min_value=15, max_value=480, default=60)
    mode = serializers.ChoiceField(choices=Session.Mode.choices, default=Session.Mode.VIDEO)
    kind = serializers.ChoiceField(choices=Session.Kind.choices, default=Session.Kind.REGULAR)
    location = serializers.CharField(max_length=300, allow_blank=True, default="")


class SessionMoveSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=15, max_value=480, required=False)
    mode = serializers.ChoiceField(choices=Session.Mode.choices, required=False)
    kind = serializers.ChoiceField(choices=Session.Kind.choices, required=False)
    location = serializers.CharField(max_length=300, allow_blank=True, required=False)


class SessionOutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in Session.OUTCOMES],
        error_messages={"invalid_choice": _("Choose held, no-show or late cancellation.")},
    )


class AgendaItemCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)


class PracticeLogCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PracticeLog.Kind.choices, default=PracticeLog.Kind.PRACTISED)
    occurred_at = serializers.DateTimeField(required=False, help_text=_("When it happened; now if left out."))
    note = serializers.CharField(max_length=300, allow_blank=True, default="")
    what_tried = serializers.CharField(max_length=2000, allow_blank=True, default="")
    went_well = serializers.CharField(max_length=2000, allow_blank=True, default="")
    went_badly = serializers.CharField(max_length=2000, allow_blank=True, default="")
    noticed_in_myself = serializers.CharField(max_length=2000, allow_blank=True, default="")
    others_reacted = serializers.CharField(max_length=2000, allow_blank=True, default="")
    will_adjust = serializers.CharField(max_length=2000, allow_blank=True, default="")


class ReflectionSaveSerializer(serializers.Serializer):
    wins = serializers.CharField(max_length=2000, allow_blank=True, default="")
    struggles = serializers.CharField(max_length=2000, allow_blank=True, default="")
    topics = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=20, default=list, help_text=_("One topic per item.")
    )
    ratings = SelfRatingSerializer(many=True, default=list)
