from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import time_zone_choices


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Repeat the password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    time_zone = forms.ChoiceField(label="Your time zone", choices=time_zone_choices)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ. Type the same password twice.")
        return data


class PreferencesForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your name")
    time_zone = forms.ChoiceField(
        label="Time zone", choices=time_zone_choices, help_text="Dates, times and reminders follow this time zone."
    )


class InviteCoachForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Coach's name")
    email = forms.EmailField(label="Coach's e-mail")
    role = forms.ChoiceField(
        label=_("Seat"),
        choices=[("coach", _("Coach: runs engagements")), ("reviewer", _("Reviewer: reads plain facts, read-only"))],
        initial="coach",
        required=False,
    )


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Shows a service's ValidationError on the form that was submitted, keeping what was typed.

    Errors about a field the form has go next to that field; everything else is shown above the form.
    """
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
