"""`{% site_url "booking:move" session.pk %}`: an absolute link for e-mails (SITE_URL + path)."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def site_url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)
