"""The intake interview form, one fieldset per section, and the substance-use rows.

Forms check shape and format only; the rules that need the patient, the clock or other rows
(dates after birth, opioid last used, duplicates) are in `intake.services.interview`."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Fieldset, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.html import escape

from intake.local_time import format_local
from intake.models import Episode, Interview, Patient, SubstanceUse
from intake.models.interview import (
    BehavioralSign,
    MedicalCondition,
    MentalHealthCondition,
    ObservedSign,
    PriorTreatment,
    RiskFactor,
    Route,
)
from intake.services.interview import CONTENT_FIELDS, SUBSTANCE_FIELDS

DATE = {"type": "date"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

# (anchor id, legend) of each section, in order: the form, the read-only page and the
# section links share them.
SECTIONS = (
    ("presenting", "Presenting problem"),
    ("substance-use", "Substance use"),
    ("history", "How opioid use began & history"),
    ("risk-factors", "Risk factors"),
    ("observed-signs", "Observed signs"),
    ("behavioral-signs", "Behavioral signs"),
    ("coexisting", "Coexisting conditions"),
    ("social", "Social situation"),
    ("impressions", "Impressions"),
)


class YesNoUnknownSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Not recorded"), ("true", "Yes"), ("false", "No")]


def _checkboxes(choices, label: str, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=label,
        help_text=help_text,
    )


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def _section(anchor: str, *fields) -> Fieldset:
    legend = escape(dict(SECTIONS)[anchor])  # crispy renders the legend as HTML
    return Fieldset(legend, *fields, css_id=f"section-{anchor}", css_class="interview-section")


GRID = "checkbox-grid"


def _history_section() -> Fieldset:
    return _section(
        "history",
        Row(Column("how_use_began", css_class="col-md-6")),
        "onset_notes",
        Row(
            Column("overdose_count"),
            Column("last_overdose_on"),
            Column("naloxone_at_home"),
        ),
        Row(
            Column("unsuccessful_quit_attempts"),
            Column("use_despite_consequences"),
            Column(),
        ),
        "quit_attempts_outcome",
        Field("prior_treatment", wrapper_class=GRID),
        "prior_treatment_outcome",
    )


def _coexisting_section() -> Fieldset:
    return _section(
        "coexisting",
        Field("mental_health_conditions", wrapper_class=GRID),
        Field("medical_conditions", wrapper_class=GRID),
        Row(Column("pregnancy_status", css_class="col-md-4")),
        "psychiatric_history",
        Row(Column("current_medications"), Column("allergies")),
    )


def _interview_layout() -> Layout:
    """One fieldset per section of SECTIONS, in order, then the hidden revision."""
    return Layout(
        _section(
            "presenting",
            Row(Column("interviewed_on", css_class="col-md-4"), Column("episode")),
            "presenting_problem",
            "patient_goals",
        ),
        _section(
            "substance-use",
            Row(
                Column("primary_substance"),
                Column("last_opioid_used"),
                Column("last_opioid_use_at"),
            ),
            HTML('{% include "intake/interview_substances_formset.html" %}'),
        ),
        _history_section(),
        _section("risk-factors", Field("risk_factors", wrapper_class=GRID)),
        _section("observed-signs", Field("observed_signs", wrapper_class=GRID)),
        _section("behavioral-signs", Field("behavioral_signs", wrapper_class=GRID)),
        _coexisting_section(),
        _section(
            "social",
            Row(Column("housing"), Column("employment"), Column("legal_involvement")),
            Row(Column("readiness_to_change", css_class="col-md-4")),
            "family_supports",
        ),
        _section("impressions", "impressions"),
        Div("revision"),
    )


def _episode_label(episode: Episode) -> str:
    return (
        f"{episode.get_program_display()}, admitted {episode.admitted_on:%Y-%m-%d}"
        f"{'' if episode.status == 'active' else ' (discharged)'}"
    )


class InterviewForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    prior_treatment = _checkboxes(PriorTreatment.choices, "Previous treatment")
    risk_factors = _checkboxes(RiskFactor.choices, "Present risk factors (check all that apply)")
    observed_signs = _checkboxes(
        ObservedSign.choices, "Signs you observed today (check all that apply)"
    )
    behavioral_signs = _checkboxes(
        BehavioralSign.choices, "Signs reported by the patient or family (check all that apply)"
    )
    mental_health_conditions = _checkboxes(MentalHealthCondition.choices, "Mental health")
    medical_conditions = _checkboxes(MedicalCondition.choices, "Medical")

    class Meta:
        model = Interview
        fields = ["episode", *CONTENT_FIELDS]
        labels = {
            "interviewed_on": "Interview date",
            "episode": "Episode of care",
            "presenting_problem": "Presenting problem, in the patient's words",
            "patient_goals": "Patient's goals",
            "primary_substance": "Primary substance",
            "last_opioid_used": "Opioid last used",
            "last_opioid_use_at": "Last opioid use (date and time)",
            "how_use_began": "How opioid use began",
            "onset_notes": "Notes on how use began",
            "overdose_count": "Overdoses (lifetime count)",
            "last_overdose_on": "Last overdose",
            "naloxone_at_home": "Naloxone at home",
            "unsuccessful_quit_attempts": "Unsuccessful attempts to stop",
            "quit_attempts_outcome": "What happened when they tried to stop",
            "use_despite_consequences": "Continued use despite harm",
            "prior_treatment_outcome": "Previous treatment: where, when, outcome",
            "pregnancy_status": "Pregnancy status",
            "psychiatric_history": "Psychiatric history",
            "current_medications": "Current medications",
            "allergies": "Allergies",
            "housing": "Housing",
            "employment": "Employment",
            "legal_involvement": "Legal involvement",
            "family_supports": "Family and supports",
            "readiness_to_change": "Readiness to change",
            "impressions": "Clinician impressions",
        }
        help_texts = {
            "last_opioid_used": "With the time of last use, this sets induction timing.",
            "last_opioid_use_at": "Approximate is fine.",
        }
        widgets = {
            "interviewed_on": forms.DateInput(attrs=DATE),
            "last_overdose_on": forms.DateInput(attrs=DATE),
            "last_opioid_use_at": _datetime_widget(),
            "naloxone_at_home": YesNoUnknownSelect,
            "use_despite_consequences": YesNoUnknownSelect,
            "overdose_count": forms.NumberInput(attrs={"min": 0, "max": 999}),
            "unsuccessful_quit_attempts": forms.NumberInput(attrs={"min": 0, "max": 999}),
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in (
                    "patient_goals",
                    "onset_notes",
                    "quit_attempts_outcome",
                    "prior_treatment_outcome",
                    "psychiatric_history",
                    "current_medications",
                    "allergies",
                    "family_supports",
                )
            },
            "presenting_problem": forms.Textarea(attrs={"rows": 3}),
            "impressions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        episode = self.fields["episode"]
        episode.queryset = Episode.objects.filter(patient=patient).order_by("-admitted_on")
        episode.empty_label = "Not linked to an episode"
        episode.label_from_instance = _episode_label
        for name in ("overdose_count", "unsuccessful_quit_attempts"):
            self.fields[name].validators.append(MaxValueValidator(999))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = _interview_layout()

    def service_data(self) -> dict:
        """What the services take: every section field, without the lock."""
        return {k: v for k, v in self.cleaned_data.items() if k != "revision"}


class SubstanceUseForm(forms.ModelForm):
    routes = forms.MultipleChoiceField(
        choices=Route.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Routes",
    )

    class Meta:
        model = SubstanceUse
        fields = list(SUBSTANCE_FIELDS)
        labels = {
            "substance_name": "Name (e.g. oxycodone)",
            "age_first_use": "Age at first use",
            "last_use_at": "Last use",
            "typical_amount": "Typical amount",
            "tolerance": "Tolerance",
        }
        help_texts = {"substance_name": "", "tolerance": "Needs more for the same effect."}
        widgets = {
            "last_use_at": _datetime_widget(),
            "age_first_use": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "tolerance": YesNoUnknownSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["age_first_use"].validators.append(MaxValueValidator(100))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("substance", css_class="col-md-3"),
                Column("substance_name", css_class="col-md-3"),
                Column("frequency", css_class="col-md-3"),
                Column("typical_amount", css_class="col-md-3"),
            ),
            Row(
                Column("age_first_use", css_class="col-md-2"),
                Column("last_use_at", css_class="col-md-3"),
                Column("tolerance", css_class="col-md-3"),
                Column(Field("routes", wrapper_class="checkbox-inline"), css_class="col-md-4"),
            ),
        )


class BaseSubstanceUseFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this row"
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def rows(self) -> list[dict]:
        """The filled-in rows not marked for removal, as the services take them."""
        return [
            {name: form.cleaned_data.get(name) for name in SUBSTANCE_FIELDS}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


SubstanceUseFormSet = forms.formset_factory(
    SubstanceUseForm,
    formset=BaseSubstanceUseFormSet,
    extra=1,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


def substance_initial(interview: Interview) -> list[dict]:
    return [
        {name: getattr(row, name) for name in SUBSTANCE_FIELDS}
        for row in interview.substances.all()
    ]


class InterviewSignForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    attest = forms.BooleanField(
        label="I conducted this interview and this record is accurate and complete.",
        error_messages={"required": "Confirm the statement to sign."},
    )


class InterviewAddendumForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Reason for the addendum",
        help_text="E.g. correction, late entry, information received after signing.",
        error_messages={"required": "Give the reason for the addendum."},
    )
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the addendum."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


# Read-only rendering ----------------------------------------------------------------------

# Fields shown in each section of the read-only page, in form order.
SECTION_FIELDS = {
    "presenting": ("interviewed_on", "episode", "presenting_problem", "patient_goals"),
    "substance-use": ("primary_substance", "last_opioid_used", "last_opioid_use_at"),
    "history": (
        "how_use_began",
        "onset_notes",
        "overdose_count",
        "last_overdose_on",
        "naloxone_at_home",
        "unsuccessful_quit_attempts",
        "use_despite_consequences",
        "quit_attempts_outcome",
        "prior_treatment",
        "prior_treatment_outcome",
    ),
    "risk-factors": ("risk_factors",),
    "observed-signs": ("observed_signs",),
    "behavioral-signs": ("behavioral_signs",),
    "coexisting": (
        "mental_health_conditions",
        "medical_conditions",
        "pregnancy_status",
        "psychiatric_history",
        "current_medications",
        "allergies",
    ),
    "social": (
        "housing",
        "employment",
        "legal_involvement",
        "readiness_to_change",
        "family_supports",
    ),
    "impressions": ("impressions",),
}
_LONG_TEXT = {
    "presenting_problem",
    "patient_goals",
    "onset_notes",
    "quit_attempts_outcome",
    "prior_treatment_outcome",
    "psychiatric_history",
    "current_medications",
    "allergies",
    "family_supports",
    "impressions",
}
_SHORT_LABELS = {
    "risk_factors": "Risk factors",
    "observed_signs": "Observed signs",
    "behavioral_signs": "Behavioral signs",
}


def _display(interview: Interview, name: str):
    """(kind, value) for the read-only page: kind is "list", "text", "long" or "empty"."""
    if name == "episode":
        episode = interview.episode
        if episode is None:
            return "empty", None
        return "text", f"{episode.get_program_display()}, admitted {episode.admitted_on:%Y-%m-%d}"
    field = Interview._meta.get_field(name)
    value = getattr(interview, name)
    if value in (None, "", []):
        return "empty", None
    if isinstance(value, list):
        labels = dict(field.base_field.choices)
        return "list", [labels.get(v, v) for v in value]
    if field.choices:
        return "text", getattr(interview, f"get_{name}_display")()
    if isinstance(value, bool):
        return "text", "Yes" if value else "No"
    if hasattr(value, "hour"):
        return "text", format_local(value)
    if hasattr(value, "isoformat"):
        return "text", f"{value:%Y-%m-%d}"
    return ("long" if name in _LONG_TEXT else "text"), value


def interview_display_sections(interview: Interview) -> list[dict]:
    """Every section with every field (empty ones marked), labelled as in the form."""
    labels = InterviewForm._meta.labels
    declared = InterviewForm.declared_fields
    sections = []
    for anchor, legend in SECTIONS:
        rows = []
        for name in SECTION_FIELDS[anchor]:
            label = _SHORT_LABELS.get(name) or labels.get(name) or declared[name].label
            kind, value = _display(interview, name)
            rows.append({"name": name, "label": label, "kind": kind, "value": value})
        sections.append({"anchor": anchor, "legend": legend, "rows": rows})
    return sections


def substance_display_rows(interview: Interview) -> list[dict]:
    """The substance rows for the read-only page, with route labels."""
    labels = dict(Route.choices)
    return [
        {"use": use, "routes": [labels.get(r, r) for r in use.routes]}
        for use in interview.substances.all()
    ]
