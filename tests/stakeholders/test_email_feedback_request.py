"""The feedback request e-mail: who asks, why, how long, what stays anonymous, and its own link."""

from __future__ import annotations

import re

from django.core import mail

from notifications.services import notification_deliver
from stakeholders import services
from tests.stakeholders.conftest import request_of


def send(request):
    """Sends the request's e-mail the way the product does: one outbox row, delivered by the outbox;
    returns the message (with the in-memory backend; None when sent over SMTP)."""
    with_stakeholder = (
        type(request).objects.select_related("stakeholder", "round__engagement__leader").get(pk=request.pk)
    )
    with_stakeholder.send_count += 1
    with_stakeholder.save(update_fields=["send_count"])
    (notification_id,) = services._queue_sends([with_stakeholder])
    notification_deliver(notification_id=notification_id)
    return mail.outbox[-1] if hasattr(mail, "outbox") and mail.outbox else None


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


def test_the_request_comes_from_the_coach_via_the_practice_and_replies_go_to_the_coach(cast, lee_roster, open_round):
    feedback_round, _ = open_round()

    message = send(request_of(feedback_round, lee_roster.peer[0]))

    assert message.from_email == "Ada Achebe via Northbridge Coaching <coaching@localhost>"
    assert message.reply_to == ["ada@example.com"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_click_unsubscribe_on_the_request_stops_further_requests(cast, client, lee_roster, open_round):
    from notifications.models import Notification, OptOut

    feedback_round, _ = open_round()
    request = request_of(feedback_round, lee_roster.peer[0])
    message = send(request)
    link = message.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http") and link.endswith(">")
    # RFC 8058: the mail client POSTs this body to the link, with no cookie and no CSRF token.
    path = "/" + link[1:-1].split("://", 1)[1].split("/", 1)[1]
    response = client.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    key = f"email:{request.stakeholder.email}"
    assert OptOut.objects.filter(recipient_key=key, kind="stakeholder_request").exists()
    before = len(mail.outbox)
    send(request)
    assert len(mail.outbox) == before
    assert Notification.objects.filter(kind="stakeholder_request").order_by("-pk").first().status == "skipped"


def test_over_real_smtp_the_envelope_sender_stays_the_sites_own_address(cast, lee_roster, open_round, settings):
    from email.utils import parseaddr

    from tests.integration.smtp_sink import SmtpSink

    feedback_round, _ = open_round()
    peer = lee_roster.peer[0]
    sink = SmtpSink().start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        send(request_of(feedback_round, peer))
        (received,) = sink.delivered_to(peer.email)
    finally:
        sink.stop()
    assert received.mail_from == "coaching@localhost"
    assert parseaddr(received.message["From"]) == ("Ada Achebe via Northbridge Coaching", "coaching@localhost")
    assert received.message["Reply-To"] == "ada@example.com"
    assert received.message["Auto-Submitted"] == "auto-generated"
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
