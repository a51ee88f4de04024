"""Invitation links: set a password once, land on one's own home page; expired, used and forged links fail kindly."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation
from engagements import services

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture
def invited(cast):
    """A new leader invited by coach Ada; returns (invitation, link path)."""
    from datetime import date

    result = services.engagement_create(
        coach=cast.ada,
        leader_email="nia@example.com",
        leader_name="Nia Nakamura",
        organisation="Globex",
        start_date=date(2026, 12, 1),
        planned_end_date=date(2027, 4, 1),
        planned_sessions=6,
        cadence_days=14,
    )
    result.send_invitations()
    link = next(line.strip() for line in mail.outbox[-1].body.splitlines() if "/account/invitation/" in line)
    return result.invitations[0].invitation, link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_the_invitation_email_says_who_invites_and_links_to_the_form(invited):
    message = mail.outbox[-1]
    assert message.to == ["nia@example.com"]
    assert "Ada Achebe invites you" in message.subject
    assert "expires in 14 days" in message.body
    html = message.alternatives[0][0]
    assert invited[1] in html


def test_accepting_sets_the_password_verifies_the_email_and_lands_on_the_leader_home(client, invited):
    invitation, path = invited
    page = client.get(path)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert "Hello, Nia" in home.content.decode()
    invitation.refresh_from_db()
    user = invitation.user
    assert invitation.accepted_at is not None
    assert user.check_password(PASSWORD) and user.time_zone == "Asia/Tokyo"
    assert EmailAddress.objects.get(user=user).verified


def test_a_used_invitation_shows_a_friendly_410(client, invited):
    invitation, path = invited
    client.post(path, {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/London"})
    client.logout()
    response = client.get(path)
    assert response.status_code == 410 and "already used" in response.content.decode()


def test_an_expired_invitation_shows_a_friendly_410_and_sets_nothing(client, invited):
    invitation, path = invited
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/London"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    invitation.user.refresh_from_db()
    assert not invitation.user.has_usable_password()


@pytest.mark.parametrize("token", ["nope", "x" * 43, "%00%ff", "a" * 500])
def test_forged_and_malformed_links_get_a_404_page(client, cast, token):
    response = client.get(f"/account/invitation/{token}/")
    assert response.status_code == 404 and "do not recognise this link" in response.content.decode()


def test_mismatched_passwords_keep_the_form_and_use_nothing(client, invited):
    invitation, path = invited
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD + "x", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 200 and "The two passwords differ" in response.content.decode()
    assert 'value="Asia/Tokyo" selected' in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_weak_password_is_refused_with_the_reason(client, invited):
    invitation, path = invited
    response = client.post(path, {"password1": "password", "password2": "password", "time_zone": "Europe/London"})
    assert response.status_code == 200 and "too common" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_only_the_hash_of_the_token_is_stored(invited):
    invitation, path = invited
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in Invitation.objects.values_list("token_hash", flat=True)
    assert len(invitation.token_hash) == 64


def test_resending_an_invitation_issues_a_fresh_working_link(cast, client_for, invited):
    invitation, _ = invited
    client_for("ada").post(
        f"/engagements/{invitation.user.led_engagements.get().pk}/invitations/{invitation.user.pk}/resend/"
    )
    assert Invitation.objects.filter(user=invitation.user).count() == 2
    assert "/account/invitation/" in mail.outbox[-1].body
