"""Rotating the secret key: links signed with the old key keep working while it is listed in
SECRET_KEY_FALLBACKS, and stop once it is removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from accounts.tokens import hash_token
from notifications.models import OptOut
from notifications.services import unsubscribe_token
from stakeholders import services as stakeholder_services
from tests.accounts.outbox import invitation_path, send_owed_invitations
from tests.notifications.factories import NotificationFactory
from tests.stakeholders import conftest as stakeholder_fixtures

pytestmark = pytest.mark.django_db

# A roster and an open feedback round of Lee's engagement, as the stakeholder tests build them.
lee_roster = stakeholder_fixtures.lee_roster
open_round = stakeholder_fixtures.open_round

ROOT = Path(__file__).resolve().parents[2]
OLD_KEY = "the-old-secret-key-that-signed-the-links-0123456789abcdef"
NEW_KEY = "the-new-secret-key-after-the-rotation-0123456789abcdefgh"


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY = OLD_KEY
    settings.SECRET_KEY_FALLBACKS = []


def _rotate(settings, *, keep_old: bool) -> None:
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY] if keep_old else []


def test_secret_key_fallbacks_are_read_from_the_environment_comma_separated():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    env.update(DEBUG="1", SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=f"{OLD_KEY},an-even-older-key")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='coaching.settings'; django.setup();"
            "from django.conf import settings; print('|'.join(settings.SECRET_KEY_FALLBACKS))",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == f"{OLD_KEY}|an-even-older-key", result.stderr


@pytest.mark.parametrize("keep_old", [True, False])
def test_an_unsubscribe_link_survives_rotation_only_with_the_old_key_in_fallbacks(old_key, settings, keep_old):
    notification = NotificationFactory(kind="agenda_prompt")
    link = f"/notifications/unsubscribe/{unsubscribe_token(notification_id=notification.pk)}/"
    _rotate(settings, keep_old=keep_old)
    Client().post(link)
    assert OptOut.objects.filter(recipient_key=notification.recipient_key).exists() is keep_old


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_stakeholder_link_survives_rotation_only_with_the_old_key_in_fallbacks(
    old_key, settings, lee_roster, open_round, keep_old
):
    _, tokens = open_round()
    token = tokens[lee_roster.peer[0].pk]
    _rotate(settings, keep_old=keep_old)
    found = stakeholder_services.request_find(token=token)
    assert (found is not None) is keep_old
    assert (Client().get(f"/f/{token}/").status_code == 200) is keep_old
    if keep_old:  # a reminder repeats the very link of the first e-mail
        assert stakeholder_services.request_link_for_nudge(request=found).endswith(f"/f/{token}/")


@pytest.mark.parametrize("keep_old", [True, False])
def test_an_invitation_link_survives_rotation_only_with_the_old_key_in_fallbacks(old_key, settings, cast, keep_old):
    from engagements import services

    services.engagement_create(
        coach=cast.ada,
        leader_email="nia@example.com",
        leader_name="Nia Nakamura",
        organisation="Globex",
        start_date=cast.lee_engagement.start_date,
        planned_end_date=cast.lee_engagement.planned_end_date,
        planned_sessions=6,
        cadence_days=14,
    )
    send_owed_invitations()
    path = invitation_path()
    _rotate(settings, keep_old=keep_old)
    response = Client().get(path)
    assert response.status_code == (200 if keep_old else 404)


def test_an_invitation_made_before_rotation_is_sent_with_its_original_link(old_key, settings, cast):
    from engagements import services

    result = services.engagement_create(
        coach=cast.ada,
        leader_email="nia@example.com",
        leader_name="Nia Nakamura",
        organisation="Globex",
        start_date=cast.lee_engagement.start_date,
        planned_end_date=cast.lee_engagement.planned_end_date,
        planned_sessions=6,
        cadence_days=14,
    )
    _rotate(settings, keep_old=True)
    assert send_owed_invitations() == ["sent"]
    token = invitation_path().rstrip("/").rsplit("/", 1)[-1]
    assert hash_token(token) == result.invitations[0].token_hash
