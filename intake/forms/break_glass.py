from crispy_forms.helper import FormHelper
from django import forms

from intake.models import EmergencyCategory, ReviewOutcome


class BreakGlassForm(forms.Form):
    category = forms.ChoiceField(
        choices=EmergencyCategory.choices,
        initial=EmergencyCategory.MEDICAL_EMERGENCY,
        label="Kind of emergency",
        required=False,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        label="The emergency",
        help_text="Why you need this chart now, in at least 20 characters. Recorded, and "
        "reviewed by the privacy officer.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_category(self) -> str:
        return self.cleaned_data.get("category") or EmergencyCategory.OTHER


class BreakGlassReviewForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "Outcome…"), *ReviewOutcome.choices], label="Outcome")
    end_access = forms.BooleanField(required=False, label="End the access now")
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": "Review note (optional)"}),
        label="Note",
    )
