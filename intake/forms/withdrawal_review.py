"""The physician's daily withdrawal review form: shape only. Which decision takes an outcome,
and whether the patient is in withdrawal management, is the service's
(intake/withdrawal_rules.py, docs/clinical-rules.md#withdrawal-review); its errors come back on
the fields they name."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms

from intake.models import ReviewDecision, WithdrawalOutcome
from intake.withdrawal_rules import MAX_NOTE


class WithdrawalReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose the outcome…"), *WithdrawalOutcome.choices],
        required=False,
        help_text="How withdrawal management ended (with “complete” only).",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label="Review note",
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text="Symptoms, scores and doses since the last review; what happens next.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("decision"),
            Div(Field("outcome"), css_id="review-outcome", data_show_for="complete"),
            Field("note"),
        )
