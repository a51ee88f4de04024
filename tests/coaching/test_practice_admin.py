"""Practice administration: pending coach invitations, switching a coach off, handing engagements over."""

from __future__ import annotations

from django.core import mail
from django.test import Client

from accounts.models import Invitation, User
from accounts.services import invitation_create
from engagements.models import Engagement, Session
from notifications.models import Kind, Notification
from notifications.services import notification_deliver
from tests.factories import CoachFactory, EngagementFactory, PracticeFactory, UserFactory


def test_a_switched_off_coach_cannot_sign_in_and_keeps_every_engagement(cast, client_for):
    ada_client = client_for("ada")
    assert ada_client.get("/coach/").status_code == 200

    response = client_for("pam").post(f"/practice/coaches/{cast.ada.pk}/deactivate/")

    assert response.status_code == 302
    cast.ada.refresh_from_db()
    assert not cast.ada.is_active
    assert ada_client.get("/coach/")["Location"].startswith("/accounts/login/")  # the open session stops
    login = Client().post("/accounts/login/", {"login": "ada@example.com", "password": cast.password})
    assert login["Location"] == "/accounts/inactive/"
    assert Engagement.objects.filter(coach=cast.ada).count() == 1
    assert Session.objects.get(pk=cast.lee_past_session.pk).private_notes == cast.secrets["private_notes"]
    assert "switched off" in client_for("pam").get("/practice/").content.decode()


def test_handing_over_keeps_the_history_and_tells_the_leader_and_each_active_sponsor(cast, client_for):
    e = cast.lee_engagement
    finished = EngagementFactory(coach=cast.ada, status=Engagement.Status.COMPLETED)

    client_for("pam").post(f"/practice/coaches/{cast.ada.pk}/reassign/", {"coach": str(cast.ben.pk)})

    e.refresh_from_db()
    assert e.coach == cast.ben
    assert Engagement.objects.get(pk=finished.pk).coach == cast.ada  # finished engagements stay
    assert Session.objects.filter(engagement=e).count() == 2
    assert Session.objects.get(pk=cast.lee_past_session.pk).shared_summary == cast.secrets["shared_summary"]
    rows = Notification.objects.filter(kind=Kind.COACH_CHANGED, engagement_id=e.pk)
    assert sorted(rows.values_list("recipient_email", flat=True)) == [
        "lee@example.com",
        "sam@example.com",
        "sol@example.com",
    ]  # not Vic, whose account is switched off
    for pk in rows.values_list("pk", flat=True):
        notification_deliver(notification_id=pk)
    to_lee = next(m for m in mail.outbox if m.to == ["lee@example.com"])
    assert "now with Ben Brandt, who takes over from Ada Achebe" in to_lee.body
    assert f"/engagements/{e.pk}/" in to_lee.body
    to_sam = next(m for m in mail.outbox if m.to == ["sam@example.com"])
    assert f"/engagements/{e.pk}/summary/" in to_sam.body
    assert cast.secrets["private_notes"] not in to_sam.body + to_lee.body


def test_engagements_go_only_to_an_active_coach_of_the_same_practice(cast, client_for):
    stranger = CoachFactory(practice=PracticeFactory(name="Elsewhere"))
    client = client_for("pam")

    client.post(f"/practice/coaches/{cast.ada.pk}/reassign/", {"coach": str(stranger.pk)})
    client.post(f"/practice/coaches/{cast.ada.pk}/reassign/", {"coach": str(cast.dex.pk)})  # switched off

    assert Engagement.objects.get(pk=cast.lee_engagement.pk).coach == cast.ada
    assert not Notification.objects.filter(kind=Kind.COACH_CHANGED).exists()
    assert client.post(f"/practice/coaches/{stranger.pk}/deactivate/").status_code == 404
    assert User.objects.get(pk=stranger.pk).is_active


def test_pending_coach_invitations_are_listed_resent_and_revoked(cast, client_for):
    invitation = invitation_create(
        user=UserFactory(email="cora@example.com", full_name="Cora Invited"),
        role=Invitation.Role.COACH,
        invited_by=cast.pam,
        context="coach",
    )
    client = client_for("pam")
    assert "Cora Invited" in client.get("/practice/").content.decode()

    client.post(f"/practice/invitations/{invitation.pk}/resend/")
    invitation.refresh_from_db()
    newer = Invitation.objects.filter(user__email="cora@example.com", revoked_at__isnull=True).get()
    assert invitation.revoked_at is not None and newer.pk != invitation.pk

    client.post(f"/practice/invitations/{newer.pk}/revoke/")
    assert not Invitation.objects.filter(user__email="cora@example.com", revoked_at__isnull=True).exists()
    assert "Cora Invited" not in client.get("/practice/").content.decode()
    assert client_for("ada").post(f"/practice/invitations/{newer.pk}/resend/").status_code == 403


def test_a_reviewer_reads_plain_facts_of_the_practice_never_private_notes(cast, client_for):
    client = client_for("rex")

    listing = client.get("/practice/reviews/").content.decode()
    page = client.get(f"/practice/reviews/{cast.lee_engagement.pk}/").content.decode()

    assert "Lee Lindqvist" in listing and "Liv Larsen" in listing
    assert "Stay calm under pressure from senior leaders" in page
    for secret in cast.secrets.values():
        assert secret not in page and secret not in listing
    other = EngagementFactory(coach=CoachFactory(practice=PracticeFactory(name="Elsewhere")))
    assert client.get(f"/practice/reviews/{other.pk}/").status_code == 404
    from programs.models import LedgerEntry

    assert list(LedgerEntry.objects.values_list("viewer_role", flat=True)) == ["reviewer"]


def test_the_practice_admin_invites_a_reviewer_who_gets_the_seat_on_accepting(cast, client_for):
    client_for("pam").post("/practice/", {"full_name": "Rita Review", "email": "rita@example.com", "role": "reviewer"})

    invitation = Invitation.objects.get(user__email="rita@example.com")
    assert invitation.role == Invitation.Role.REVIEWER
    from accounts.services import invitation_accept

    user = invitation_accept(invitation=invitation, password="a-long-reviewer-password-2026")
    assert user.is_reviewer and not user.is_coach and user.practice == cast.practice
