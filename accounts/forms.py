from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .models import grouped_time_zone_choices, language_choices


def time_zone_field(label: str, **options) -> forms.ChoiceField:
    """A plain select of time zones, common ones first; static/js/app.js adds a filter and the browser's zone."""
    widget = forms.Select(
        attrs={
            "data-time-zone-picker": "",
            "autocomplete": "off",
            "data-filter-label": _("Filter time zones"),
            "data-filter-placeholder": _("Type to filter, e.g. Tokyo"),
            "data-suggest-text": _("Use this device's time zone: %s"),
        }
    )
    return forms.ChoiceField(label=label, choices=grouped_time_zone_choices, widget=widget, **options)


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(password_validators_help_text_html, str)(),  # in the reader's language
    )
    password2 = forms.CharField(
        label=_("Repeat the password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    time_zone = time_zone_field(_("Your time zone"))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ. Type the same password twice."))
        return data


class PreferencesForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Your name"))
    time_zone = time_zone_field(_("Time zone"), help_text=_("Dates, times and reminders follow this time zone."))
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_("Pages, e-mails and calendar entries are written in this language."),
    )

    def clean_language(self) -> str | None:
        """None when the form did not send one: the language stays as it is."""
        return self.cleaned_data.get("language") or None


class PracticeLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Default language"),
        choices=language_choices,
        help_text=_("For the practice's coaches, leaders and sponsors who have not chosen a language of their own."),
    )


class InviteCoachForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Coach's name"))
    email = forms.EmailField(label=_("Coach's e-mail"))
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
