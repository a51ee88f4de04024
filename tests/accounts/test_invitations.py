"""Invitation links: a new person sets a password once; an existing account accepts only while signed in
as itself; resends revoke older links; e-mails go through the outbox; expired, used and forged links fail kindly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation
from engagements import services
from engagements.models import Engagement
from notifications.models import Kind, Notification
from tests.accounts.outbox import invitation_path, send_owed_invitations
from tests.integration.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def _engagement_for(cast, *, email: str, name: str) -> services.EngagementResult:
    return services.engagement_create(
        coach=cast.ada,
        leader_email=email,
        leader_name=name,
        organisation="Globex",
        start_date=date(2026, 12, 1),
        planned_end_date=date(2027, 4, 1),
        planned_sessions=6,
        cadence_days=14,
    )


@pytest.fixture
def invited(cast):
    """A new leader invited by coach Ada, the e-mail sent; returns (invitation, link path)."""
    result = _engagement_for(cast, email="nia@example.com", name="Nia Nakamura")
    send_owed_invitations()
    return result.invitations[0], invitation_path()


@pytest.fixture
def liv_invited(cast):
    """Liv, who already has an account, invited by Ada to lead a new engagement; returns (engagement, path)."""
    result = _engagement_for(cast, email=cast.liv.email, name="Liv Larsen")
    send_owed_invitations()
    return result.engagement, invitation_path()


def _signed_in(email: str, password: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": email, "password": password})
    return client


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
    assert "Hello, Nia" in home.content.decode() and "Globex" in home.content.decode()
    invitation.refresh_from_db()
    user = invitation.user
    assert invitation.accepted_at is not None
    assert user.check_password(PASSWORD) and user.time_zone == "Asia/Tokyo"
    assert EmailAddress.objects.get(user=user).verified
    assert not Engagement.objects.get(organisation="Globex").awaiting_leader


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
    stored = Invitation.objects.values_list("token_hash", "link_nonce", "context")
    assert all(token not in value for row in stored for value in row)
    assert len(invitation.token_hash) == 64


# --- An existing account: the link never signs anyone in -----------------------------------------


def test_an_empty_post_to_an_existing_accounts_link_signs_nobody_in(client, liv_invited):
    engagement, path = liv_invited
    response = client.post(path, {})
    assert response.status_code == 200 and "Sign in to accept" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert Invitation.objects.get(user__email="liv@example.com").accepted_at is None
    engagement.refresh_from_db()
    assert engagement.awaiting_leader


def test_an_existing_account_accepts_after_signing_in_as_itself(cast, liv_invited):
    engagement, path = liv_invited
    sign_in = Client().get(path)
    assert "/accounts/login/?next=%2Faccount%2Finvitation%2F" in sign_in.content.decode()
    liv = _signed_in("liv@example.com", cast.password)
    assert "Accept and continue" in liv.get(path).content.decode()
    response = liv.post(path, {})
    assert response["Location"] == "/"
    engagement.refresh_from_db()
    assert not engagement.awaiting_leader
    assert engagement in Engagement.objects.visible_to(cast.liv)
    assert "Globex" in liv.get("/").content.decode()


def test_someone_else_signed_in_is_told_to_sign_out_first(cast, liv_invited):
    engagement, path = liv_invited
    lee = _signed_in("lee@example.com", cast.password)
    response = lee.post(path, {})
    assert response.status_code == 403 and "Sign out first" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.awaiting_leader
    assert Invitation.objects.get(user=cast.liv).accepted_at is None


def test_an_account_with_totp_must_pass_its_second_factor_before_accepting(cast, liv_invited):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(cast.liv, generate_totp_secret())
    engagement, path = liv_invited
    half_signed_in = Client()
    half_signed_in.force_login(cast.liv)  # a session without the second factor
    response = half_signed_in.post(path, {})
    assert "Sign in to accept" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.awaiting_leader


# --- Pending engagements --------------------------------------------------------------------------


def test_a_new_engagement_stays_off_an_existing_leaders_home_until_accepted(cast, client_for, liv_invited):
    engagement, _ = liv_invited
    assert "Globex" not in client_for("liv").get("/").content.decode()
    assert client_for("liv").get(f"/engagements/{engagement.pk}/").status_code == 404
    coach_page = client_for("ada").get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Invitation sent, not accepted yet" in coach_page and "Resend invitation" in coach_page


def test_the_coach_sees_an_invitation_pending_before_the_worker_sends_it(cast, client_for):
    engagement = _engagement_for(cast, email=cast.liv.email, name="Liv Larsen").engagement
    assert "Invitation pending" in client_for("ada").get(f"/engagements/{engagement.pk}/").content.decode()


# --- Deactivated accounts -------------------------------------------------------------------------


def test_an_invitation_never_turns_a_deactivated_account_back_on(client, invited):
    invitation, path = invited
    invitation.user.is_active = False
    invitation.user.save()
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/London"})
    assert response.status_code == 403 and "Contact your coaching practice" in response.content.decode()
    invitation.user.refresh_from_db()
    invitation.refresh_from_db()
    assert not invitation.user.is_active and invitation.accepted_at is None
    assert "_auth_user_id" not in client.session


# --- Resending ------------------------------------------------------------------------------------


def test_resending_revokes_every_earlier_link(cast, client_for, client, invited):
    invitation, first_path = invited
    engagement = Engagement.objects.get(organisation="Globex")
    for _ in range(2):
        client_for("ada").post(f"/engagements/{engagement.pk}/invitations/{invitation.user.pk}/resend/")
        send_owed_invitations()
    live = Invitation.objects.filter(user=invitation.user, revoked_at__isnull=True)
    assert Invitation.objects.filter(user=invitation.user).count() == 3 and live.count() == 1
    old = client.get(first_path)
    assert old.status_code == 410 and "newer invitation replaced this one" in old.content.decode()
    newest = invitation_path()
    assert client.get(newest).status_code == 200
    client.post(newest, {"password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/London"})
    client.logout()
    assert client.post(first_path, {}).status_code == 410


# --- Through the outbox ---------------------------------------------------------------------------


def test_each_invitation_owes_one_outbox_row_sent_by_the_worker_not_the_request(cast, client_for):
    client_for("ada").post(
        "/engagements/new/",
        {
            "leader_name": "Nia Nakamura",
            "leader_email": "nia@example.com",
            "organisation": "Globex",
            "start_date": "2026-12-01",
            "planned_end_date": "2027-04-01",
            "planned_sessions": "6",
            "cadence_days": "14",
        },
    )
    rows = Notification.objects.filter(kind=Kind.INVITATION)
    assert mail.outbox == []
    assert list(rows.values_list("recipient_email", "status")) == [("nia@example.com", "pending")]
    assert send_owed_invitations() == ["sent"]
    assert send_owed_invitations() == []
    assert rows.get().status == "sent" and len(mail.outbox) == 1


def test_a_refused_invitation_is_kept_as_failed_and_the_coach_sees_it(cast, client_for, settings):
    sink = SmtpSink().start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
        sink.refuse("nia@example.com", times=5)
        engagement = _engagement_for(cast, email="nia@example.com", name="Nia Nakamura").engagement
        assert send_owed_invitations() == ["failed"]
    finally:
        sink.stop()
    row = Notification.objects.get(kind=Kind.INVITATION)
    assert row.status == "failed" and "451" in row.last_error
    page = client_for("ada").get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Invitation could not be sent" in page


def test_an_invitation_replaced_before_sending_is_skipped_not_sent(cast):
    result = _engagement_for(cast, email="nia@example.com", name="Nia Nakamura")
    services.invitation_resend(engagement=result.engagement, person=result.engagement.leader, by=cast.ada)
    assert sorted(send_owed_invitations()) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
