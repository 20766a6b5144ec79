from crispy_forms.helper import FormHelper
from django import forms

from intake.dates import past_date_error
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


class EmergencyAccessByIdentityForm(BreakGlassForm):
    """Emergency access from the search page, for a patient the clinician's search cannot show:
    the legal name and date of birth exactly as registered (the MRN when several records
    share them), then the emergency. Checks shape only: whether a record matches is decided
    after the request is recorded (services/break_glass.break_glass_open_by_identity)."""

    given_name = forms.CharField(label="Given name (legal)", max_length=100)
    family_name = forms.CharField(label="Family name (legal)", max_length=100)
    birth_date = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
    )
    mrn = forms.RegexField(
        label="MRN, if known",
        regex=r"^\d{1,12}$",
        max_length=12,
        required=False,
        error_messages={"invalid": "The MRN is digits only."},
        help_text="Needed only when more than one record has this name and date of birth.",
    )

    field_order = ["given_name", "family_name", "birth_date", "mrn", "category", "reason"]

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        error = past_date_error(value, what="The date of birth")
        if error:
            raise forms.ValidationError(error)
        return value
