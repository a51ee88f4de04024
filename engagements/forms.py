from __future__ import annotations

from datetime import timedelta

from django import forms

from accounts.idempotency import IdempotencyKeyField
from accounts.limits import DATE_VALIDATORS, LONG_TEXT, plausible

from .models import Engagement, Goal, Session


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EngagementFieldsMixin(forms.Form):
    organisation = forms.CharField(max_length=200, label="Organisation")
    start_date = forms.DateField(widget=DateInput(), validators=[plausible])
    planned_end_date = forms.DateField(widget=DateInput(), label="Planned end date", validators=DATE_VALIDATORS)
    planned_sessions = forms.IntegerField(min_value=1, max_value=60, initial=6, label="Planned sessions")
    cadence_days = forms.TypedChoiceField(
        choices=Engagement.Cadence.choices, coerce=int, initial=Engagement.Cadence.FORTNIGHTLY, label="Cadence"
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("planned_end_date")
        if start and end and end <= start:
            self.add_error("planned_end_date", "The planned end date must be after the start date.")
        if start and end and end - start > timedelta(days=3 * 366):
            self.add_error("planned_end_date", "An engagement lasts at most three years.")
        return data


class EngagementCreateForm(EngagementFieldsMixin):
    idempotency_key = IdempotencyKeyField()
    leader_name = forms.CharField(max_length=150, label="Leader's name")
    leader_email = forms.EmailField(label="Leader's e-mail")
    sponsor_name = forms.CharField(max_length=150, required=False, label="Sponsor's name")
    sponsor_email = forms.EmailField(
        required=False, label="Sponsor's e-mail", help_text="Usually the leader's manager."
    )

    field_order = [
        "leader_name",
        "leader_email",
        "organisation",
        "sponsor_name",
        "sponsor_email",
        "start_date",
        "planned_end_date",
        "planned_sessions",
        "cadence_days",
    ]

    def clean(self):
        data = super().clean()
        if data.get("sponsor_email") and not data.get("sponsor_name"):
            self.add_error("sponsor_name", "Give the sponsor's name too.")
        if data.get("sponsor_name") and not data.get("sponsor_email"):
            self.add_error("sponsor_email", "Give the sponsor's e-mail too.")
        if (
            data.get("sponsor_email")
            and data.get("leader_email")
            and data["sponsor_email"].lower() == data["leader_email"].lower()
        ):
            self.add_error("sponsor_email", "The sponsor must be someone other than the leader.")
        return data


class EngagementEditForm(EngagementFieldsMixin):
    pass


class SponsorForm(forms.Form):
    sponsor_name = forms.CharField(max_length=150, label="Sponsor's name")
    sponsor_email = forms.EmailField(label="Sponsor's e-mail")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Engagement.Status.choices)


class GoalForm(forms.ModelForm):
    idempotency_key = IdempotencyKeyField()

    class Meta:
        model = Goal
        fields = ["title", "description", "why_it_matters"]
        labels = {"why_it_matters": "Why it matters to the organisation"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "why_it_matters": forms.Textarea(attrs={"rows": 3}),
        }


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        widget=DateTimeInput(), label="Starts at", help_text="In your time zone.", validators=[plausible]
    )
    duration_minutes = forms.IntegerField(min_value=15, max_value=480, initial=60, label="Duration (minutes)")
    kind = forms.ChoiceField(choices=Session.Kind.choices, initial=Session.Kind.REGULAR)
    mode = forms.ChoiceField(choices=Session.Mode.choices, initial=Session.Mode.VIDEO)
    location = forms.CharField(max_length=300, required=False, help_text="A room, an address or a video link.")
    idempotency_key = IdempotencyKeyField()


class SessionMoveForm(SessionForm):
    idempotency_key = None  # moving a session changes it; only booking creates one


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in Session.OUTCOMES])


class NotesForm(forms.Form):
    shared_summary = forms.CharField(
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Shared summary",
        help_text="The leader sees this. The sponsor sees it only if you share and release it.",
    )
    summary_shared_with_sponsor = forms.BooleanField(required=False, label="Share this summary with the sponsor")
    private_notes = forms.CharField(
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Private notes",
        help_text="Only you ever see these.",
    )


class AgendaItemForm(forms.Form):
    text = forms.CharField(
        max_length=500,
        label="Topic to bring",
        widget=forms.TextInput(attrs={"placeholder": "What do you want to talk about?"}),
    )
    idempotency_key = IdempotencyKeyField()
