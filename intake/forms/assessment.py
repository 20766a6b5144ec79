"""Forms built from instrument definitions: a new instrument needs no new form."""

from django import forms
from django.utils import timezone

from intake.models import AsamLevel, InstrumentCode, Remission
from intake.scoring import Instrument


class PointsRadioSelect(forms.RadioSelect):
    """Radio options carrying their points, for the live total shown while answering."""

    template_name = "intake/widgets/points_radio.html"

    def __init__(self, *args, points: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.points = points

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["points"] = self.points.get(str(value), 0)
        option["attrs"]["data-points"] = option["points"]
        return option


class AssessmentForm(forms.Form):
    administered_at = forms.DateTimeField(
        label="Administered at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        if not self.is_bound:
            self.initial.setdefault(
                "administered_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M")
            )
        self.item_fields = []
        for item in instrument.items:
            name = f"item_{item.key}"
            self.fields[name] = forms.ChoiceField(
                label=f"{item.key}. {item.text}" if item.key.isdigit() else item.text,
                choices=[(o.value, o.label) for o in item.options],
                widget=PointsRadioSelect(points={o.value: o.points for o in item.options}),
                error_messages={"required": "Answer this item."},
            )
            self.item_fields.append(name)
            if instrument.code == InstrumentCode.ASAM:
                self.fields[f"note_{item.key}"] = forms.CharField(
                    label="Note",
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 1}),
                )
        if instrument.code == InstrumentCode.ASAM:
            self.fields["recommended_level"] = forms.ChoiceField(
                label="Recommended level of care",
                choices=[("", "—"), *AsamLevel.choices],
                required=False,
            )

    def answers(self) -> dict[str, str]:
        return {item.key: self.cleaned_data[f"item_{item.key}"] for item in self.instrument.items}

    def item_notes(self) -> dict[str, str]:
        return {
            item.key: self.cleaned_data.get(f"note_{item.key}", "")
            for item in self.instrument.items
            if self.cleaned_data.get(f"note_{item.key}")
        }

    def rows(self):
        """(item field, note field or None) pairs, for the template."""
        for item in self.instrument.items:
            note = self[f"note_{item.key}"] if f"note_{item.key}" in self.fields else None
            yield self[f"item_{item.key}"], note


class SafetyFollowUpForm(forms.Form):
    note = forms.CharField(
        label="Safety assessment and plan",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class DiagnosisForm(forms.Form):
    remission = forms.ChoiceField(choices=Remission.choices, initial=Remission.NONE)
    on_maintenance_therapy = forms.BooleanField(
        required=False, label="On maintenance therapy (e.g. methadone or buprenorphine)"
    )
    controlled_environment = forms.BooleanField(
        required=False, label="In a controlled environment (with remission only)"
    )
