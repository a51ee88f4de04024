"""E-mail rendering: each e-mail is a triple of templates under `templates/emails/`.

`<name>-subject.txt`, `<name>-body.txt` and `<name>-body.html`, rendered with the same context.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Returns (subject, text body, HTML body)."""
    ctx = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", ctx).split())
    text = render_to_string(f"emails/{template}-body.txt", ctx)
    html = render_to_string(f"emails/{template}-body.html", ctx)
    return subject, text, html


def build_email(
    *, template: str, to: list[str], context: dict, headers: dict | None = None, attachments: list | None = None
) -> EmailMultiAlternatives:
    subject, text, html = render_email(template, context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to, headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        message.attach(*attachment)
    return message


def send_templated_email(
    *, template: str, to: list[str], context: dict, headers: dict | None = None, attachments: list | None = None
) -> None:
    """Renders and sends one e-mail now. Raises on SMTP errors: callers decide what failure means."""
    build_email(template=template, to=to, context=context, headers=headers, attachments=attachments).send()
