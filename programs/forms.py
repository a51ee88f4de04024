from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.limits import DATE_VALIDATORS, plausible
from engagements.forms import DateInput


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Organisation name"))


class ProgramForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Program name"))
    start_date = forms.DateField(label=_("Starts on"), widget=DateInput(), validators=[plausible])
    end_date = forms.DateField(label=_("Ends on"), widget=DateInput(), validators=DATE_VALIDATORS)
    planned_sessions = forms.IntegerField(label=_("Sessions planned per leader"), min_value=1, max_value=60, initial=6)
    stalled_after_weeks = forms.IntegerField(
        label=_("Stalled after (weeks)"),
        min_value=1,
        max_value=26,
        initial=4,
        help_text=_("An engagement with no session held in this many weeks and none booked counts as stalled."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("The end date must be after the start date."))
        return data


class ManagerInviteForm(forms.Form):
    full_name = forms.CharField(max_length=150, label=_("Program manager's name"))
    email = forms.EmailField(label=_("Program manager's e-mail"))


class ProgramEngagementsForm(forms.Form):
    engagements = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label=_("Your engagements in this program")
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagements"].choices = choices
