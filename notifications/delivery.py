"""Sorting delivery errors into "try again later" and "this will never work"."""

from __future__ import annotations

import smtplib
import socket


class TransientDeliveryError(Exception):
    """The mail server could not take the message now; the send task retries with backoff."""


def _smtp_code(exc: BaseException) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return max(codes) if codes else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return None


def is_transient(exc: BaseException) -> bool:
    """4xx replies, dropped connections, timeouts and refused connections are worth another try."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    code = _smtp_code(exc)
    if code is not None:
        return 400 <= code < 500
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, TimeoutError | socket.timeout | ConnectionError | OSError)


def describe(exc: BaseException) -> str:
    """A short, readable account of an error for the outbox (never the message body)."""
    code = _smtp_code(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(
            f"{addr}: {c} {m.decode(errors='replace') if isinstance(m, bytes) else m}"
            for addr, (c, m) in exc.recipients.items()
        )
        return f"Recipient refused ({detail})"[:1000]
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{type(exc).__name__}: {code} {message}"[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]
