"""The REST API: the same objects, access rules, selectors and services as the pages, as JSON.

Every object is fetched through the queryset helpers of the apps below (`visible_to`, `worked_by`,
`coached_by`), so a row another person may not open answers 404 here as it does on the pages.
Writes call the apps' services and record who made them with which token (`ApiWrite`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coaching.summary import engagement_summary
from engagements import selectors as engagement_selectors
from engagements import services as engagement_services
from engagements.models import AgendaItem, Engagement, Goal, Session
from fieldwork import selectors as fieldwork_selectors
from fieldwork import services as fieldwork_services
from fieldwork.models import Commitment, PracticeLog, WeeklyReflection
from stakeholders import selectors as stakeholder_selectors
from stakeholders.models import FeedbackRound, Stakeholder

from . import serializers as s
from .services import api_write_record

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Any random text up to 64 characters: sending the same request again with the same key "
        "returns the row made the first time instead of a second one."
    ),
)


def _idempotency_key(request: Request) -> str:
    return (request.headers.get("Idempotency-Key") or "")[:64]


def _engagement(request: Request, pk: int, qs: QuerySet[Engagement]) -> Engagement:
    """One engagement out of `qs` (already scoped to the caller), or a 404."""
    try:
        return qs.select_related("coach", "leader").get(pk=pk)
    except Engagement.DoesNotExist:
        raise Http404 from None


def _team_engagement(request: Request, pk: int) -> Engagement:
    """An engagement whose confidential work the caller sees: its coach and its leader."""
    return _engagement(request, pk, Engagement.objects.worked_by(request.user))


def _session(request: Request, pk: int, *, coach_only: bool = False) -> Session:
    """A session of the caller's engagements with its engagement (coach only for the coach's actions)."""
    user = request.user
    qs = Session.objects.filter(engagement__coach=user) if coach_only else Session.objects.visible_to(user)
    try:
        return qs.select_related("engagement").get(pk=pk)
    except Session.DoesNotExist:
        raise Http404 from None


@csrf_exempt  # no cookie is ever read here, so there is nothing to forge
def not_found(request: HttpRequest) -> JsonResponse:
    """Any path under /api/ that names no endpoint: a 404 in JSON, like every other API error."""
    return JsonResponse({"detail": _("There is no such API endpoint. /api/docs/ lists them all.")}, status=404)


# --- Schema and documentation -----------------------------------------------------------------------


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, open to anyone: it describes the API, not anyone's data."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    """Browsable documentation (Swagger UI served from this site, no CDN)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []
    template_name = "api/docs.html"
    url_name = "api:schema"
    title = "Coaching API"


# --- Engagements and goals --------------------------------------------------------------------------


class EngagementList(generics.ListAPIView):
    """Engagements you take part in, as coach, leader or sponsor, with attendance counts."""

    serializer_class = s.EngagementSerializer

    def get_queryset(self) -> QuerySet[Engagement]:
        return engagement_selectors.engagement_with_counts(Engagement.objects.visible_to(self.request.user))


class EngagementDetail(generics.RetrieveAPIView):
    serializer_class = s.EngagementSerializer

    def get_queryset(self) -> QuerySet[Engagement]:
        return engagement_selectors.engagement_with_counts(Engagement.objects.visible_to(self.request.user))


class GoalList(generics.ListAPIView):
    """An engagement's goals: its coach, leader and sponsors read them."""

    serializer_class = s.GoalSerializer

    def get_queryset(self) -> QuerySet[Goal]:
        engagement = _engagement(self.request, self.kwargs["pk"], Engagement.objects.visible_to(self.request.user))
        return Goal.objects.filter(engagement=engagement)


# --- Sessions ---------------------------------------------------------------------------------------


class SessionList(generics.ListCreateAPIView):
    """Sessions of an engagement (coach and leader). The coach schedules a new one with POST."""

    serializer_class = s.SessionSerializer

    def get_queryset(self) -> QuerySet[Session]:
        self.engagement = _team_engagement(self.request, self.kwargs["pk"])
        return Session.objects.filter(engagement=self.engagement).select_related("engagement")

    @extend_schema(request=s.SessionScheduleSerializer, responses={201: s.SessionSerializer}, parameters=[IDEMPOTENCY])
    def post(self, request: Request, pk: int) -> Response:
        engagement = _engagement(request, pk, Engagement.objects.coached_by(request.user))
        form = s.SessionScheduleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            session = engagement_services.session_schedule(
                engagement=engagement, idempotency_key=_idempotency_key(request), **form.validated_data
            )
            api_write_record(token=request.auth, action="session_schedule", row=session)
        return Response(s.SessionSerializer(session, context={"request": request}).data, status=status.HTTP_201_CREATED)


