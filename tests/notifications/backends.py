"""E-mail backends that behave like troubled mail servers, for delivery tests."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Refuses the next `refusals` messages with `error`, then delivers to `django.core.mail.outbox`."""

    refusals = 0
    error: Exception = smtplib.SMTPResponseException(451, b"4.3.0 Try again later")

    def send_messages(self, messages):
        if FlakyBackend.refusals > 0:
            FlakyBackend.refusals -= 1
            raise FlakyBackend.error
        return super().send_messages(messages)


def refuse(times: int, error: Exception | None = None) -> None:
    FlakyBackend.refusals = times
    FlakyBackend.error = error or smtplib.SMTPResponseException(451, b"4.3.0 Try again later")
