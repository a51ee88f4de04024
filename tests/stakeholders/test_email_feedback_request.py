"""The feedback request e-mail: who asks, why, how long, what stays anonymous, and its own link."""

from __future__ import annotations

import re

from django.core import mail

from notifications.services import notification_deliver
from stakeholders import services
from tests.stakeholders.conftest import request_of


def send(request):
    """Sends the request's e-mail the way the product does: one outbox row, delivered by the outbox."""
    with_stakeholder = (
        type(request).objects.select_related("stakeholder", "round__engagement__leader").get(pk=request.pk)
    )
    with_stakeholder.send_count += 1
    with_stakeholder.save(update_fields=["send_count"])
    (notification_id,) = services._queue_sends([with_stakeholder])
    notification_deliver(notification_id=notification_id)
    return mail.outbox[-1]


def test_email_says_who_asks_why_how_long_and_what_stays_anonymous(cast, lee_roster, open_round):
    feedback_round, tokens = open_round()
    peer = lee_roster.peer[0]

    message = send(request_of(feedback_round, peer))

    html = message.alternatives[0][0]
    assert message.subject == "Lee Lindqvist asks for two minutes of feedback"
    assert message.to == [peer.email]
    for body in (message.body, html):
        assert "Hello Peer 1" in body
        assert "Lee Lindqvist is working with a leadership coach, Ada Achebe" in body
        assert "about 2 minutes" in body or "about <strong>2 minutes</strong>" in body
        assert "at least 3 people in the group have answered" in body
        assert "without names or dates" in body
        assert cast.lee_goals[0].title in body
        assert f"/f/{tokens[peer.pk]}/" in body
    assert "&#x27;" not in message.body and "&amp;" not in message.body  # plain text is not HTML-escaped


def test_link_in_the_email_opens_the_stakeholders_own_form(cast, client, lee_roster, open_round):
    feedback_round, _ = open_round()

    message = send(request_of(feedback_round, lee_roster.direct_report[1]))

    (path,) = set(re.findall(r"https?://[^/\s]+(/f/[A-Za-z0-9_-]{43}/)", message.body))
    response = client.get(path)
    assert response.status_code == 200
    assert "How is Lee Lindqvist doing?" in response.content.decode()


def test_manager_is_told_their_answers_form_their_own_group(cast, lee_roster, open_round):
    feedback_round, _ = open_round()

    message = send(request_of(feedback_round, lee_roster.manager[0]))

    assert "your answers form their own group" in message.body
    assert "scores from one manager alone are never shown" in message.body


def test_baseline_email_names_the_two_feedforward_questions(cast, lee_roster, open_round):
    feedback_round, _ = open_round(kind="baseline")

    message = send(request_of(feedback_round, lee_roster.peer[0]))

    assert "what should Lee keep doing, and what should they start doing?" in message.body
    assert cast.lee_goals[0].title not in message.body
