from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.limits import plausible

from .models import Availability, AvailabilityException, WeeklyHours


class AvailabilityForm(forms.ModelForm):
    class Meta:
        model = Availability
        fields = ["accepts_bookings", "session_lengths", "buffer_minutes", "min_notice_hours", "horizon_days"]
        widgets = {
            "buffer_minutes": forms.NumberInput(attrs={"min": 0, "max": 240}),
            "min_notice_hours": forms.NumberInput(attrs={"min": 0, "max": 720}),
            "horizon_days": forms.NumberInput(attrs={"min": 1, "max": 180}),
        }

    def clean_buffer_minutes(self):
        value = self.cleaned_data["buffer_minutes"]
        if value > 240:
            raise ValidationError(_("Keep the buffer to 240 minutes or less."))
        return value

    def clean_min_notice_hours(self):
        value = self.cleaned_data["min_notice_hours"]
        if value > 720:
            raise ValidationError(_("Keep the minimum notice to 720 hours (30 days) or less."))
        return value

    def clean_horizon_days(self):
        value = self.cleaned_data["horizon_days"]
        if not 1 <= value <= 180:
            raise ValidationError(_("Choose from 1 to 180 days."))
        return value


class WeeklyHoursForm(forms.ModelForm):
    class Meta:
        model = WeeklyHours
        fields = ["weekday", "starts", "ends"]
        widgets = {"starts": forms.TimeInput(attrs={"type": "time"}), "ends": forms.TimeInput(attrs={"type": "time"})}

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            self.add_error("ends", _("The end comes after the start."))
        return data


class ExceptionForm(forms.ModelForm):
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}), validators=[plausible]
    )

    class Meta:
        model = AvailabilityException
        fields = ["day", "kind", "starts", "ends"]
        widgets = {"starts": forms.TimeInput(attrs={"type": "time"}), "ends": forms.TimeInput(attrs={"type": "time"})}

    def __init__(self, *args, **kwargs):
        # Shown on one page with the weekly hours form, whose fields share these names: ids of their own.
        kwargs.setdefault("auto_id", "id_exception_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("kind") == AvailabilityException.Kind.OPENING:
            if not data.get("starts") or not data.get("ends"):
                self.add_error("starts", _("An extra opening needs a start and an end time."))
            elif data["starts"] >= data["ends"]:
                self.add_error("ends", _("The end comes after the start."))
        return data


class CalendarForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Calendar address (CalDAV)"), max_length=500, assume_scheme="https")
    username = forms.CharField(label=gettext_lazy("User name"), max_length=200)
    password = forms.CharField(
        label=gettext_lazy("Password or app password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Stored encrypted. Leave empty to keep the one already saved."),
    )
    write_back = forms.BooleanField(
        label=gettext_lazy("Add booked sessions to this calendar"), required=False, initial=True
    )


class AssistantForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Assistant's name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Assistant's e-mail"))


class SlotForm(forms.Form):
    """The slot pressed on the booking page: an ISO moment with its offset."""

    starts_at = forms.CharField(max_length=40)
    length = forms.IntegerField(required=False, min_value=15, max_value=480)

    def clean_starts_at(self) -> datetime:
        raw = self.cleaned_data["starts_at"]
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise ValidationError(_("Pick one of the times shown.")) from None
        if moment.tzinfo is None:
            raise ValidationError(_("Pick one of the times shown."))
        return moment
