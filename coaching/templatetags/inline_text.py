"""Filters for putting a label inside a sentence in the reader's language."""

from django import template
from django.utils.translation import get_language, gettext_lazy

register = template.Library()

# Languages whose nouns keep their capital letter inside a sentence ("ein Dreiergespräch").
CAPITALISED_NOUNS = {"de"}


@register.filter
def lower_inline(value: object) -> str:
    """A label such as "Three-way" or "Paused" written inside a sentence: lowercased in English,
    left as it is where lowercasing would misspell a noun."""
    text = str(value)
    language = (get_language() or "en").split("-")[0]
    return text if language in CAPITALISED_NOUNS else text.lower()


ROLE_LABELS = {
    "leader": gettext_lazy("Leader"),
    "sponsor": gettext_lazy("Sponsor"),
    "coach": gettext_lazy("Coach"),
    "program_manager": gettext_lazy("Program manager"),
    "reviewer": gettext_lazy("Reviewer"),
}


@register.filter
def role_label(role: str) -> str:
    """An invitation's role ("leader", "program_manager") as the reader's language names it."""
    return str(ROLE_LABELS.get(role, role))


@register.filter
def primary_language(code: str) -> str:
    """The language of a language code without its region ("en-gb" -> "en"), for `<html lang>` and the
    PDF's language: the pages speak one English and one German, so the region adds nothing."""
    return (code or "en").split("-")[0]
