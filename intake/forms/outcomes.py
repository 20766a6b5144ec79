"""The outcome report's filters (docs/api.md#outcomes), one parser for the page, its CSV export
and the API: `OutcomesFilterForm.outcome_filters()` gives the selector's filters, or None when a
value was refused (the page then shows the errors, the API answers 400 naming the field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from intake.dates import EARLIEST
from intake.models import Program
from intake.selectors.outcomes import OutcomeFilters, outcomes_clinicians

FILTER_FIELDS = ("program", "admitted_from", "admitted_to", "clinician")


class PlainSelect(forms.Select):
    """A select whose options are written in Python, not by one template each: the clinician
    filter lists every clinician of the network (5,000 at 100,000 patients: ~0.5 s of
    template rendering per page otherwise)."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        chosen = "" if value is None else str(value)
        selected = mark_safe(" selected")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), selected if str(v) == chosen else "", label) for v, label in self.choices),
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "id": f"id_{name}"})
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


class OutcomesFilterForm(forms.Form):
    program = forms.ChoiceField(
        choices=[("", "All programs"), *Program.choices], required=False, label="Program"
    )
    admitted_from = forms.DateField(
        required=False,
        label="Admitted from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="YYYY-MM-DD, inclusive",
    )
    admitted_to = forms.DateField(
        required=False,
        label="Admitted to",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="YYYY-MM-DD, inclusive",
    )
    clinician = forms.TypedChoiceField(
        coerce=int,
        widget=PlainSelect,
        required=False,
        empty_value=None,
        label="Clinician on the care team",
        error_messages={"invalid_choice": "Choose a counselor, nurse or physician of the clinic."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinician"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Any clinician"), *outcomes_clinicians()]

    def _clean_day(self, name: str) -> Any:
        day = self.cleaned_data.get(name)
        if day is not None and day < EARLIEST:
            raise forms.ValidationError(f"Give a date from {EARLIEST.isoformat()} on.")
        return day

    def clean_admitted_from(self) -> Any:
        return self._clean_day("admitted_from")

    def clean_admitted_to(self) -> Any:
        return self._clean_day("admitted_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("admitted_from"), data.get("admitted_to")
        if start and end and start > end:
            self.add_error("admitted_to", "The period ends before it starts.")
        return data

    def outcome_filters(self) -> OutcomeFilters | None:
        """The selector's filters (none when unbound), or None when a value was refused."""
        if not self.is_bound:
            return OutcomeFilters()
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return OutcomeFilters(
            program=data["program"] or None,
            admitted_from=data["admitted_from"],
            admitted_to=data["admitted_to"],
            clinician=data["clinician"],
        )

    def used_filters(self) -> dict[str, str]:
        """The accepted filters given, as text (the audit event's detail, the export's link);
        empty when a value was refused."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            k: v.isoformat() if hasattr(v, "isoformat") else str(v)
            for k in FILTER_FIELDS
            if (v := data.get(k)) not in (None, "")
        }
