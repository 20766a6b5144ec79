from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from intake.models import DischargeReason, Program


class EpisodeAdmitForm(forms.Form):
    program = forms.ChoiceField(choices=Program.choices)
    # Admissions are recorded on the day, as a rule: today, changeable for a late entry.
    admitted_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_admitted_on(self):
        value = self.cleaned_data["admitted_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("Admission date cannot be in the future.")
        return value


class EpisodeDischargeForm(forms.Form):
    discharged_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    reason = forms.ChoiceField(choices=DischargeReason.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_discharged_on(self):
        value = self.cleaned_data["discharged_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("Discharge date cannot be in the future.")
        return value
