"""Every create form stores once: the same form sent twice (or twice at once) gives one row.

Each form carries the hidden `idempotency_key` it was rendered with; sending it again returns the
first result (the same redirect), never a second row or an error page.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.idempotency import create_once
from accounts.models import IdempotencyKey
from coaching.models import PartnershipCheckIn
from engagements.models import AgendaItem, Engagement, Goal, Session
from fieldwork import services as fieldwork_services
from fieldwork.models import Commitment, FieldworkTemplate, PracticeLog, WeeklyReflection
from stakeholders import services as stakeholder_services
from stakeholders.models import FeedbackRequest, FeedbackResponse, FeedbackRound, Stakeholder
from tests.factories import CommitmentFactory, FeedbackRoundFactory, SessionFactory, StakeholderFactory

KEY_INPUT = re.compile(r'name="((?:[\w-]+-)?idempotency_key)" value="([^"]+)"')


@dataclass
class CreateForm:
    client: Client
    page: str  # where the form is rendered
    action: str  # where it is sent
    data: dict
    rows: object  # a queryset of the rows the form creates


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _practice_log(cast, client_for):
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0])
    url = f"/commitments/{commitment.pk}/log/"
    data = {"mode": "quick", "occurred_at": _local(timezone.now() - timedelta(days=2)), "note": "Paused first."}
    return CreateForm(client_for("lee"), url, url, data, PracticeLog.objects.filter(commitment=commitment))


def _full_practice_log(cast, client_for):
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0])
    url = f"/commitments/{commitment.pk}/log/?mode=full"
    data = {"mode": "full", "occurred_at": _local(timezone.now() - timedelta(days=2)), "what_tried": "A pause."}
    return CreateForm(client_for("lee"), url, url, data, PracticeLog.objects.filter(commitment=commitment))


def _reflection(cast, client_for):
    data = {"wins": "Two calm answers.", "struggles": "", "topics": "Budget meeting"}
    return CreateForm(client_for("lee"), "/reflection/", "/reflection/", data, WeeklyReflection.objects.all())


def _agenda_item(cast, client_for):
    session = cast.lee_next_session
    return CreateForm(
        client_for("lee"),
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/agenda/",
        {"text": "How to say no to the VP"},
        AgendaItem.objects.filter(session=session),
    )


def _commitment(cast, client_for):
    session = cast.lee_past_session
    p = f"new{session.pk}-"
    data = {
        f"{p}text": "Breathe first",
        f"{p}target_count": "3",
        f"{p}goal": cast.lee_goals[0].pk,
        f"{p}due": "next_session",
    }
    return CreateForm(
        client_for("ada"),
        f"/sessions/{session.pk}/fieldwork/new/",
        f"/sessions/{session.pk}/fieldwork/new/",
        data,
        Commitment.objects.filter(session=session),
    )


def _session(cast, client_for):
    engagement = cast.lee_engagement
    url = f"/engagements/{engagement.pk}/sessions/new/"
    data = {
        "starts_at": _local(timezone.now() + timedelta(days=20)),
        "duration_minutes": "60",
        "kind": "regular",
        "mode": "video",
        "location": "",
    }
    return CreateForm(client_for("ada"), url, url, data, Session.objects.filter(engagement=engagement))


def _goal(cast, client_for):
    engagement = cast.lee_engagement
    url = f"/engagements/{engagement.pk}/goals/new/"
    data = {"title": "Run shorter meetings", "description": "", "why_it_matters": "Time back for the team."}
    return CreateForm(client_for("ada"), url, url, data, Goal.objects.filter(engagement=engagement))


def _stakeholder(cast, client_for):
    engagement = cast.lee_engagement
    url = f"/engagements/{engagement.pk}/stakeholders/new/"
    data = {"name": "Pat Peer", "email": "pat@acme.example", "relationship": "peer"}
    return CreateForm(client_for("lee"), url, url, data, Stakeholder.objects.filter(engagement=engagement))


def _feedback_round(cast, client_for):
    engagement = cast.lee_engagement
    url = f"/engagements/{engagement.pk}/feedback/rounds/new/"
    today = timezone.localdate()
    data = {"kind": "baseline", "opens_on": today, "closes_on": today + timedelta(days=14)}
    return CreateForm(client_for("ada"), url, url, data, FeedbackRound.objects.filter(engagement=engagement))


def _engagement(cast, client_for):
    today = timezone.localdate()
    data = {
        "leader_name": "Nia Novak",
        "leader_email": "nia@example.com",
        "organisation": "Harbour Freight",
        "start_date": today,
        "planned_end_date": today + timedelta(days=120),
        "planned_sessions": "6",
        "cadence_days": "14",
    }
    rows = Engagement.objects.filter(organisation="Harbour Freight")
    return CreateForm(client_for("ada"), "/engagements/new/", "/engagements/new/", data, rows)


def _checkin(cast, client_for):
    engagement = cast.lee_engagement
    for days in (14, 21):
        SessionFactory(engagement=engagement, starts_at=timezone.now() - timedelta(days=days), status="held")
    url = f"/engagements/{engagement.pk}/check-in/"
    data = {"score": "4", "comment": "Helpful so far."}
    return CreateForm(client_for("lee"), url, url, data, PartnershipCheckIn.objects.filter(engagement=engagement))


def _template(cast, client_for):
    data = {"title": "Pause before answering", "description": "", "goal_theme": "composure"}
    rows = FieldworkTemplate.objects.filter(coach=cast.ada)
    return CreateForm(client_for("ada"), "/fieldwork/library/", "/fieldwork/library/", data, rows)


def _stakeholder_answer(cast, client_for):
    stakeholder = StakeholderFactory(engagement=cast.lee_engagement, relationship="peer", goals=cast.lee_goals)
    feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement, kind="baseline")
    stakeholder_services.round_open(feedback_round=feedback_round, notify=False)
    request = FeedbackRequest.objects.get(round=feedback_round, stakeholder=stakeholder)
    url = f"/f/{stakeholder_services.link_token(request=request)}/"
    data = {"keep_doing": "Asking questions first.", "start_doing": ""}
    return CreateForm(Client(), url, url, data, FeedbackResponse.objects.filter(request=request))


CREATE_FORMS = {
    "practice log": _practice_log,
    "full practice log": _full_practice_log,
    "weekly reflection": _reflection,
    "agenda item": _agenda_item,
    "commitment": _commitment,
    "session": _session,
    "goal": _goal,
    "stakeholder nomination": _stakeholder,
    "feedback round": _feedback_round,
    "engagement": _engagement,
    "check-in": _checkin,
    "fieldwork template": _template,
    "stakeholder answer": _stakeholder_answer,
}


def _rendered_key(form: CreateForm) -> tuple[str, str]:
    page = form.client.get(form.page)
    assert page.status_code == 200
    match = KEY_INPUT.search(page.content.decode())
    assert match, f"{form.page} renders no idempotency key"
    return match.group(1), match.group(2)


@pytest.mark.django_db
@pytest.mark.parametrize("name", CREATE_FORMS)
def test_a_create_form_sent_twice_stores_one_row_and_answers_both_times_alike(name, cast, client_for):
    form = CREATE_FORMS[name](cast, client_for)
    field, key = _rendered_key(form)
    before = form.rows.count()

    first = form.client.post(form.action, {**form.data, field: key})
    second = form.client.post(form.action, {**form.data, field: key})

    assert form.rows.count() == before + 1, first.content.decode()[:2000]
    assert first.status_code in (200, 302)
    assert second.status_code == first.status_code
    assert second.get("Location") == first.get("Location")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["practice log", "agenda item", "session"])
def test_each_rendering_of_a_create_form_carries_a_new_key(name, cast, client_for):
    form = CREATE_FORMS[name](cast, client_for)
    assert _rendered_key(form)[1] != _rendered_key(form)[1]


@pytest.mark.django_db
def test_two_sends_with_different_keys_store_two_rows(cast, client_for):
    form = _practice_log(cast, client_for)
    form.client.post(form.action, {**form.data, "idempotency_key": "first-key-aaaaaaaaaaaaaaaaaaaaaa"})
    form.client.post(form.action, {**form.data, "idempotency_key": "second-key-bbbbbbbbbbbbbbbbbbbbb"})
    assert form.rows.count() == 2


@pytest.mark.django_db
def test_a_refused_form_keeps_its_key_and_stores_once_when_corrected(cast, client_for):
    form = _practice_log(cast, client_for)
    field, key = _rendered_key(form)

    refused = form.client.post(form.action, {**form.data, "note": "", field: key})

    assert refused.status_code == 200
    assert f'value="{key}"' in refused.content.decode()
    assert not IdempotencyKey.objects.filter(key=key).exists()
    form.client.post(form.action, {**form.data, field: key})
    form.client.post(form.action, {**form.data, field: key})
    assert form.rows.count() == 1


@pytest.mark.django_db
def test_a_key_sent_by_someone_else_returns_nothing_of_theirs(cast):
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0])
    fieldwork_services.practice_log(commitment=commitment, author=cast.lee, note="Mine.", idempotency_key="k" * 43)

    with pytest.raises(Exception) as refused:
        create_once(key="k" * 43, model=PracticeLog, user=cast.ada, create=lambda: pytest.fail("created"))

    assert "already sent" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_two_practice_logs_posted_at_the_same_moment_store_one_row(cast):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL (set DATABASE_URL=postgres://...): SQLite serialises every writer.")
    commitment = CommitmentFactory(session=cast.lee_past_session, goal=cast.lee_goals[0])
    start = threading.Barrier(2)
    results: list = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            start.wait(timeout=10)
            results.append(
                fieldwork_services.practice_log(
                    commitment=commitment, author=cast.lee, note="Paused first.", idempotency_key="race-" + "r" * 38
                )
            )
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert PracticeLog.objects.filter(commitment=commitment).count() == 1
    assert len(results) == 2 and results[0].pk == results[1].pk
