"""A stakeholder's link cannot be redirected: a new address revokes the old link, visibly to the leader.

Addresses are stored as typed and compared normalised (case, `+tag`), so the leader's or the coach's
own address with a tag is refused and a tagged duplicate is recognised.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import Kind, Notification
from stakeholders import services
from stakeholders.models import Stakeholder, normalise_email
from tests.factories import FeedbackRoundFactory
from tests.stakeholders.conftest import request_of

NOW = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


def _edit(client, cast, stakeholder, email):
    return client.post(
        f"/engagements/{cast.lee_engagement.pk}/stakeholders/{stakeholder.pk}/edit/",
        {"name": stakeholder.name, "email": email, "relationship": stakeholder.relationship},
    )


@pytest.fixture
def asked(cast, lee_roster, django_capture_on_commit_callbacks):
    """An open round whose e-mails went out; returns Peer 1 and the link their first e-mail carried."""
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        feedback_round = FeedbackRoundFactory(engagement=cast.lee_engagement)
        with django_capture_on_commit_callbacks(execute=True):
            services.round_open(feedback_round=feedback_round)
    peer = lee_roster.peer[0]
    message = next(m for m in mail.outbox if m.to == [peer.email])
    (old_link,) = re.findall(r"/f/[A-Za-z0-9_-]{43}/", message.body)[:1]
    mail.outbox.clear()
    return feedback_round, peer, old_link


@time_machine.travel(NOW, tick=False)
def test_changing_the_address_revokes_the_old_link_and_sends_a_new_one_to_the_new_address(
    cast, client, client_for, asked, django_capture_on_commit_callbacks
):
    feedback_round, peer, old_link = asked

    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(client_for("ada"), cast, peer, "Pat.New@Other.example")

    assert response.status_code == 302
    old_page = client.get(old_link)
    assert old_page.status_code == 410
    assert "This link is no longer valid" in old_page.content.decode()
    (message,) = mail.outbox
    assert message.to == ["Pat.New@Other.example"]
    (new_link,) = re.findall(r"/f/[A-Za-z0-9_-]{43}/", message.body)[:1]
    assert new_link != old_link and client.get(new_link).status_code == 200
    request = request_of(feedback_round, peer)
    assert request.send_count == 2
    rows = Notification.objects.filter(kind=Kind.STAKEHOLDER_REQUEST, context__request_id=request.pk)
    assert sorted(rows.values_list("recipient_email", "status")) == [
        ("Pat.New@Other.example", "sent"),
        ("peer1@acme.example", "sent"),
    ]


@time_machine.travel(NOW, tick=False)
def test_the_leaders_roster_shows_who_changed_the_address_and_that_a_new_link_went_out(
    cast, client_for, asked, django_capture_on_commit_callbacks
):
    _, peer, _ = asked
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client_for("ada"), cast, peer, "pat.new@other.example")

    page = client_for("lee").get(f"/engagements/{cast.lee_engagement.pk}/feedback/").content.decode()

    assert "E-mail changed by Ada Achebe on 4 Mar 2026; a new link was sent." in page
    assert "pat.new@other.example" in page


@time_machine.travel(NOW, tick=False)
def test_a_reminder_recorded_for_the_old_address_is_not_sent_there(cast, asked, django_capture_on_commit_callbacks):
    from notifications.services import notification_deliver

    feedback_round, peer, _ = asked
    request = request_of(feedback_round, peer)
    nudge = Notification.objects.create(
        recipient_email=peer.email,
        recipient_key=f"email:{peer.email}",
        kind=Kind.STAKEHOLDER_NUDGE,
        period_key=f"stakeholder:{request.pk}:1",
        engagement_id=cast.lee_engagement.pk,
        context={"request_id": request.pk, "number": 1},
        due_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=False):
        services.stakeholder_update(
            stakeholder=Stakeholder.objects.get(pk=peer.pk),
            by=cast.ada,
            name=peer.name,
            email="pat.new@other.example",
            relationship=peer.relationship,
        )

    assert notification_deliver(notification_id=nudge.pk) == "skipped"
    assert mail.outbox == []


@time_machine.travel(NOW, tick=False)
def test_a_change_of_case_only_keeps_the_link(cast, asked, client):
    feedback_round, peer, old_link = asked

    services.stakeholder_update(
        stakeholder=Stakeholder.objects.get(pk=peer.pk),
        by=cast.ada,
        name=peer.name,
        email=peer.email.upper(),
        relationship=peer.relationship,
    )

    assert client.get(old_link).status_code == 200
    assert request_of(feedback_round, peer).send_count == 1
    assert Stakeholder.objects.get(pk=peer.pk).email_changed_at is None


def test_only_the_coach_edits_a_stakeholder(cast, lee_roster):
    with pytest.raises(services.PermissionDenied):
        services.stakeholder_update(
            stakeholder=lee_roster.peer[0], by=cast.lee, name="Peer 1", email="me@other.example", relationship="peer"
        )


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("Pat.Lee+feedback@Acme.example", "pat.lee@acme.example"), (" pat@acme.example ", "pat@acme.example")],
)
def test_addresses_are_compared_without_case_or_plus_tag(typed, normalised):
    assert normalise_email(typed) == normalised


@pytest.mark.parametrize("email", ["Lee+peer@Example.com", "ADA+x@example.com"])
def test_the_leaders_or_coachs_own_address_with_a_tag_is_refused(cast, email):
    with pytest.raises(ValidationError) as exc:
        services.stakeholder_nominate(
            engagement=cast.lee_engagement, by=cast.lee, name="Me again", email=email, relationship="peer"
        )
    assert "not the leader or the coach" in exc.value.message_dict["email"][0]


def test_a_tagged_copy_of_an_address_on_the_roster_is_a_duplicate_and_the_address_is_stored_as_typed(cast):
    first = services.stakeholder_nominate(
        engagement=cast.lee_engagement, by=cast.ada, name="Nina", email=" Nina.Novak@Acme.example", relationship="peer"
    )

    with pytest.raises(ValidationError) as exc:
        services.stakeholder_nominate(
            engagement=cast.lee_engagement,
            by=cast.lee,
            name="Nina",
            email="nina.novak+360@acme.example",
            relationship="peer",
        )

    assert "already on this engagement's roster" in exc.value.message_dict["email"][0]
    first.refresh_from_db()
    assert (first.email, first.email_key) == ("Nina.Novak@Acme.example", "nina.novak@acme.example")


def test_the_leader_sees_who_added_each_stakeholder(cast, client_for):
    services.stakeholder_nominate(
        engagement=cast.lee_engagement, by=cast.ada, name="Added Alice", email="alice@acme.example", relationship="peer"
    )
    services.stakeholder_nominate(
        engagement=cast.lee_engagement, by=cast.lee, name="Nominated Ned", email="ned@acme.example", relationship="peer"
    )

    page = client_for("lee").get(f"/engagements/{cast.lee_engagement.pk}/feedback/").content.decode()

    alice_at, ned_at = page.index("Added Alice"), page.index("Nominated Ned")
    assert "Added by Ada Achebe (coach)" in page[alice_at : alice_at + 600]
    assert "Nominated by you" in page[ned_at : ned_at + 600]