class SessionDetail(generics.RetrieveAPIView):
    serializer_class = s.SessionSerializer

    def get_object(self) -> Session:
        return _session(self.request, self.kwargs["pk"])


class _SessionAction(APIView):
    """A coach's action on one session through a service; answers the session as it is afterwards."""

    action_name = ""

    def act(self, request: Request, session: Session) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        session = _session(request, pk, coach_only=True)
        with transaction.atomic():
            self.act(request, session)
            api_write_record(token=request.auth, action=self.action_name, row=session)
        return Response(s.SessionSerializer(session, context={"request": request}).data)


@extend_schema(request=s.SessionMoveSerializer, responses=s.SessionSerializer)
class SessionMove(_SessionAction):
    """Moves a scheduled session (coach). Fields left out keep their current value."""

    action_name = "session_reschedule"

    def act(self, request: Request, session: Session) -> None:
        form = s.SessionMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        engagement_services.session_reschedule(
            session=session,
            starts_at=data["starts_at"],
            duration_minutes=data.get("duration_minutes", session.duration_minutes),
            mode=data.get("mode", session.mode),
            kind=data.get("kind", session.kind),
            location=data.get("location", session.location),
        )


@extend_schema(request=None, responses=s.SessionSerializer)
class SessionCancel(_SessionAction):
    """Cancels a scheduled session (coach); inside the engagement's window it counts as a late cancellation."""

    action_name = "session_cancel"

    def act(self, request: Request, session: Session) -> None:
        engagement_services.session_cancel(session=session)


@extend_schema(request=s.SessionOutcomeSerializer, responses=s.SessionSerializer)
class SessionOutcome(_SessionAction):
    """Records what happened (coach): held, no-show or late cancellation."""

    action_name = "session_record_outcome"

    def act(self, request: Request, session: Session) -> None:
        form = s.SessionOutcomeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        engagement_services.session_record_outcome(session=session, status=form.validated_data["status"])


