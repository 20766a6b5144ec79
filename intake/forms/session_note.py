"""The session note form (DAP, progress on the active plan's targets, private SUD counseling
notes), and the signing and addendum forms: shape only. Whether a target is on the plan, who
may edit and sign, are the service's (intake/services/session_note.py); its errors come back on
the fields they name."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from intake.models import Progress, SessionKind, SessionNote, Target, TreatmentPlan
from intake.services.session_note import DURATION, MAX_TEXT

KIND_CHOICES = [(k, label) for k, label in SessionKind.choices if k != SessionKind.GROUP]
_TEXTAREA = {"rows": 5, "class": "form-control"}


def plan_targets(plan: TreatmentPlan | None) -> list[tuple[str, str]]:
    """The active plan's behavioral targets, once each in the plan's order, in clinical words."""
    seen: list[str] = []
    for component in plan.behavioral.all() if plan else []:
        seen.extend(t for t in component.targets if t not in seen)
    return [(t, Target(t).label) for t in seen if t in Target.values]


class SessionNoteForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of session", choices=KIND_CHOICES)
    session_date = forms.DateField(
        label="Date of the session", widget=forms.DateInput(attrs={"type": "date"})
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=DURATION[0], max_value=DURATION[1]
    )
    data = forms.CharField(
        label="Data",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text="What was observed and said.",
    )
    assessment = forms.CharField(
        label="Assessment",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text="Your reading of it: progress, risks, readiness.",
    )
    plan_text = forms.CharField(
        label="Plan",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=_TEXTAREA),
        help_text="What happens next, until the next session.",
    )
    counseling_notes = forms.CharField(
        label="SUD counseling notes (private)",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        if self.initial.get("kind") == SessionKind.GROUP:
            # An attendee's draft note of a group session: it stays a group note.
            self.fields["kind"].choices = [(SessionKind.GROUP.value, SessionKind.GROUP.label)]
        for code, label in targets:
            self.fields[f"worked_{code}"] = forms.BooleanField(
                label=label,
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"progress_{code}"] = forms.ChoiceField(
                label=f"Progress on “{label}”",
                required=False,
                choices=[("", "Choose the progress…"), *Progress.choices],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for code, label in self.targets:
            if cleaned.get(f"worked_{code}") and not cleaned.get(f"progress_{code}"):
                self.add_error(f"progress_{code}", f"Choose the progress on “{label}”.")
        return cleaned

    def target_rows(self) -> list[dict[str, Any]]:
        """Each target with its checkbox and select (the template lays them out in a table)."""
        return [
            {"label": label, "worked": self[f"worked_{code}"], "progress": self[f"progress_{code}"]}
            for code, label in self.targets
        ]

    def service_data(self) -> dict[str, Any]:
        names = ("kind", "session_date", "duration_minutes", "data", "assessment", "plan_text")
        return {name: self.cleaned_data[name] for name in names}

    def progress(self) -> list[dict[str, str]]:
        return [
            {"target": code, "status": self.cleaned_data[f"progress_{code}"]}
            for code, _label in self.targets
            if self.cleaned_data.get(f"worked_{code}")
        ]


def note_initial(note: SessionNote | None, counseling_notes: str | None) -> dict[str, Any]:
    """What the form starts with: today and an individual session for a new note; the draft's
    own values (and its author's counseling notes) for an edit."""
    if note is None:
        return {"kind": SessionKind.INDIVIDUAL, "session_date": timezone.localdate()}
    initial: dict[str, Any] = {
        "kind": note.kind,
        "session_date": note.session_date,
        "duration_minutes": note.duration_minutes,
        "data": note.data,
        "assessment": note.assessment,
        "plan_text": note.plan_text,
        "counseling_notes": counseling_notes or "",
        "revision": note.revision,
    }
    for row in note.progress.all():
        initial[f"worked_{row.target}"] = True
        initial[f"progress_{row.target}"] = row.status
    return initial


class SessionNoteSignForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password (electronic signature)",
    )
    otp = forms.CharField(
        required=False,
        max_length=12,
        label="Authenticator code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="If your account has an authenticator.",
    )


class SessionNoteAddendumForm(SessionNoteSignForm):
    text = forms.CharField(
        label="Addendum",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="A correction or addition; the signed note itself does not change.",
    )
    field_order = ["text", "password", "otp"]
