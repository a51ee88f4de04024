from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ApiToken
from .services import EXPIRY_DAYS


def _days_label(days: int) -> str:
    return gettext("%(days)s days") % {"days": days}


# Made when the page is shown, in the reader's language (not once, in the language active at import).
days_label = lazy(_days_label, str)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What will use it"),
        max_length=100,
        help_text=_("A name to recognise it by, for example “reporting script”."),
        error_messages={"required": _("Name the token after what will use it, for example “reporting script”.")},
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose read only, or read and write.")},
    )
    days = forms.TypedChoiceField(
        label=_("Works for"),
        coerce=int,
        choices=[(d, days_label(d)) for d in EXPIRY_DAYS],
        initial=90,
        error_messages={"invalid_choice": _("Choose how long the token works: 7, 30, 90 or 365 days.")},
    )
