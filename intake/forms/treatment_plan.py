"""Page forms of a treatment plan: the plan, then formsets for medications, behavioral
components and problems. They produce the same data dict the API passes to the services."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.forms import formset_factory

from intake import limits
from intake.formulary import MEDICATION_FIELDS
from intake.models import (
    AsamLevel,
    BehavioralSetting,
    DrugCode,
    Frequency,
    Modality,
    PlanSetting,
    ProblemCode,
    Program,
    Progress,
    Target,
)

PROBLEM_CODES = ProblemCode.choices


class PlanForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    setting = forms.ChoiceField(choices=PlanSetting.choices)
    asam_level = forms.ChoiceField(
        choices=[("", "—"), *AsamLevel.choices], required=False, label="ASAM level of care"
    )
    medically_supervised_detox = forms.BooleanField(
        required=False, label="Medically supervised detox"
    )
    hospitalize_for_detox = forms.BooleanField(required=False, label="Hospitalize for detox")
    monitoring_instrument = forms.ChoiceField(
        choices=[("", "None"), *limits.MONITORING_SCALES.items()],
        required=False,
        label="Withdrawal monitoring",
    )
    monitoring_every_hours = forms.IntegerField(
        min_value=1, max_value=48, required=False, label="every (hours)"
    )
    monitoring_induction_threshold = forms.IntegerField(
        min_value=limits.INDUCTION_THRESHOLD_RANGE[0],
        max_value=limits.INDUCTION_THRESHOLD_RANGE[1],
        required=False,
        label="Buprenorphine induction at COWS of",
        help_text=(
            f"The first dose waits for this total ({limits.INDUCTION_THRESHOLD_DEFAULT} if empty)."
        ),
    )
    review_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def plan_data(self) -> dict:
        d = self.cleaned_data
        monitoring = {}
        if d.get("monitoring_instrument"):
            monitoring = {
                "instrument": d["monitoring_instrument"],
                "every_hours": d.get("monitoring_every_hours") or 4,
            }
            if d.get("monitoring_induction_threshold") is not None:
                monitoring["induction_threshold"] = d["monitoring_induction_threshold"]
        return {
            "setting": d["setting"],
            "asam_level": d.get("asam_level") or "",
            "medically_supervised_detox": d["medically_supervised_detox"],
            "hospitalize_for_detox": d["hospitalize_for_detox"],
            "withdrawal_monitoring": monitoring,
            "review_date": d["review_date"],
        }


class MedicationForm(forms.Form):
    drug = forms.ChoiceField(choices=[("", "—"), *DrugCode.choices], required=False)
    dose = forms.DecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        required=False,
        label="Dose (mg)",
    )
    frequency = forms.ChoiceField(choices=Frequency.choices, required=False)
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    indication = forms.CharField(max_length=200, required=False)
    taper = forms.CharField(
        required=False,
        max_length=500,
        label="Taper (day:dose, ...)",
        widget=forms.TextInput(attrs={"placeholder": "1:8, 2:6, 3:4"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("drug"):
            return data
        for field in ("dose", "frequency", "start_date"):
            if not data.get(field):
                self.add_error(field, "Required for a medication line.")
        return data

    def clean_taper(self):
        text = self.cleaned_data["taper"].strip()
        steps = []
        if not text:
            return steps
        for part in text.split(","):
            try:
                day, dose = part.split(":")
                steps.append({"day": int(day), "dose": str(Decimal(dose.strip()))})
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    "Write the taper as day:dose pairs, e.g. 1:8, 2:6, 3:4."
                ) from None
        return steps

    def line(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("drug"):
            return None
        # The page leaves unit and route to the drug's own (the services fill them in).
        return {k: d.get(k) for k in MEDICATION_FIELDS if k in self.fields}


class BehavioralForm(forms.Form):
    modality = forms.ChoiceField(choices=[("", "—"), *Modality.choices], required=False)
    setting = forms.ChoiceField(choices=BehavioralSetting.choices, required=False)
    frequency = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"placeholder": "weekly"})
    )
    targets = forms.MultipleChoiceField(
        choices=Target.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    goal = forms.CharField(max_length=500, required=False)
    goal_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), required=False, label="Goal target date"
    )

    def __init__(self, *args, default_setting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if default_setting:
            # An empty row (and a row the page adds) is in the plan's own setting.
            self.fields["setting"].initial = default_setting

    def clean(self):
        data = super().clean()
        if data.get("modality"):
            if not data.get("targets"):
                self.add_error("targets", "Choose at least one target.")
            if not data.get("frequency"):
                self.add_error("frequency", "Say how often.")
        return data

    def component(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("modality"):
            return None
        goals = []
        if d.get("goal"):
            goals.append(
                {
                    "text": d["goal"],
                    "target_date": d["goal_date"].isoformat() if d.get("goal_date") else None,
                }
            )
        return {
            "modality": d["modality"],
            "setting": d.get("setting") or "outpatient",
            "frequency": d["frequency"],
            "targets": d["targets"],
            "goals": goals,
        }


class ProblemForm(forms.Form):
    code = forms.ChoiceField(choices=[("", "—"), *PROBLEM_CODES], required=False, label="Problem")
    description = forms.CharField(max_length=500, required=False)
    goal = forms.CharField(max_length=500, required=False)
    objective = forms.CharField(max_length=500, required=False, label="Measurable objective")
    target_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    intervention = forms.CharField(max_length=500, required=False)
    responsible = forms.CharField(max_length=150, required=False)

    def problem(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("code"):
            return None
        goal = {
            "text": d.get("goal") or d.get("description") or "",
            "objectives": [],
            "interventions": [],
        }
        if d.get("objective"):
            goal["objectives"].append(
                {
                    "text": d["objective"],
                    "target_date": d["target_date"].isoformat() if d.get("target_date") else None,
                }
            )
        if d.get("intervention"):
            goal["interventions"].append(
                {"text": d["intervention"], "responsible": d.get("responsible", "")}
            )
        return {"code": d["code"], "description": d.get("description", ""), "goals": [goal]}


class PlanRowFormSet(forms.BaseFormSet):
    """A plan's rows; one ticked "Remove this row" (the page's Remove button ticks it) is left
    out of the plan, whatever it holds, and is not validated."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this row"
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def kept(self):
        return [f for f in self.forms if not (f.is_bound and self._should_delete_form(f))]


