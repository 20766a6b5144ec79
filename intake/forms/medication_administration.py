"""Documenting a dose from the medication pass or the MAR page, and voiding an entry: shape
only. Whether a dose may be given, and whether a reason is needed, is the service's decision
(intake/services/medication_administration.py, docs/clinical-rules.md#administration-rules);
its refusals come back beside the row."""

from __future__ import annotations

from typing import Any

from django import forms

from intake.models import AdministrationStatus

RECORDABLE = [(s.value, s.label) for s in AdministrationStatus if s != AdministrationStatus.VOID]


class AdministrationForm(forms.Form):
    # The pass lists many patients: the row names its patient (an id, never a name).
    patient = forms.UUIDField(required=False, widget=forms.HiddenInput)
    medication = forms.UUIDField(widget=forms.HiddenInput)
    due_dose = forms.UUIDField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=RECORDABLE, widget=forms.RadioSelect)
    dose = forms.DecimalField(required=False, max_digits=8, decimal_places=3, min_value=0)
    reason = forms.CharField(required=False, max_length=500)

    def service_data(self) -> dict[str, Any]:
        """The body `administration_record` takes (docs/api.md#medication-administration)."""
        data = self.cleaned_data
        found: dict[str, Any] = {
            "medication": data["medication"],
            "status": data["status"],
            "reason": data.get("reason") or "",
        }
        if data.get("due_dose"):
            found["due_dose"] = data["due_dose"]
        if data.get("dose") is not None:
            found["dose"] = data["dose"]
        return found


class AdministrationVoidForm(forms.Form):
    entry = forms.UUIDField(widget=forms.HiddenInput)
    # Required by the service, which says why ("Say why this entry was made in error.").
    reason = forms.CharField(required=False, max_length=500)
