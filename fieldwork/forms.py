"""Forms for fieldwork. They check the shape of the input; the rules live in `services.py`."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.idempotency import IdempotencyKeyField
from accounts.limits import SHORT_TEXT, plausible
from engagements.forms import DateInput, DateTimeInput
from engagements.models import Goal

from .models import MAX_TARGET, MIN_TARGET, REASON_MAX, FieldworkTemplate, PracticeLog, WeeklyReflection


def _target_message() -> str:
    return gettext("Choose a number of attempts from %(low)s to %(high)s before the next session.") % {
        "low": MIN_TARGET,
        "high": MAX_TARGET,
    }


TARGET_MESSAGE = lazy(_target_message, str)()


class CommitmentForm(forms.Form):
    """One commitment row of the co-design screen. `goals` are the engagement's goals, already loaded."""

    DUE_NEXT_SESSION = "next_session"
    DUE_DATE = "date"

    text = forms.CharField(
        max_length=300,
        label=_("What to practise"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Take one breath before answering the VP")}),
        error_messages={"required": _("Say what the leader will practise, in a few words.")},
    )
    where_with_whom = forms.CharField(
        max_length=200,
        required=False,
        label=_("Where or with whom"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Monday operations review")}),
    )
    target_count = forms.IntegerField(
        label=_("How often"),
        min_value=MIN_TARGET,
        max_value=MAX_TARGET,
        initial=3,
        help_text=_("Times before the next session."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": TARGET_MESSAGE,
            "invalid": TARGET_MESSAGE,
            "min_value": TARGET_MESSAGE,
            "max_value": TARGET_MESSAGE,
        },
    )
    goal = forms.TypedChoiceField(label=_("Goal it serves"), coerce=int, empty_value=None)
    due = forms.ChoiceField(
        label=_("Due"),
        choices=[(DUE_NEXT_SESSION, _("At the next session")), (DUE_DATE, _("On a date"))],
        initial=DUE_NEXT_SESSION,
        widget=forms.RadioSelect,
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput(), validators=[plausible])
    template = forms.IntegerField(required=False, widget=forms.HiddenInput)
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args, goals: list[Goal], **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = {g.pk: g for g in goals}
        self.fields["goal"].choices = [("", _("Choose a goal"))] + [(g.pk, g.title) for g in goals]
        self.fields["goal"].required = bool(goals)
        self.fields["goal"].error_messages["required"] = _("Choose the goal this practice serves.")
        if not goals:
            self.fields["goal"].help_text = _("This engagement has no goals yet.")

    def clean(self):
        data = super().clean()
        if data.get("due") == self.DUE_DATE and not data.get("due_date") and "due_date" not in self.errors:
            self.add_error("due_date", _("Choose the date, or make it due at the next session."))
        if data.get("due") != self.DUE_DATE:
            data["due_date"] = None
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "where_with_whom": data.get("where_with_whom", ""),
            "target_count": data["target_count"],
            "goal": self.goals.get(data.get("goal")),
            "due_date": data.get("due_date"),
        }

    @classmethod
    def initial_for(cls, commitment) -> dict:
        return {
            "text": commitment.text,
            "where_with_whom": commitment.where_with_whom,
            "target_count": commitment.target_count,
            "goal": commitment.goal_id,
            "due": cls.DUE_NEXT_SESSION if commitment.due_at_next_session else cls.DUE_DATE,
            "due_date": commitment.due_date,
        }

    @classmethod
    def initial_from_template(cls, template: FieldworkTemplate, goals: list[Goal]) -> dict:
        """A row started from a library template; the goal whose words match the theme is chosen."""
        stem = template.goal_theme.lower()[:6]  # "composure" also finds "Stay composed under pressure"
        goal = next(
            (g for g in goals if stem and (stem in g.title.lower() or stem in g.description.lower())),
            None,
        )
        return {
            "text": template.title,
            "template": template.pk,
            "goal": goal.pk if goal else None,
            "target_count": 3,
            "due": cls.DUE_NEXT_SESSION,
        }


class PracticeLogForm(forms.Form):
    """Quick mode (one line), full mode (the seven questions) or "could not do it" (a reason)."""

    MODES = ("quick", "full", "could_not")

    mode = forms.ChoiceField(choices=[(m, m) for m in MODES], widget=forms.HiddenInput, initial="quick")
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=DateTimeInput(),
        error_messages={
            "required": _("Say when it happened."),
            "invalid": _("Enter a date and time, like 2026-11-20 14:30."),
        },
        validators=[plausible],
    )
    note = forms.CharField(max_length=300, required=False, label=_("What happened, in one line"))
    what_tried = forms.CharField(
        required=False, max_length=SHORT_TEXT, label=_("What I tried"), widget=forms.Textarea(attrs={"rows": 2})
    )
    went_well = forms.CharField(
        required=False, max_length=SHORT_TEXT, label=_("What went well"), widget=forms.Textarea(attrs={"rows": 2})
    )
    went_badly = forms.CharField(
        required=False, max_length=SHORT_TEXT, label=_("What did not go well"), widget=forms.Textarea(attrs={"rows": 2})
    )
    noticed_in_myself = forms.CharField(
        required=False,
        max_length=SHORT_TEXT,
        label=_("What I noticed in myself"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    others_reacted = forms.CharField(
        required=False, max_length=SHORT_TEXT, label=_("How others reacted"), widget=forms.Textarea(attrs={"rows": 2})
    )
    will_adjust = forms.CharField(
        required=False, max_length=SHORT_TEXT, label=_("What I will adjust"), widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args, mode: str = "quick", **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
        kwargs["initial"].setdefault("mode", mode)
        super().__init__(*args, **kwargs)
        raw = self.data.get("mode") if self.is_bound else mode
        self.mode = raw if raw in self.MODES else "quick"
        if self.mode == "could_not":
            self.fields["note"].label = _("What got in the way")
        elif self.mode == "full":
            self.fields["note"].label = _("In one line (optional)")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kind = PracticeLog.Kind.COULD_NOT if self.mode == "could_not" else PracticeLog.Kind.PRACTISED
        texts = {name: data.get(name, "") for name in PracticeLog.FULL_FIELDS} if self.mode == "full" else {}
        return {"kind": kind, "occurred_at": data.get("occurred_at"), "note": data.get("note", ""), **texts}

    @classmethod
    def initial_for(cls, log: PracticeLog) -> tuple[dict, str]:
        mode = "could_not" if log.kind == PracticeLog.Kind.COULD_NOT else ("full" if log.is_full else "quick")
        initial = {name: getattr(log, name) for name in ("note", *PracticeLog.FULL_FIELDS)}
        initial.update(mode=mode, occurred_at=timezone.localtime(log.occurred_at))
        return initial, mode


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("done", _("Done")), ("partly", _("Partly")), ("not_done", _("Not done"))],
        error_messages={
            "required": _("Choose done, partly or not done."),
            "invalid_choice": _("Choose done, partly or not done."),
        },
    )
    reason = forms.CharField(required=False, max_length=REASON_MAX, label=_("Reason"))


class ReflectionForm(forms.Form):
    """Wins, struggles, a 1 to 10 rating per goal (fields `goal_<pk>`), topics one per line."""

    wins = forms.CharField(
        required=False, max_length=SHORT_TEXT, label=_("Wins this week"), widget=forms.Textarea(attrs={"rows": 3})
    )
    struggles = forms.CharField(
        required=False, max_length=SHORT_TEXT, label=_("Struggles"), widget=forms.Textarea(attrs={"rows": 3})
    )
    topics = forms.CharField(
        required=False,
        max_length=SHORT_TEXT,
        label=_("Topics for your next session"),
        help_text=_("One per line. Each becomes an item on the agenda of your next session."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = IdempotencyKeyField()

    def __init__(self, data=None, *args, goals: list[Goal], reflection: WeeklyReflection | None = None, **kwargs):
        if reflection is not None and data is None:
            kwargs["initial"] = {
                "wins": reflection.wins,
                "struggles": reflection.struggles,
                "topics": reflection.topics,
                **{f"goal_{r.goal_id}": r.score for r in reflection.ratings.all()},
            }
        super().__init__(data, *args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.TypedChoiceField(
                label=goal.title,
                choices=[(str(n), str(n)) for n in range(1, 11)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Rate from 1 to 10.")},
            )

    def rating_fields(self) -> list[tuple[Goal, forms.BoundField]]:
        return [(goal, self[f"goal_{goal.pk}"]) for goal in self.goals]

    def ratings(self) -> dict[int, int | None]:
        return {goal.pk: self.cleaned_data.get(f"goal_{goal.pk}") for goal in self.goals}


class TemplateForm(forms.ModelForm):
    idempotency_key = IdempotencyKeyField()

    class Meta:
        model = FieldworkTemplate
        fields = ["title", "description", "goal_theme"]
        labels = {"title": _("Practice"), "description": _("Description"), "goal_theme": _("Suggested goal theme")}
        help_texts = {
            "title": _("What the leader will do, in a line: it becomes the commitment's text."),
            "goal_theme": _("A word such as “composure” or “delegation”: the matching goal is suggested."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"title": {"required": _("Give the practice a short title.")}}
