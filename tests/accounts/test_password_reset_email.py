"""The password reset e-mail: branded like every other e-mail, marked automated, with a working link."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_the_reset_email_is_a_branded_triple_with_a_link_that_opens_the_new_password_form(cast, client):
    response = client.post("/accounts/password/reset/", {"email": "lee@example.com"})
    assert response.status_code == 302

    (message,) = mail.outbox
    assert message.subject == "Choose a new password for your coaching workspace"
    assert message.to == ["lee@example.com"] and message.from_email == "Coaching <coaching@localhost>"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    html, mime = message.alternatives[0]
    assert mime == "text/html" and html.startswith("<!DOCTYPE html>")
    for body in (message.body, html):
        assert "Hello Lee," in body and "If you did not ask, ignore this e-mail" in body
    assert "127.0.0.1:8000]" not in message.subject and "Password Reset" not in message.subject
    (path,) = set(re.findall(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s<\"]+)", message.body))
    form = client.get(path, follow=True)
    assert form.status_code == 200 and 'name="password1"' in form.content.decode()


def test_an_unknown_address_is_told_accounts_come_by_invitation_not_to_sign_up(client):
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    (message,) = mail.outbox
    assert message.subject == "No coaching workspace account uses this address"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    for body in (message.body, message.alternatives[0][0]):
        assert "Accounts are made by invitation" in body
        assert "sign up" not in body.lower() and "/accounts/signup/" not in body


def test_every_other_account_email_is_marked_automated_too(cast):
    from allauth.account.adapter import get_adapter
    from allauth.core import context

    request = RequestFactory().get("/")
    with context.request_context(request):
        message = get_adapter(request).render_mail(
            "account/email/email_confirmation",
            "lee@example.com",
            {"user": cast.lee, "activate_url": "http://127.0.0.1:8000/x/", "key": "k", "current_site": None},
        )
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
