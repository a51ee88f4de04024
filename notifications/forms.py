from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WEEKDAYS, NotificationPreference


class PreferencesForm(forms.Form):
    reflection_weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int)
    reflection_time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 60}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time such as 16:00.")},
    )
    wanted = forms.MultipleChoiceField(label=_("E-mails I want"), required=False, widget=forms.CheckboxSelectMultiple)
    coach_alerts = forms.ChoiceField(
        label=_("Alerts about my clients"),
        choices=NotificationPreference.CoachAlerts.choices,
        widget=forms.RadioSelect,
        required=False,  # left out: the choice stays as it was
        error_messages={"invalid_choice": _("Choose how alerts reach you.")},
    )

    def __init__(self, *args, sources: list, show_schedule: bool, show_coach_alerts: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wanted"].choices = [(s.kind, s.label) for s in sources]
        self.descriptions = {s.kind: s.description for s in sources}
        if not show_schedule:  # only leaders get weekly reflection prompts
            del self.fields["reflection_weekday"]
            del self.fields["reflection_time"]
        if not show_coach_alerts:  # only coaches get alerts about their clients
            del self.fields["coach_alerts"]
