"""E-mail backends that behave like troubled mail servers, for delivery tests."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Refuses the next `refusals` messages with `error`, then delivers to `django.core.mail.outbox`."""

    refusals = 0
    error: Exception = smtplib.SMTPResponseException(451, b"4.3.0 Try again later")
    # Every message handed to the server, refused or not (reset by `refuse`).
    attempted: list = []

    def send_messages(self, messages):
        FlakyBackend.attempted.extend(messages)
        if FlakyBackend.refusals > 0:
            FlakyBackend.refusals -= 1
            raise FlakyBackend.error
        return super().send_messages(messages)


def refuse(times: int, error: Exception | None = None) -> None:
    FlakyBackend.refusals = times
    FlakyBackend.attempted = []
    FlakyBackend.error = error or smtplib.SMTPResponseException(451, b"4.3.0 Try again later")
