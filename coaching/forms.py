"""Forms of the home pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.idempotency import IdempotencyKeyField

from .models import COMMENT_MAX, PartnershipCheckIn


class CheckInForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How is the coaching working for you?"),
        choices=PartnershipCheckIn.Score.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 1 to 5."),
            "invalid_choice": _("Choose a score from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Anything your coach should know?"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only your coach reads this."),
    )
    idempotency_key = IdempotencyKeyField()


class ReassignForm(forms.Form):
    """Which active coach of the practice takes a coach's open engagements over."""

    coach = forms.ModelChoiceField(queryset=None, label=_("Hand open engagements to"))

    def __init__(self, *args, coaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["coach"].queryset = User.objects.filter(pk__in=[c.pk for c in coaches], is_active=True)
