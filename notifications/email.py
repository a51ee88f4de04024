"""E-mail rendering: each e-mail is a triple of templates under `templates/emails/`.

`<name>-subject.txt`, `<name>-body.txt` and `<name>-body.html`, rendered with the same context.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext

#: Every e-mail the product sends is automated (RFC 3834): out-of-office replies stay away.
AUTOMATED_HEADERS = {"Auto-Submitted": "auto-generated"}


def site_sender() -> tuple[str, str]:
    """(display name, address) of `DEFAULT_FROM_EMAIL`: the site's own address."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or "Coaching", address or settings.DEFAULT_FROM_EMAIL


def sender_on_behalf_of(*, person_name: str, organisation: str = "") -> str:
    """The From of an e-mail sent for a person: "Ada Lovelace via Northwind Coaching"
    <the site's own address>, so the reader recognises who asks while the message still comes from
    (and bounces to) the site's address."""
    site_name, address = site_sender()
    name = gettext("%(person)s via %(organisation)s") % {
        "person": person_name,
        "organisation": organisation or site_name,
    }
    return formataddr((name, address))


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Returns (subject, text body, HTML body)."""
    ctx = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", ctx).split())
    text = render_to_string(f"emails/{template}-body.txt", ctx)
    html = render_to_string(f"emails/{template}-body.html", ctx)
    return subject, text, html


def build_email(
    *,
    template: str,
    to: list[str],
    context: dict,
    headers: dict | None = None,
    attachments: list | None = None,
    from_email: str = "",
    reply_to: list[str] | None = None,
) -> EmailMultiAlternatives:
    subject, text, html = render_email(template, context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
        headers={**AUTOMATED_HEADERS, **(headers or {})},
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
