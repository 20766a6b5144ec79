"""Self-report forms (docs/clinical-rules.md#self-report): shape only.

The patient's questionnaire is built from the instrument definitions (intake/scoring), the
same items, wording and answer options as the clinician's form; the service validates the
answers again with the instruments' own validation. Fields are named `item_<code>.<key>`, the
keys under which the service names a refused answer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from intake.models import SELF_REPORT_INSTRUMENTS, InstrumentCode
from intake.scoring import Instrument
from intake.services.self_report import MAX_REASON


class SelfReportIssueForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        label="Questionnaires for the patient to answer",
        choices=[(c, InstrumentCode(c).label) for c in SELF_REPORT_INSTRUMENTS],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose at least one questionnaire."},
    )


class SelfReportRejectForm(forms.Form):
    reason = forms.CharField(
        label="Why these answers are not taken into the record",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class TabletCodeForm(forms.Form):
    code = forms.CharField(
        label="Your code",
        max_length=20,
        help_text="The 8 letters and numbers you were given, for example ABCD-2345.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "form-control form-control-lg",
            }
        ),
    )


@dataclass
class Questionnaire:
    instrument: Instrument
    fields: list[forms.BoundField]
    prompt: str = ""


class SelfReportAnswerForm(forms.Form):
    def __init__(
        self,
        *args: Any,
        instruments: Sequence[Instrument],
        prompts: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = list(instruments)
        self.prompts = dict(prompts or {})
        for instrument in self.instruments:
            for item in instrument.items:
                self.fields[f"item_{instrument.code}.{item.key}"] = forms.ChoiceField(
                    label=item.text,
                    choices=[(o.value, o.label) for o in item.options],
                    widget=forms.RadioSelect,
                    error_messages={"required": "Please answer this question."},
                )

    def questionnaires(self) -> Iterator[Questionnaire]:
        for instrument in self.instruments:
            yield Questionnaire(
                instrument,
                [self[f"item_{instrument.code}.{item.key}"] for item in instrument.items],
                self.prompts.get(instrument.code, ""),
            )

    def answers(self) -> dict[str, dict[str, str]]:
        return {
            instrument.code: {
                item.key: self.cleaned_data[f"item_{instrument.code}.{item.key}"]
                for item in instrument.items
            }
            for instrument in self.instruments
        }
