"""The "Run a group" form and its roll, and the sign-all form: shape only. Who may be on the
roll, the dates and the rest are the service's (docs/clinical-rules.md#group-sessions); its
errors come back on the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms

from intake.models import Modality
from intake.services.group_session import MAX_ATTENDEES, MAX_DURATION, MAX_TITLE

SUMMARY_WARNING = "Do not name other members in the shared summary."


class GroupSessionForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=MAX_TITLE, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    modality = forms.ChoiceField(
        label="Modality",
        choices=[("", "Choose the modality…"), *Modality.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    held_on = forms.DateField(
        label="Date held", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        min_value=1,
        max_value=MAX_DURATION,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    summary = forms.CharField(
        label="Shared summary",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        help_text=(
            f"{SUMMARY_WARNING} It goes into the chart of every member present, word for word."
        ),
    )
    q = forms.CharField(
        label="Find a patient of your care teams",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "Name, MRN or date of birth"}
        ),
    )


class RollRowForm(forms.Form):
    patient = forms.UUIDField(widget=forms.HiddenInput)
    attended = forms.BooleanField(
        label="Present",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
    )
    note = forms.CharField(
        label="Their own note",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class _RollFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


RollFormSet = forms.formset_factory(
    RollRowForm,
    formset=_RollFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_ATTENDEES,
    absolute_max=MAX_ATTENDEES,
)


def roll_rows(formset: Any) -> list[dict[str, Any]]:
    """The rows of a posted roll that are well formed and not removed, as initial data."""
    rows = []
    for form in formset.forms:
        # An empty extra form (a TOTAL_FORMS larger than the rows sent) is valid and blank.
        if (
            form.is_valid()
            and form.cleaned_data.get("patient")
            and not form.cleaned_data.get("DELETE")
        ):
            data = form.cleaned_data
            rows.append(
                {
                    "patient": str(data["patient"]),
                    "attended": data["attended"],
                    "note": data["note"],
                }
            )
    return rows


class GroupSignForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control"}
        ),
        label="Your password (electronic signature)",
    )
    otp = forms.CharField(
        required=False,
        max_length=12,
        label="Authenticator code",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-control"}
        ),
    )
