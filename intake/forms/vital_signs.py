"""Vital-sign forms: shape and format only. Whether a value is plausible, and its flag, is
decided by the service (intake/vital_signs_rules.py, docs/clinical-rules.md#vital-signs); its errors
come back on the fields they name."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.utils import timezone

from intake import vital_signs_rules as rules

ACKNOWLEDGE_HELP = "What was done: repeated the reading, informed the physician, gave oxygen…"


def _measure_field(code: str) -> forms.Field:
    m = rules.MEASURES[code]
    unit = "0–10" if code == "pain" else m.unit
    attrs = {"class": "form-control", "inputmode": "decimal" if m.places else "numeric"}
    common: dict[str, Any] = {
        "label": f"{m.label} ({unit})",
        "required": False,
        "help_text": f"Plausible {m.plausible_low}–{m.plausible_high}",
    }
    if m.places:
        attrs["step"] = "0.1"
        # Precision is the service's rule (at most one decimal place), so "36.80" is 36.8 here
        # as in the API, not refused for its trailing zero.
        return forms.DecimalField(widget=forms.NumberInput(attrs), **common)
    return forms.IntegerField(widget=forms.NumberInput(attrs), **common)


class VitalSignsForm(forms.Form):
    taken_at = forms.DateTimeField(
        label="Taken at",
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control", "autofocus": True},
            format="%Y-%m-%dT%H:%M",
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["taken_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        for code in rules.MEASURE_CODES:
            self.fields[code] = _measure_field(code)
        self.helper = FormHelper()
        self.helper.form_tag = False
        row = "row g-3"
        col = "col-sm-6 col-lg-4"
        self.helper.layout = Layout(
            Div(Div(Field("taken_at"), css_class=col), css_class=row),
            Div(*(Div(Field(code), css_class=col) for code in rules.MEASURE_CODES), css_class=row),
        )

    def measures(self) -> dict[str, Any]:
        """The measures entered, by field (empty ones left out)."""
        return {
            code: self.cleaned_data[code]
            for code in rules.MEASURE_CODES
            if self.cleaned_data.get(code) is not None
        }


class VitalSignAlertAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Acknowledgement note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=ACKNOWLEDGE_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class VitalSignsVoidForm(forms.Form):
    reason = forms.CharField(
        label="Why were these vital signs entered in error?",
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="E.g. recorded on the wrong patient, the device was not on the patient.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
