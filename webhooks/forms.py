from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address that receives the events"),
        max_length=500,
        help_text=_("The full address of your server, starting with https://."),
        # A text field with the URL keyboard: type="url" cannot show a mistyped address again in valid HTML.
        widget=forms.TextInput(
            attrs={"placeholder": "https://example.com/coaching-events", "autocomplete": "url", "inputmode": "url"}
        ),
    )
    description = forms.CharField(label=_("What it is for (optional)"), max_length=200, required=False)
