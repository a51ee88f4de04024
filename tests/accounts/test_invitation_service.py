"""The invitation service itself refuses what the page refuses: an expired or used invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import invitation_accept, invitation_create, user_get_or_invite_target
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def _invite():
    person = user_get_or_invite_target(email="nia@example.com", full_name="Nia Novak")
    coach = UserFactory(email="ada@example.com", is_coach=True)
    invitation = invitation_create(user=person, role=Invitation.Role.LEADER, invited_by=coach)
    return invitation


def test_the_invitation_service_refuses_an_expired_invitation_on_its_own():
    invitation = _invite()
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1)):
        with pytest.raises(ValidationError, match="already been used or has expired"):
            invitation_accept(invitation=invitation, password=PASSWORD)
    invitation.refresh_from_db()
    invitation.user.refresh_from_db()
    assert invitation.accepted_at is None
    assert not invitation.user.has_usable_password()


def test_an_invitation_is_still_accepted_a_moment_before_it_expires():
    invitation = _invite()
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1)):
        user = invitation_accept(invitation=invitation, password=PASSWORD)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert user.check_password(PASSWORD) and user.is_active


def test_the_invitation_service_refuses_an_invitation_used_once_already():
    invitation = _invite()
    invitation_accept(invitation=invitation, password=PASSWORD)
    invitation.refresh_from_db()
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(invitation=invitation, password="another-long-passphrase", signed_in_as=invitation.user)
    invitation.user.refresh_from_db()
    assert invitation.user.check_password(PASSWORD)
    assert timezone.now() - invitation.accepted_at < timedelta(minutes=1)
