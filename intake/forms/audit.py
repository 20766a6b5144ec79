import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from intake.dates import EARLIEST
from intake.models import AuditAction, AuditOutcome


class AuditFilterForm(forms.Form):
    mrn = forms.RegexField(
        regex=r"^\d{1,12}$",
        required=False,
        max_length=12,
        label="MRN",
        error_messages={"invalid": "An MRN is digits only."},
    )
    name = forms.CharField(required=False, max_length=200, label="Patient name")
    patient = forms.UUIDField(required=False, label="Patient id")
    actor = forms.CharField(required=False, max_length=150, label="Staff username")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *AuditOutcome.choices]
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Until (inclusive)"
    )
    break_glass = forms.BooleanField(required=False, label="Emergency access only")
    denied = forms.BooleanField(required=False, label="Denied only")

    def _clean_day(self, name):
        """An audit date lies from 1900 to a year ahead (a date in year 9999 overflowed)."""
        day = self.cleaned_data.get(name)
        latest = timezone.localdate() + datetime.timedelta(days=366)
        if day is not None and not EARLIEST <= day <= latest:
            raise forms.ValidationError(
                f"Give a date from {EARLIEST.isoformat()} to {latest.isoformat()}."
            )
        return day

    def clean_since(self):
        return self._clean_day("since")

    def clean_until(self):
        return self._clean_day("until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