def _rows(form, extra):
    return formset_factory(
        form, formset=PlanRowFormSet, extra=extra, max_num=20, validate_max=True, can_delete=True
    )


# A new plan starts in the setting of the program the patient is admitted to (the opioid
# treatment program is outpatient care); its behavioral components where the plan is delivered
# (residential care is delivered where the patient stays, as inpatient).
PROGRAM_PLAN_SETTING = {
    Program.OUTPATIENT: PlanSetting.OUTPATIENT,
    Program.INTENSIVE_OUTPATIENT: PlanSetting.INTENSIVE_OUTPATIENT,
    Program.RESIDENTIAL: PlanSetting.RESIDENTIAL,
    Program.INPATIENT: PlanSetting.INPATIENT,
    Program.OTP: PlanSetting.OUTPATIENT,
}
PLAN_BEHAVIORAL_SETTING = {
    PlanSetting.OUTPATIENT: BehavioralSetting.OUTPATIENT,
    PlanSetting.INTENSIVE_OUTPATIENT: BehavioralSetting.OUTPATIENT,
    PlanSetting.RESIDENTIAL: BehavioralSetting.INPATIENT,
    PlanSetting.INPATIENT: BehavioralSetting.INPATIENT,
}


def plan_setting_for(episode) -> str:
    if episode is None:
        return PlanSetting.OUTPATIENT
    return PROGRAM_PLAN_SETTING.get(episode.program, PlanSetting.OUTPATIENT)


def behavioral_setting_for(plan_setting) -> str:
    return PLAN_BEHAVIORAL_SETTING.get(plan_setting, BehavioralSetting.OUTPATIENT)


MedicationFormSet = _rows(MedicationForm, 2)
BehavioralFormSet = _rows(BehavioralForm, 1)
ProblemFormSet = _rows(ProblemForm, 1)


def initial_from_plan(plan) -> tuple[dict, list, list, list]:
    """Form initial values from a saved plan (for editing)."""
    mon = plan.withdrawal_monitoring or {}
    plan_initial = {
        "revision": plan.revision,
        "setting": plan.setting,
        "asam_level": plan.asam_level,
        "medically_supervised_detox": plan.medically_supervised_detox,
        "hospitalize_for_detox": plan.hospitalize_for_detox,
        "review_date": plan.review_date,
        "monitoring_instrument": mon.get("instrument", ""),
        "monitoring_every_hours": mon.get("every_hours"),
        "monitoring_induction_threshold": mon.get("induction_threshold"),
    }
    meds = [
        {
            "drug": m.drug,
            "dose": m.dose,
            "frequency": m.frequency,
            "start_date": m.start_date,
            "end_date": m.end_date,
            "indication": m.indication,
            "taper": ", ".join(f"{t['day']}:{t['dose']}" for t in m.taper or []),
        }
        for m in plan.medications.all()
    ]
    comps = [
        {
            "modality": b.modality,
            "setting": b.setting,
            "frequency": b.frequency,
            "targets": b.targets,
            "goal": (b.goals[0]["text"] if b.goals else ""),
            "goal_date": (b.goals[0].get("target_date") if b.goals else None),
        }
        for b in plan.behavioral.all()
    ]
    problems = []
    for p in plan.problems or []:
        goal = (p.get("goals") or [{}])[0]
        objective = (goal.get("objectives") or [{}])[0]
        intervention = (goal.get("interventions") or [{}])[0]
        problems.append(
            {
                "code": p.get("code"),
                "description": p.get("description", ""),
                "goal": goal.get("text", ""),
                "objective": objective.get("text", ""),
                "target_date": objective.get("target_date"),
                "intervention": intervention.get("text", ""),
                "responsible": intervention.get("responsible", ""),
            }
        )
    return plan_initial, meds, comps, problems


class ApproveForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password (electronic signature)",
    )
    otp = forms.CharField(
        required=False,
        max_length=12,
        label="Authenticator code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What should change")


class AmendForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason for the amendment")


class ProgressNoteForm(forms.Form):
    progress = forms.ChoiceField(choices=Progress.choices)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, label="Progress note"
    )
