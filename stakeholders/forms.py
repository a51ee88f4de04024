from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.idempotency import IdempotencyKeyField
from accounts.languages import language_for_user
from accounts.limits import plausible
from accounts.models import language_choices
from engagements.forms import DateInput

from .models import SCORE_MAX, SCORE_MIN, TEXT_MAX, FeedbackRound, Relationship


class StakeholderForm(forms.Form):
    name = forms.CharField(max_length=150, label=_("Name"))
    email = forms.EmailField(label=_("E-mail address"), help_text=_("Their private link is sent here."))
    relationship = forms.ChoiceField(
        choices=[("", _("Choose…")), *Relationship.choices], label=_("Relationship to the leader")
    )
    language = forms.ChoiceField(
        label=_("Language of their e-mails and answer page"),
        choices=language_choices,
        required=False,
        help_text=_("The language the leader uses is chosen for them unless you pick another."),
    )
    idempotency_key = IdempotencyKeyField()
    goals = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Goals they can observe"),
        help_text=_("They are asked about these goals only. Leave all unticked to ask about every goal."),
    )

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = engagement.goals.all()
        self.fields["language"].initial = language_for_user(engagement.leader)

    def clean_language(self) -> str | None:
        """None when the form did not send one: a new stakeholder reads the leader's language, an
        edited one keeps theirs."""
        return self.cleaned_data.get("language") or None


class StakeholderEditForm(StakeholderForm):
    idempotency_key = None


class ThresholdForm(forms.Form):
    anonymity_threshold = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(2, 11)],
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
        label=_("Fewest answers a group needs to be shown (K)"),
    )


class RoundForm(forms.Form):
    kind = forms.ChoiceField(
        choices=FeedbackRound.Kind.choices,
        widget=forms.RadioSelect,
        label=_("Kind of round"),
        help_text=_(
            "Baseline: what should the leader keep doing and start doing. "
            "Progress: has the leader become more or less effective at each goal (−3 to +3)."
        ),
    )
    opens_on = forms.DateField(widget=DateInput(), label=_("Opens on"), validators=[plausible])
    closes_on = forms.DateField(
        widget=DateInput(),
        label=_("Closes on"),
        help_text=_("Links stop working after this day."),
        validators=[plausible],
    )
    ask_support = forms.BooleanField(required=False, label=_("Also ask: “How can the leader best support you?”"))
    ask_organisation = forms.BooleanField(
        required=False, label=_("Also ask: “How can the leader best serve the organisation?”")
    )
    idempotency_key = IdempotencyKeyField()

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on <= opens_on:
            self.add_error("closes_on", _("The round must close after the day it opens."))
        return data

    @staticmethod
    def defaults(*, has_baseline: bool) -> dict:
        today = timezone.localdate()
        return {
            "kind": FeedbackRound.Kind.PROGRESS if has_baseline else FeedbackRound.Kind.BASELINE,
            "opens_on": today,
            "closes_on": today + timedelta(days=14),
        }


class RoundEditForm(RoundForm):
    idempotency_key = None


class CloseRoundForm(forms.Form):
    next_in_weeks = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=52,
        label=_("Plan the next progress round in (weeks)"),
        help_text=_("Optional. Eight weeks is a common rhythm. It is saved as a draft you open when it is due."),
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            _("Plan the next round between 1 and 52 weeks from now, or leave the field empty."),
        ),
    )


SCORE_CHOICES = [(s, f"{s:+d}".replace("-", "\u2212") if s else "0") for s in range(SCORE_MIN, SCORE_MAX + 1)]


class AnswerForm(forms.Form):
    """The stakeholder's answers. Fields depend on the round and on the goals this person was asked about."""

    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args, feedback_round: FeedbackRound, goals, leader_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_rows = []
        if feedback_round.is_progress:
            for goal in goals:
                score = f"score_{goal.pk}"
                suggestion = f"suggestion_{goal.pk}"
                self.fields[score] = forms.TypedChoiceField(
                    choices=SCORE_CHOICES,
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                    label=_("To what degree has %(name)s become more or less effective at: %(goal)s?")
                    % {"name": leader_name, "goal": goal.title},
                    error_messages={
                        "required": _("Choose a score from −3 to +3."),
                        "invalid_choice": _("Choose a score from −3 to +3."),
                    },
                )
                self.fields[suggestion] = forms.CharField(
                    required=False,
                    max_length=TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    label=_("A suggestion for the future (optional)"),
                )
                self.goal_rows.append((goal, score, suggestion))
        else:
            self.fields["keep_doing"] = forms.CharField(
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                label=_("What should %(name)s keep doing?") % {"name": leader_name},
            )
            self.fields["start_doing"] = forms.CharField(
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                label=_("What should %(name)s start doing?") % {"name": leader_name},
            )
        if feedback_round.ask_support:
            self.fields["support"] = forms.CharField(
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=_("How can %(name)s best support you? (optional)") % {"name": leader_name},
            )
        if feedback_round.ask_organisation:
            self.fields["organisation"] = forms.CharField(
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=_("How can %(name)s best serve the organisation? (optional)") % {"name": leader_name},
            )

    def clean(self):
        data = super().clean()
        if "keep_doing" in self.fields and not (data.get("keep_doing") or data.get("start_doing")):
            if not self.has_error("keep_doing") and not self.has_error("start_doing"):
                self.add_error("keep_doing", _("Write at least one thing to keep doing or to start doing."))
        return data

    def submission(self) -> dict:
        """The cleaned answers in the shape `services.response_submit` takes."""
        data = self.cleaned_data
        return {
            "scores": {goal.pk: data[score] for goal, score, _ in self.goal_rows},
            "suggestions": {goal.pk: data[suggestion] for goal, _, suggestion in self.goal_rows if data[suggestion]},
            "keep_doing": data.get("keep_doing", ""),
            "start_doing": data.get("start_doing", ""),
            "support": data.get("support", ""),
            "organisation": data.get("organisation", ""),
        }

    def goal_fields(self) -> list[tuple]:
        """(goal, score field, suggestion field) for each goal asked about, as bound fields."""
        return [(goal, self[score], self[suggestion]) for goal, score, suggestion in self.goal_rows]

    def other_fields(self) -> list:
        names = ("keep_doing", "start_doing", "support", "organisation")
        return [self[name] for name in names if name in self.fields]
