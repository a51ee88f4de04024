"""Round pages for the coach: plan, open (e-mails go out), resend, close and plan the next one."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from stakeholders.models import FeedbackRequest, FeedbackRound
from tests.factories import FeedbackRoundFactory, StakeholderFactory
from tests.stakeholders.conftest import answer


def new_url(cast) -> str:
    return f"/engagements/{cast.lee_engagement.pk}/feedback/rounds/new/"


def round_data(**overrides) -> dict:
    today = timezone.localdate()
    return {
        "kind": "progress",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=14)).isoformat(),
        **overrides,
    }


def test_coach_opens_a_round_and_every_active_stakeholder_gets_an_email(
    client_for, cast, lee_roster, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("ada").post(new_url(cast), round_data(open="1", ask_support="on"), follow=True)

    feedback_round = FeedbackRound.objects.get()
    assert (feedback_round.status, feedback_round.ask_support) == ("open", True)
    assert response.redirect_chain[-1][0] == f"/feedback/rounds/{feedback_round.pk}/"
    assert "Round open. 8 private links are on the way by e-mail." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        s.email
        for group in (lee_roster.manager, lee_roster.peer, lee_roster.direct_report, lee_roster.other)
        for s in group
    )


def test_saving_a_draft_asks_nobody(client_for, cast, lee_roster):
    response = client_for("ada").post(new_url(cast), round_data(draft="1"))

    feedback_round = FeedbackRound.objects.get()
    assert response["Location"] == f"/feedback/rounds/{feedback_round.pk}/"
    assert feedback_round.status == "draft" and not FeedbackRequest.objects.exists()
    assert mail.outbox == []


def test_bad_dates_re_show_the_form(client_for, cast, lee_roster):
    today = timezone.localdate().isoformat()

    response = client_for("ada").post(new_url(cast), round_data(closes_on=today, open="1"))

    assert response.status_code == 200
    assert "The round must close after the day it opens." in response.content.decode()
    assert not FeedbackRound.objects.exists()


def test_opening_without_active_stakeholders_explains_why(client_for, cast):
    response = client_for("ada").post(new_url(cast), round_data(open="1"), follow=True)

    assert "Approve at least one stakeholder before opening a round." in response.content.decode()
    assert FeedbackRound.objects.get().status == "draft"


@pytest.mark.parametrize("who", ["lee", "sam", "ben"])
def test_only_the_coach_plans_rounds(client_for, cast, lee_roster, who):
    response = client_for(who).post(new_url(cast), round_data(open="1"))

    assert response.status_code == 404
    assert not FeedbackRound.objects.exists()


def test_round_page_lists_who_answered_for_the_coach(client_for, cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    answer(feedback_round, lee_roster.peer[0], 1, 1)

    body = client_for("ada").get(f"/feedback/rounds/{feedback_round.pk}/").content.decode()

    assert "1 of 8 answered." in body
    assert body.count("badge-answered") == 1


def test_leader_cannot_open_the_round_page(client_for, cast, lee_roster, open_round):
    feedback_round, _ = open_round()

    assert client_for("lee").get(f"/feedback/rounds/{feedback_round.pk}/").status_code == 404


def test_asking_people_approved_after_opening(client_for, cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    late = StakeholderFactory(engagement=cast.lee_engagement, name="Late Larry")
    client = client_for("ada")

    page = client.get(f"/feedback/rounds/{feedback_round.pk}/").content.decode()
    client.post(f"/feedback/rounds/{feedback_round.pk}/open/")

    assert "Late Larry" in page and "Ask 1 more person" in page
    assert FeedbackRequest.objects.filter(round=feedback_round, stakeholder=late).count() == 1
    assert feedback_round.requests.count() == 9


def test_resend_after_a_failed_email(client_for, cast, lee_roster, open_round, django_capture_on_commit_callbacks):
    feedback_round, _ = open_round()
    request = FeedbackRequest.objects.filter(round=feedback_round).select_related("stakeholder").first()
    FeedbackRequest.objects.filter(pk=request.pk).update(send_count=1)
    Notification.objects.create(
        recipient_email=request.stakeholder.email,
        recipient_key=f"email:{request.stakeholder.email}",
        kind="stakeholder_request",
        period_key=f"request:{request.pk}:send:1",
        engagement_id=cast.lee_engagement.pk,
        context={"request_id": request.pk, "send": 1},
        status="failed",
        due_at=timezone.now(),
        attempts=5,
        last_error="Connection refused",
    )
    client = client_for("ada")

    page = client.get(f"/feedback/rounds/{feedback_round.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/feedback/requests/{request.pk}/resend/", {"send": "1"})

    assert "E-mails that did not go out" in page and "Connection refused" in page
    request.refresh_from_db()
    assert request.send_count == 2 and request.sent_at is not None
    assert Notification.objects.get(period_key=f"request:{request.pk}:send:2").status == "sent"
    assert len(mail.outbox) == 1


def test_leader_cannot_resend(client_for, cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    request = FeedbackRequest.objects.filter(round=feedback_round).first()

    assert client_for("lee").post(f"/feedback/requests/{request.pk}/resend/").status_code == 404


@time_machine.travel("2026-03-02 09:00 +00:00", tick=False)
def test_closing_shows_the_results_and_plans_the_next_round(client_for, cast, lee_roster, open_round):
    feedback_round, _ = open_round()

    response = client_for("ada").post(
        f"/feedback/rounds/{feedback_round.pk}/close/", {"next_in_weeks": "8"}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/feedback/rounds/{feedback_round.pk}/results/"
    assert "The next round is planned for 27 April 2026." in response.content.decode()
    assert FeedbackRound.objects.filter(status="draft", opens_on="2026-04-27").exists()


def test_closing_with_an_impossible_interval_changes_nothing(client_for, cast, lee_roster, open_round):
    feedback_round, _ = open_round()

    response = client_for("ada").post(
        f"/feedback/rounds/{feedback_round.pk}/close/", {"next_in_weeks": "99"}, follow=True
    )

    assert "between 1 and 52 weeks" in response.content.decode()
    feedback_round.refresh_from_db()
    assert feedback_round.status == "open"


def test_coach_edits_and_deletes_a_draft(client_for, cast, lee_roster):
    draft = FeedbackRoundFactory(engagement=cast.lee_engagement)
    client = client_for("ada")

    client.post(f"/feedback/rounds/{draft.pk}/edit/", round_data(kind="baseline", ask_organisation="on", draft="1"))
    draft.refresh_from_db()
    assert (draft.kind, draft.ask_organisation) == ("baseline", True)

    client.post(f"/feedback/rounds/{draft.pk}/delete/")
    assert not FeedbackRound.objects.filter(pk=draft.pk).exists()


def test_an_open_round_cannot_be_edited_or_deleted(client_for, cast, lee_roster, open_round):
    feedback_round, _ = open_round()
    client = client_for("ada")

    edit = client.get(f"/feedback/rounds/{feedback_round.pk}/edit/")
    client.post(f"/feedback/rounds/{feedback_round.pk}/delete/")

    assert edit.status_code == 302
    assert FeedbackRound.objects.filter(pk=feedback_round.pk).exists()


def test_round_of_another_coach_is_a_404(client_for, cast):
    StakeholderFactory(engagement=cast.liv_engagement)
    other = FeedbackRoundFactory(engagement=cast.liv_engagement)

    for path in (f"/feedback/rounds/{other.pk}/", f"/feedback/rounds/{other.pk}/results/"):
        assert client_for("ada").get(path).status_code == 404
    assert client_for("ada").post(f"/feedback/rounds/{other.pk}/open/").status_code == 404


def test_the_round_page_keeps_its_query_count_however_many_people_were_asked(
    client_for, cast, lee_roster, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stakeholders import services

    def opened_round_queries(extra: int) -> int:
        for n in range(extra):
            StakeholderFactory(engagement=cast.lee_engagement, email=f"extra{n}@acme.example", goals=cast.lee_goals)
        feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
        with django_capture_on_commit_callbacks(execute=True):
            services.round_open(feedback_round=feedback_round)
        assert Notification.objects.filter(period_key__startswith="request:").exists()
        client = client_for("ada")
        client.get(f"/feedback/rounds/{feedback_round.pk}/")  # sign-in and session queries settle first
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/feedback/rounds/{feedback_round.pk}/")
        assert response.status_code == 200
        FeedbackRound.objects.filter(pk=feedback_round.pk).update(status=FeedbackRound.Status.CLOSED)
        return len(queries)

    assert opened_round_queries(0) == opened_round_queries(6)
