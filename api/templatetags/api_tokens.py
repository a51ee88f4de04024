from django import template

from ..models import ApiToken

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_tokens(context) -> list[ApiToken]:
    """The signed-in person's tokens, newest first (one query)."""
    return list(ApiToken.objects.filter(user=context["request"].user))
