import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils import timezone

from intake.models import Patient
from intake.models.patient import REGISTRATION_FIELDS


class PatientForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I have checked: this is a different person from the possible duplicate shown above.",
    )

    class Meta:
        model = Patient
        fields = list(REGISTRATION_FIELDS)
        labels = {
            "given_name": "Legal given name",
            "family_name": "Legal family name",
            "reason_for_visit": "Reason for seeking care",
            "birth_date": "Date of birth",
        }
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "reason_for_visit": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, show_duplicate_confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_duplicate_confirm:
            del self.fields["confirm_not_duplicate"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        extra = ["confirm_not_duplicate"] if show_duplicate_confirm else []
        self.helper.layout = Layout(
            Fieldset(
                "Identity",
                Row(Column("given_name"), Column("family_name"), Column("preferred_name")),
                Row(
                    Column("birth_date"),
                    Column("sex_at_birth"),
                    Column("gender_identity"),
                    Column("pronouns"),
                ),
            ),
            Fieldset(
                "Contact",
                Row(Column("phone"), Column("preferred_language")),
                "address",
                Row(Column("emergency_contact_name"), Column("emergency_contact_phone")),
            ),
            Fieldset("Referral", "referral_source", "reason_for_visit"),
            "version",
            *extra,
        )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("Date of birth cannot be in the future.")
        if value < datetime.date(1900, 1, 1):
            raise forms.ValidationError("Enter a date of birth after 1900.")
        return value


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Search patients",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Name, date of birth or MRN"}),
    )
