from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_MONTHS, MIN_MONTHS


class RetentionPolicyForm(forms.Form):
    months = forms.IntegerField(
        label=_("Keep a leader's data for this many months after the engagement ends"),
        min_value=MIN_MONTHS,
        max_value=MAX_MONTHS,
        error_messages={
            "required": _("Enter a number of months from 1 to 120."),
            "invalid": _("Enter a whole number of months, from 1 to 120."),
            "min_value": _("Enter a number of months from 1 to 120."),
            "max_value": _("Enter a number of months from 1 to 120."),
        },
    )


class EraseNowForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have the record I want to keep, and I understand that erasure cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
