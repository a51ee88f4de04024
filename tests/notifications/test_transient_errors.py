"""Which mail-server errors are worth another try: 4xx replies and dropped connections, never 5xx."""

from __future__ import annotations

import smtplib

import pytest

from notifications.delivery import is_transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPResponseException(399, b"odd"), False),
        (smtplib.SMTPResponseException(400, b"try later"), True),
        (smtplib.SMTPResponseException(451, b"greylisted"), True),
        (smtplib.SMTPResponseException(499, b"try later"), True),
        (smtplib.SMTPResponseException(500, b"syntax"), False),
        (smtplib.SMTPResponseException(550, b"no such mailbox"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"unknown")}), False),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (TimeoutError("slow"), True),
        (ConnectionRefusedError("down"), True),
        (ValueError("a bug, not the server"), False),
    ],
)
def test_only_temporary_mail_server_trouble_is_retried(error, transient):
    assert is_transient(error) is transient
