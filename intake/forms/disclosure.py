from crispy_forms.helper import FormHelper
from django import forms

from intake.models import DisclosureContent


class DisclosureForm(forms.Form):
    consent = forms.ChoiceField(label="Under the consent")
    recipient = forms.CharField(max_length=200, help_text="As named on the consent.")
    purpose = forms.CharField(max_length=300, help_text="As stated on the consent.")
    content = forms.ChoiceField(choices=DisclosureContent.choices, label="What to disclose")

    def __init__(self, *args, consents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].choices = [
            (
                str(c.pk),
                f"To {c.recipient} · for {c.purpose} · signed {c.signed_on:%Y-%m-%d} · "
                f"{c.status.label}",
            )
            for c in consents
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
