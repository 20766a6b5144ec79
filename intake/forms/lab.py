"""Lab forms: shape and format only. What a value means, and whether it is possible, is decided
by `intake.services.lab` (and `intake.labs.interpret`); its errors come back per field."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from intake.models import LabPanel, LabResult, LabTest, LabTestKind, Priority, SpecimenType
from intake.selectors.lab import plain_decimal, reference_text

RESULT_CHOICES = [
    ("negative", "Negative"),
    ("positive", "Positive"),
    ("inconclusive", "Inconclusive"),
    ("not-tested", "Not tested"),
]
NOT_DONE = [("", "— not reported —")]
# A drug screen has no default: an analyte nobody read must not be saved as a negative, so
# whoever enters the cup says what each line showed, or that it was not tested.
CHOOSE = [("", "— choose —")]
SCREEN_REQUIRED = "Say what this line showed, or choose Not tested."
# Number inputs accept what the result columns store (16 digits, 4 decimal places).
VALUE_FIELD = {"max_digits": 16, "decimal_places": 4}


def result_field_name(code: str) -> str:
    return f"result-{code}"


class _ResultFieldsMixin:
    """One field per analyte of the panel, in catalog order, named `result-<code>`."""

    tests: list[LabTest]

    def _add_result_fields(
        self, tests, *, initial_results=None, required_validity=False, required_screens=False
    ):
        self.tests = list(tests)
        self.result_rows = []
        for test in self.tests:
            name = result_field_name(test.code)
            label = test.name
            is_poc_screen = test.kind == LabTestKind.SCREEN
            takes_number = not test.qualitative_only and test.kind != LabTestKind.SCREEN
            if takes_number:
                field = forms.DecimalField(
                    label=label,
                    required=required_validity and test.kind == LabTestKind.VALIDITY,
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                    **VALUE_FIELD,
                )
            elif is_poc_screen and required_screens:
                field = forms.ChoiceField(
                    label=label,
                    choices=CHOOSE + RESULT_CHOICES,
                    required=True,
                    error_messages={"required": SCREEN_REQUIRED},
                )
            else:
                field = forms.ChoiceField(
                    label=label, choices=NOT_DONE + RESULT_CHOICES, required=False
                )
            field.widget.attrs.update(
                {"class": "form-control form-control-sm", "data-test": test.code}
            )
            if isinstance(field, forms.ChoiceField):
                field.widget.attrs["class"] = "form-select form-select-sm"
            if initial_results and test.code in initial_results:
                field.initial = initial_results[test.code]
            self.fields[name] = field
        # Rows for the template: (test, bound field, reference text).
        for test in self.tests:
            self.result_rows.append(
                (test, self[result_field_name(test.code)], reference_text(test))
            )

    def result_entries(self) -> list[dict]:
        """The cleaned analyte fields as service entries; blank ones are left out."""
        entries = []
        for test in self.tests:
            value = self.cleaned_data.get(result_field_name(test.code))
            if value in (None, ""):
                continue
            if isinstance(value, str):
                entries.append({"test": test.code, "qualitative": value})
            else:
                entries.append({"test": test.code, "value": value})
        return entries

    def add_service_errors(
        self, errors: dict[str, list[str]], *, skip_fields_in_error: bool = False
    ) -> None:
        """Put the service's errors (keyed by test code or field) on the fields.
        `skip_fields_in_error`: leave alone a field the form itself already refused (the
        service saw no value for it and would only repeat "required")."""
        for key, messages in errors.items():
            name = result_field_name(key)
            if name in self.fields:
                target = name
            elif key in self.fields:
                target = key
            else:
                target = None
            if skip_fields_in_error and (target in self.errors or target is None):
                continue
            for message in messages:
                self.add_error(target, message if target else f"{key}: {message}")


class LabOrderForm(forms.Form):
    panel = forms.ModelChoiceField(
        queryset=LabPanel.objects.order_by("code"), empty_label=None, to_field_name="code"
    )
    priority = forms.ChoiceField(
        choices=Priority.choices, initial=Priority.ROUTINE, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].label_from_instance = lambda p: f"{p.name} ({p.code})"
        self.helper = FormHelper()
        self.helper.form_tag = False


class LabResultEntryForm(_ResultFieldsMixin, forms.Form):
    collected_at = forms.DateTimeField(
        label="Collected at",
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control", "autofocus": True},
            format="%Y-%m-%dT%H:%M",
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    specimen_type = forms.ChoiceField(
        label="Specimen", choices=SpecimenType.choices, widget=forms.Select()
    )
    observed = forms.BooleanField(label="Collection was observed", required=False)

    def __init__(self, *args, tests, specimen_type: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collected_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["specimen_type"].initial = specimen_type or SpecimenType.URINE
        self.fields["specimen_type"].widget.attrs["class"] = "form-select"
        self.fields["observed"].widget.attrs["class"] = "form-check-input"
        is_urine_panel = any(t.kind == LabTestKind.VALIDITY for t in tests)
        self._add_result_fields(
            tests, required_validity=is_urine_panel, required_screens=is_urine_panel
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.result_entries():
            raise forms.ValidationError("Enter at least one result.")
        return cleaned


class LabAmendForm(_ResultFieldsMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for the amendment",
        max_length=LabResult._meta.get_field("amendment_reason").max_length,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="E.g. transcription error, the lab's corrected report.",
    )

    def __init__(self, *args, tests, current: list[LabResult], **kwargs):
        super().__init__(*args, **kwargs)
        self.current = {row.test_id: row for row in current}
        initial = {}
        for code, row in self.current.items():
            test = row.test
            if test.kind == LabTestKind.SCREEN or test.qualitative_only:
                initial[code] = row.qualitative or row.interpretation
            else:
                initial[code] = plain_decimal(row.value)
        self._add_result_fields(tests, initial_results=initial)
        for test in self.tests:
            field = self.fields[result_field_name(test.code)]
            if isinstance(field, forms.ChoiceField) and test.code not in self.current:
                field.choices = NOT_DONE + RESULT_CHOICES
                field.initial = ""
        self.helper = FormHelper()
        self.helper.form_tag = False

    def corrections(self) -> list[dict]:
        """Only the analytes whose entry differs from the current result."""
        changed = []
        for entry in self.result_entries():
            row = self.current.get(entry["test"])
            if row is None:
                changed.append(entry)
            elif "value" in entry and entry["value"] != row.value:
                changed.append(entry)
            elif "qualitative" in entry and entry["qualitative"] != (
                row.qualitative or row.interpretation
            ):
                # A screen read from a number is corrected by its reading: drop the number.
                changed.append(entry)
        return changed

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.corrections():
            raise forms.ValidationError("Change at least one result to amend this order.")
        return cleaned


class LabAlertAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Acknowledgement note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What was done: patient contacted, repeat ordered, plan changed…",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
