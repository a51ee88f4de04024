"""`{% idempotency_key_input form %}`: the hidden key of a create form rendered by hand.

For a form included once per row (an agenda form per engagement on the leader's home page), each
rendering needs its own key; a bound form shown again after an error keeps the key it was sent with.
"""

from django import template
from django.utils.html import format_html

from accounts.idempotency import new_key

register = template.Library()


@register.simple_tag
def idempotency_key_input(form=None):
    value = ""
    if form is not None and getattr(form, "is_bound", False):
        value = form.data.get(form.add_prefix("idempotency_key"), "")
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', value or new_key())
