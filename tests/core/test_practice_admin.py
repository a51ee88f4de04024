"""The practice admin sees coaches and engagement counts by status, never engagement content."""

import pytest
from django.core import mail

from accounts.models import Invitation, User
from engagements.models import Engagement
from tests.accounts.outbox import invitation_path, send_owed_invitations
from tests.factories import EngagementFactory

pytestmark = pytest.mark.django_db


def test_the_practice_page_counts_engagements_by_status_without_content(cast, client_for):
    EngagementFactory(coach=cast.ada, status=Engagement.Status.COMPLETED)
    client = client_for("pam")
    html = client.get("/practice/").content.decode()
    assert "Ada Achebe" in html and "Ben Brandt" in html
    assert cast.secrets["private_notes"] not in html and "Acme Logistics" not in html and cast.lee.full_name not in html


def test_the_practice_admin_invites_a_coach_who_joins_the_practice(cast, client_for, client):
    client_for("pam").post("/practice/", {"full_name": "Cleo Coach", "email": "cleo@example.com"})
    assert send_owed_invitations() == ["sent"]
    assert mail.outbox[-1].to == ["cleo@example.com"]
    path = invitation_path()
    client.post(
        path, {"password1": "coaching-is-a-craft", "password2": "coaching-is-a-craft", "time_zone": "Europe/Paris"}
    )
    cleo = User.objects.get(email="cleo@example.com")
    assert cleo.is_coach and cleo.practice == cast.practice
    assert Invitation.objects.get(user=cleo).accepted_at is not None


def test_other_people_cannot_open_the_practice_page(client_for):
    for name in ("ada", "lee", "sam"):
        assert client_for(name).get("/practice/").status_code == 403


def test_the_practice_admin_cannot_make_an_existing_account_a_coach_through_the_link(cast, client_for, client):
    client_for("pam").post("/practice/", {"full_name": "Sam Sato", "email": "sam@example.com"})
    send_owed_invitations()
    response = client.post(invitation_path(), {})
    cast.sam.refresh_from_db()
    assert not cast.sam.is_coach
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200 and "Sign in to accept" in response.content.decode()
