from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

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
    organisation = forms.CharField(max_length=200, label=_("Organisation"))
    start_date = forms.DateField(widget=DateInput(), label=_("Start date"), validators=[plausible])
    planned_end_date = forms.DateField(widget=DateInput(), label=_("Planned end date"), validators=DATE_VALIDATORS)
    planned_sessions = forms.IntegerField(min_value=1, max_value=60, initial=6, label=_("Planned sessions"))
    cadence_days = forms.TypedChoiceField(
        choices=Engagement.Cadence.choices, coerce=int, initial=Engagement.Cadence.FORTNIGHTLY, label=_("Cadence")
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("planned_end_date")
        if start and end and end <= start:
            self.add_error("planned_end_date", _("The planned end date must be after the start date."))
        if start and end and end - start > timedelta(days=3 * 366):
            self.add_error("planned_end_date", _("An engagement lasts at most three years."))
        return data


class EngagementCreateForm(EngagementFieldsMixin):
    idempotency_key = IdempotencyKeyField()
    leader_name = forms.CharField(max_length=150, label=_("Leader's name"))
    leader_email = forms.EmailField(label=_("Leader's e-mail"))
    sponsor_name = forms.CharField(max_length=150, required=False, label=_("Sponsor's name"))
    sponsor_email = forms.EmailField(
        required=False, label=_("Sponsor's e-mail"), help_text=_("Usually the leader's manager.")
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
            self.add_error("sponsor_name", _("Give the sponsor's name too."))
        if data.get("sponsor_name") and not data.get("sponsor_email"):
            self.add_error("sponsor_email", _("Give the sponsor's e-mail too."))
        if (
            data.get("sponsor_email")
            and data.get("leader_email")
            and data["sponsor_email"].lower() == data["leader_email"].lower()
        ):
            self.add_error("sponsor_email", _("The sponsor must be someone other than the leader."))
        return data


class EngagementEditForm(EngagementFieldsMixin):
    cancellation_window_hours = forms.IntegerField(
        min_value=0,
        max_value=168,
        initial=24,
        label=_("Cancellation window (hours)"),
        help_text=_(
            "A session cancelled less than this many hours before it starts counts as a late cancellation, "
            "which the sponsor sees. 0 turns late cancellations off."
        ),
    )


class SponsorForm(forms.Form):
    sponsor_name = forms.CharField(max_length=150, label=_("Sponsor's name"))
    sponsor_email = forms.EmailField(label=_("Sponsor's e-mail"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Engagement.Status.choices, label=_("Status"))


class GoalForm(forms.ModelForm):
    idempotency_key = IdempotencyKeyField()

    class Meta:
        model = Goal
        fields = ["title", "description", "why_it_matters"]
        labels = {
            "title": _("Title"),
            "description": _("Description"),
            "why_it_matters": _("Why it matters to the organisation"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "why_it_matters": forms.Textarea(attrs={"rows": 3}),
        }


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        widget=DateTimeInput(), label=_("Starts at"), help_text=_("In your time zone."), validators=[plausible]
    )
    duration_minutes = forms.IntegerField(min_value=15, max_value=480, initial=60, label=_("Duration (minutes)"))
    kind = forms.ChoiceField(choices=Session.Kind.choices, initial=Session.Kind.REGULAR, label=_("Kind"))
    mode = forms.ChoiceField(choices=Session.Mode.choices, initial=Session.Mode.VIDEO, label=_("Mode"))
    location = forms.CharField(
        max_length=300, required=False, label=_("Location"), help_text=_("A room, an address or a video link.")
    )
    video_url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label=_("Video link"),
        help_text=_("Leave empty to use your meeting room (set on the calendar page)."),
    )
    outcome = forms.ChoiceField(
        required=False,
        label=_("Has it happened already?"),
        choices=[
            ("", _("No: book it and send the invitations")),
            (Session.Status.HELD, _("Yes, it was held (record a past session)")),
            (Session.Status.NO_SHOW, _("Yes, the leader did not come (record a past no-show)")),
        ],
        help_text=_("Record a past session, for example when you move an existing client over. Nobody is invited."),
    )
    idempotency_key = IdempotencyKeyField()


class SessionMoveForm(SessionForm):
    idempotency_key = None  # moving a session changes it; only booking creates one
    outcome = None  # a move is always to the future


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in Session.OUTCOMES])


class NotesForm(forms.Form):
    shared_summary = forms.CharField(
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=_("Shared summary"),
        help_text=_("The leader sees this. The sponsor sees it only if you share and release it."),
    )
    summary_shared_with_sponsor = forms.BooleanField(required=False, label=_("Share this summary with the sponsor"))
    private_notes = forms.CharField(
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=_("Private notes"),
        help_text=_("Only you ever see these."),
    )


class AgendaItemForm(forms.Form):
    text = forms.CharField(
        max_length=500,
        label=_("Topic to bring"),
        widget=forms.TextInput(attrs={"placeholder": _("What do you want to talk about?")}),
    )
    idempotency_key = IdempotencyKeyField()


class MeetingRoomForm(forms.Form):
    url = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        label=_("Your meeting room"),
        help_text=_(
            "The video link of every video session that has no link of its own. It appears on session pages, "
            "in e-mails and in calendars. Leave it empty to remove it."
        ),
    )