class AgendaList(generics.ListCreateAPIView):
    """A session's agenda (coach and leader); either adds a topic with POST while the session is scheduled."""

    serializer_class = s.AgendaItemSerializer

    def get_queryset(self) -> QuerySet[AgendaItem]:
        return AgendaItem.objects.filter(session=_session(self.request, self.kwargs["pk"]))

    @extend_schema(
        request=s.AgendaItemCreateSerializer, responses={201: s.AgendaItemSerializer}, parameters=[IDEMPOTENCY]
    )
    def post(self, request: Request, pk: int) -> Response:
        session = _session(request, pk)
        if not request.user.has_perm("engagements.add_agenda_item", session.engagement):
            raise PermissionDenied(_("This engagement has ended, so its agenda is closed."))
        form = s.AgendaItemCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        is_coach = session.engagement.coach_id == request.user.pk
        with transaction.atomic():
            item = engagement_services.agenda_item_add(
                session=session,
                author=request.user,
                text=form.validated_data["text"],
                source=AgendaItem.Source.COACH if is_coach else AgendaItem.Source.LEADER,
                idempotency_key=_idempotency_key(request),
            )
            api_write_record(token=request.auth, action="agenda_item_add", row=item)
        return Response(s.AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


# --- Fieldwork --------------------------------------------------------------------------------------


class CommitmentList(generics.ListAPIView):
    """Fieldwork commitments of an engagement with the attempts logged (coach and leader)."""

    serializer_class = s.CommitmentSerializer

    def get_queryset(self) -> QuerySet[Commitment]:
        engagement = _team_engagement(self.request, self.kwargs["pk"])
        return fieldwork_selectors.with_log_counts(Commitment.objects.filter(engagement=engagement))


class PracticeLogList(generics.ListAPIView):
    """Practice logged on an engagement's commitments (coach and leader)."""

    serializer_class = s.PracticeLogSerializer

    def get_queryset(self) -> QuerySet[PracticeLog]:
        engagement = _team_engagement(self.request, self.kwargs["pk"])
        return PracticeLog.objects.filter(commitment__engagement=engagement)


class PracticeLogCreate(APIView):
    """The leader logs one attempt at their commitment, or that they could not do it."""

    @extend_schema(
        request=s.PracticeLogCreateSerializer, responses={201: s.PracticeLogSerializer}, parameters=[IDEMPOTENCY]
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            commitment = (
                Commitment.objects.visible_to(request.user).select_related("engagement", "session", "goal").get(pk=pk)
            )
        except Commitment.DoesNotExist:
            raise Http404 from None
        if commitment.engagement.leader_id != request.user.pk:
            raise PermissionDenied(_("Only the leader logs practice on their commitments."))
        form = s.PracticeLogCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            log = fieldwork_services.practice_log(
                commitment=commitment,
                author=request.user,
                idempotency_key=_idempotency_key(request),
                **form.validated_data,
            )
            api_write_record(token=request.auth, action="practice_log", row=log)
        return Response(s.PracticeLogSerializer(log).data, status=status.HTTP_201_CREATED)


class ReflectionList(generics.ListAPIView):
    """Weekly reflections of an engagement (coach and leader). The leader writes this week's with POST;
    a second POST in the same week of their calendar edits it."""

    serializer_class = s.ReflectionSerializer

    def get_queryset(self) -> QuerySet[WeeklyReflection]:
        engagement = _team_engagement(self.request, self.kwargs["pk"])
        return WeeklyReflection.objects.filter(engagement=engagement).prefetch_related("ratings")

    @extend_schema(
        request=s.ReflectionSaveSerializer,
        responses={200: s.ReflectionSerializer, 201: s.ReflectionSerializer},
        parameters=[IDEMPOTENCY],
    )
    def post(self, request: Request, pk: int) -> Response:
        engagement = _team_engagement(request, pk)
        form = s.ReflectionSaveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with transaction.atomic():
            result = fieldwork_services.reflection_save(
                leader=request.user,
                engagement=engagement,
                wins=data["wins"],
                struggles=data["struggles"],
                topics=data["topics"],
                ratings={rating["goal_id"]: rating["score"] for rating in data["ratings"]},
                idempotency_key=_idempotency_key(request),
            )
            api_write_record(token=request.auth, action="reflection_save", row=result.reflection)
        reflection = WeeklyReflection.objects.prefetch_related("ratings").get(pk=result.reflection.pk)
        return Response(
            s.ReflectionSerializer(reflection).data, status=status.HTTP_201_CREATED if result.created else 200
        )


# --- Stakeholders -----------------------------------------------------------------------------------


class StakeholderList(generics.ListAPIView):
    """The stakeholder roster of an engagement (coach and leader)."""

    serializer_class = s.StakeholderSerializer

    def get_queryset(self) -> QuerySet[Stakeholder]:
        engagement = _team_engagement(self.request, self.kwargs["pk"])
        return Stakeholder.objects.filter(engagement=engagement).prefetch_related("goals")


class RoundList(generics.ListAPIView):
    """Feedback rounds of an engagement with how many people were asked and answered (coach and leader)."""

    serializer_class = s.RoundSerializer

    def get_queryset(self) -> QuerySet[FeedbackRound]:
        engagement = _team_engagement(self.request, self.kwargs["pk"])
        return FeedbackRound.objects.filter(engagement=engagement).annotate(
            asked=Count("requests", filter=Q(requests__withdrawn_at__isnull=True)),
            answered=Count("requests", filter=Q(requests__answered_at__isnull=False)),
        )


class RoundResults(APIView):
    """Aggregated answers of a closed round, with the engagement's anonymity threshold applied: a rater
    group with fewer answers than the threshold is left out, suggestions carry no names and no order."""

    @extend_schema(responses=s.RoundResultsSerializer)
    def get(self, request: Request, pk: int) -> Response:
        try:
            feedback_round = stakeholder_selectors.round_detail(
                round_qs=FeedbackRound.objects.visible_to(request.user), pk=pk
            )
        except FeedbackRound.DoesNotExist:
            raise Http404 from None
        results = stakeholder_selectors.round_results(feedback_round=feedback_round)
        return Response(s.RoundResultsSerializer(results).data)


# --- The sponsor summary ----------------------------------------------------------------------------


class Summary(APIView):
    """The three-way progress summary: what a sponsor may know, as plain facts. Coach and leader also
    see summaries marked for the sponsor but not released yet (`released_at` null)."""

    @extend_schema(responses=s.SummarySerializer)
    def get(self, request: Request, pk: int) -> Response:
        engagement = _engagement(request, pk, Engagement.objects.visible_to(request.user))
        summary = engagement_summary(viewer=request.user, pk=engagement.pk)
        released = stakeholder_selectors.released_trend(engagement=engagement)
        trend = {goal.title: points for goal, points in released.items()}
        return Response(s.SummarySerializer(summary, context={"trend": trend}).data)
